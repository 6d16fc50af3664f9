// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Issue 10: attribution, best effort: /proc/PID and the cgroup id -> path
 * walk (on a directory tree of its own standing in for the cgroup2 root). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tap.h"
#include "attrib.h"

static struct sg_cgcache cache;

static uint64_t ino(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (uint64_t)st.st_ino;
}

int main(void)
{
	char tmpl[] = "/tmp/sg-attrib.XXXXXX", path[512], cwd[1024], exe[512];
	uint64_t gone;
	struct sg_attrib a;
	char *root = mkdtemp(tmpl);
	ssize_t n;

	OK(root != NULL, "temp dir");
	snprintf(path, sizeof(path), "%s/system.slice/php.service/pool one", root);
	snprintf(cwd, sizeof(cwd), "mkdir -p '%s' '%s/user.slice/user-1001.slice'", path, root);
	OK(system(cwd) == 0, "a tree");
	sg_cgcache_root(&cache, root);

	sg_attrib_read(&cache, (uint32_t)getpid(), ino(path), &a);
	STR_EQ(a.cgroup, "/system.slice/php.service/pool one", "a cgroup found by its id, below the root");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	STR_EQ(a.exe, exe, "the executable of a live pid");
	OK(getcwd(cwd, sizeof(cwd)) && !strcmp(a.cwd, cwd), "its current directory: %s", a.cwd);

	snprintf(path, sizeof(path), "%s/user.slice/user-1001.slice", root);
	gone = ino(path);
	sg_attrib_read(&cache, (uint32_t)getpid(), gone, &a);
	STR_EQ(a.cgroup, "/user.slice/user-1001.slice", "another branch");
	sg_attrib_read(&cache, (uint32_t)getpid(), ino(root), &a);
	STR_EQ(a.cgroup, "/", "the root itself");

	/* a vanished process, an unknown cgroup: empty, never an error */
	sg_attrib_read(&cache, 0x7ffffffe, 0x7ffffffffffffULL, &a);
	OK(!a.exe[0] && !a.cwd[0] && !a.cgroup[0], "a pid and a cgroup that are gone: empty fields");
	sg_attrib_read(&cache, 0x7ffffffe, 0, &a);
	OK(!a.cgroup[0], "cgroup id 0: empty");

	/* found paths are cached (ids are never reused): still there after
	 * the directory is gone */
	snprintf(cwd, sizeof(cwd), "rm -rf '%s/user.slice'", root);
	OK(system(cwd) == 0, "a cgroup removed");
	sg_attrib_read(&cache, 0x7ffffffe, gone, &a);
	STR_EQ(a.cgroup, "/user.slice/user-1001.slice", "a found path is remembered");
	snprintf(cwd, sizeof(cwd), "rm -rf '%s'", root);
	OK(system(cwd) == 0, "cleanup");
	return tap_done();
}
