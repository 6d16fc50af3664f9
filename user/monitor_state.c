// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The monitor's state file (see monitor_state.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cleanup.h"
#include "common.h"
#include "monitor_state.h"

#define CLAIM_TRIES 30 /* 3 s */

void sg_monitor_path(const char *pin_dir, const char *suffix, char *buf, size_t len)
{
	size_t o;

	o = (size_t)snprintf(buf, len, "%s/", SG_MONITOR_RUN_DIR);
	for (const char *p = pin_dir; *p == '/'; p++)
		pin_dir = p + 1;
	for (; *pin_dir && o + 1 < len; pin_dir++)
		buf[o++] = *pin_dir == '/' ? '_' : *pin_dir;
	if (o + strlen(suffix) + 1 > len) {
		buf[0] = '\0';
		return;
	}
	strcpy(buf + o, suffix);
}

/* mkdir -p of the run dir, 0755: log (as any user allowed to read the
 * output) looks there. */
static int make_run_dir(void)
{
	char dir[] = SG_MONITOR_RUN_DIR;

	for (char *p = dir + 1; ; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			sg_err("cannot create %s: %s", dir, strerror(errno));
			return -errno;
		}
		if (!(*p = c))
			return 0;
	}
}

static void say_busy(const char *state, const char *pin_dir)
{
	struct sg_monitor_info info = { 0 };

	sg_monitor_find(pin_dir, &info);
	sg_err("another monitor (pid %d) reads the events of %s (state %s)", (int)info.pid,
	       pin_dir, state);
}

/* The state file, open and locked: a monitor that was just told to stop
 * (a restart) may hold it a moment, and removes it as it goes, so the lock
 * counts only on the file still at the path. fd, or -errno. */
static int lock_state(const char *state, const char *pin_dir)
{
	for (int i = 0; i < CLAIM_TRIES; i++) {
		_cleanup_close_ int fd = open(state, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
		struct stat mine, now;

		if (fd < 0) {
			int rc = -errno;

			sg_err("cannot open monitor state %s: %s", state, strerror(errno));
			return rc;
		}
		if (!flock(fd, LOCK_EX | LOCK_NB)) {
			if (!fstat(fd, &mine) && !stat(state, &now) && mine.st_ino == now.st_ino &&
			    mine.st_dev == now.st_dev)
				return sg_take_fd(&fd);
			continue; /* removed by the monitor that went: the new file */
		}
		if (errno != EWOULDBLOCK) {
			int rc = -errno;

			sg_err("cannot lock monitor state %s: %s", state, strerror(errno));
			return rc;
		}
		usleep(100000);
	}
	say_busy(state, pin_dir);
	return -EBUSY;
}

int sg_monitor_claim(const char *pin_dir, const char *output)
{
	char state[SG_PATH_LEN + 64], text[3 * SG_PATH_LEN];
	_cleanup_close_ int fd = -1;
	int n, rc;

	sg_monitor_path(pin_dir, ".state", state, sizeof(state));
	if (!state[0]) {
		sg_err("pin dir %s: name too long for a monitor state file", pin_dir);
		return -ENAMETOOLONG;
	}
	if ((rc = make_run_dir()))
		return rc;
	if ((fd = lock_state(state, pin_dir)) < 0)
		return fd;
	n = snprintf(text, sizeof(text), "pid=%d\npin_dir=%s\noutput=%s\n", (int)getpid(),
		     pin_dir, output);
	if (ftruncate(fd, 0) || pwrite(fd, text, (size_t)n, 0) != n) {
		rc = -errno;
		sg_err("cannot write monitor state %s: %s", state, strerror(errno));
		return rc;
	}
	return sg_take_fd(&fd);
}

void sg_monitor_release(const char *pin_dir, int fd)
{
	char state[SG_PATH_LEN + 64];

	if (fd < 0)
		return;
	sg_monitor_path(pin_dir, ".state", state, sizeof(state));
	if (state[0])
		unlink(state); /* still under the lock: no new monitor's file */
	close(fd);
}

/* "key=value\n" lines into info; 0 when complete. */
static int parse_state(char *text, struct sg_monitor_info *info)
{
	char *save = NULL;
	int have = 0;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(l, "pid=", 4) && (info->pid = (pid_t)atoi(l + 4)) > 0)
			have |= 1;
		else if (!strncmp(l, "pin_dir=", 8))
			have |= 2 * (snprintf(info->pin_dir, sizeof(info->pin_dir), "%s", l + 8) > 0);
		else if (!strncmp(l, "output=", 7))
			have |= 4 * (snprintf(info->output, sizeof(info->output), "%s", l + 7) > 0);
	}
	return have == 7 ? 0 : -1;
}

int sg_monitor_find(const char *pin_dir, struct sg_monitor_info *info)
{
	char state[SG_PATH_LEN + 64], text[3 * SG_PATH_LEN + 64];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	sg_monitor_path(pin_dir, ".state", state, sizeof(state));
	if (!state[0] || (fd = open(state, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return 0;
	/* the lock is free: whoever wrote this is gone */
	if (!flock(fd, LOCK_SH | LOCK_NB)) {
		flock(fd, LOCK_UN);
		return 0;
	}
	n = read(fd, text, sizeof(text) - 1);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	/* the file names its pin dir: two pin dirs that map to one name
	 * ("a_b" and "a/b") do not mix */
	return !parse_state(text, info) && !strcmp(info->pin_dir, pin_dir);
}
