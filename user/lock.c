// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "lock.h"

int sg_lock(char *err, size_t errlen)
{
	/* O_NOFOLLOW: never follow a planted symlink to some other file. */
	int fd = open(SG_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0) {
		snprintf(err, errlen, "cannot open lock file %s: %s", SG_LOCK_FILE, strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX)) {
		if (errno == EINTR)
			continue;
		snprintf(err, errlen, "cannot lock %s: %s", SG_LOCK_FILE, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int sg_lock_shared(void)
{
	int fd = open(SG_LOCK_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_SH))
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	return fd;
}
