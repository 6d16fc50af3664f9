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
	int fd = open(SG_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

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
