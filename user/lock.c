// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "cleanup.h"
#include "common.h"
#include "lock.h"

int sg_lock(void)
{
	/* O_NOFOLLOW: never follow a planted symlink to some other file. */
	_cleanup_close_ int fd = open(SG_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
				      0600);
	int e;

	if (fd < 0) {
		e = errno;
		sg_err("cannot open lock file %s: %s", SG_LOCK_FILE, strerror(e));
		return -e;
	}
	while (flock(fd, LOCK_EX)) {
		if (errno == EINTR)
			continue;
		e = errno;
		sg_err("cannot lock %s: %s", SG_LOCK_FILE, strerror(e));
		return -e;
	}
	return sg_take_fd(&fd);
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
