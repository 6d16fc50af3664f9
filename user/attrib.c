// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Attribution of events from /proc and the cgroup2 tree (see attrib.h). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "attrib.h"
#include "mountinfo.h"
#include "readfile.h"

#define MISS_TTL   5    /* seconds a cgroup id not found is not looked for again */
#define WALK_DEPTH 32   /* cgroup trees are shallow; a bound keeps a walk finite */
#define MAX_MOUNTINFO (4 << 20)

static void proc_link(uint32_t pid, const char *what, char *out, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/%s", pid, what);
	n = readlink(path, out, len - 1);
	out[n > 0 ? n : 0] = '\0';
}

/* The cgroup2 mount point, found once (never mounted here: reading events
 * changes nothing). */
static const char *cg_root(struct sg_cgcache *c)
{
	if (!c->root_state) {
		char *mi = sg_read_text("/proc/self/mountinfo", MAX_MOUNTINFO, NULL);

		c->root_state = mi && !sg_find_mount(mi, "cgroup2", c->root, sizeof(c->root), NULL)
					? 1 : -1;
		free(mi);
	}
	return c->root_state > 0 ? c->root : NULL;
}

/* Depth-first search for the directory whose inode number is id (a
 * cgroup's id is its kernfs inode number on 64-bit hosts). rel is the path
 * below the root, extended in place. Returns 1 when found. */
static int walk(int dfd, uint64_t id, char *rel, size_t len, int depth)
{
	DIR *d = fdopendir(dfd);
	size_t at = strlen(rel);
	struct dirent *de;
	int found = 0;

	if (!d) {
		close(dfd);
		return 0;
	}
	while (!found && (de = readdir(d))) {
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (snprintf(rel + at, len - at, "/%s", de->d_name) >= (int)(len - at))
			continue;
		if ((uint64_t)de->d_ino == id)
			found = 1;
		else if (depth < WALK_DEPTH &&
			 (sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
			found = walk(sub, id, rel, len, depth + 1);
	}
	if (!found)
		rel[at] = '\0';
	closedir(d);
	return found;
}

static void cgroup_path(struct sg_cgcache *c, uint64_t id, char *out, size_t len)
{
	const char *root = cg_root(c);
	__typeof__(c->slot[0]) *s = &c->slot[id % SG_CGCACHE_SLOTS];
	time_t now = time(NULL);
	struct stat st;
	int fd;

	out[0] = '\0';
	if (!root || !id)
		return;
	if (s->id == id && (!s->miss_at || now - s->miss_at < MISS_TTL)) {
		snprintf(out, len, "%s", s->path);
		return;
	}
	s->id = id;
	s->path[0] = '\0';
	s->miss_at = now;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (!fstat(fd, &st) && (uint64_t)st.st_ino == id) {
		close(fd);
		snprintf(s->path, sizeof(s->path), "/");
	} else if (!walk(fd, id, s->path, sizeof(s->path), 0)) {
		return;
	}
	s->miss_at = 0;
	snprintf(out, len, "%s", s->path);
}

void sg_cgcache_root(struct sg_cgcache *c, const char *root)
{
	snprintf(c->root, sizeof(c->root), "%s", root);
	c->root_state = 1;
}

void sg_attrib_read(struct sg_cgcache *cache, uint32_t pid, uint64_t cgroup_id,
		    struct sg_attrib *a)
{
	proc_link(pid, "exe", a->exe, sizeof(a->exe));
	proc_link(pid, "cwd", a->cwd, sizeof(a->cwd));
	cgroup_path(cache, cgroup_id, a->cgroup, sizeof(a->cgroup));
}
