// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"
#include "event_format.h"
#include "event_out.h"
#include "monitor_state.h"

static int open_append(const char *path)
{
	/* O_NOFOLLOW: a planted symlink must not make root append elsewhere */
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
}

int sg_event_out_open(struct sg_event_out *o, const char *path, bool capped)
{
	o->capped = capped;
	o->failing = false;
	snprintf(o->path, sizeof(o->path), "%s", path);
	o->fd = open_append(path);
	if (o->fd < 0) {
		int rc = -errno;

		sg_err("cannot open output file %s: %s", path, strerror(errno));
		return rc;
	}
	return 0;
}

int sg_event_out_reopen(struct sg_event_out *o, void (*warn)(const char *msg))
{
	int fd = open_append(o->path);
	char msg[SG_PATH_LEN + 128];

	if (fd < 0) {
		int rc = -errno;

		snprintf(msg, sizeof(msg), "cannot reopen output file %s: %s (still writing the old one)",
			 o->path, strerror(errno));
		warn(msg);
		return rc;
	}
	close(o->fd);
	o->fd = fd;
	return 0;
}

/* The /run file: moved to FILE.1 (replacing the one before) when full. */
static void cap(struct sg_event_out *o, void (*warn)(const char *msg))
{
	char old[SG_PATH_LEN + 4];
	struct stat st;

	if (!o->capped || fstat(o->fd, &st) || st.st_size < SG_MONITOR_RUN_FILE_MAX)
		return;
	snprintf(old, sizeof(old), "%s.1", o->path);
	if (!rename(o->path, old))
		sg_event_out_reopen(o, warn);
}

void sg_event_out_write(struct sg_event_out *o, const char *line, void (*warn)(const char *msg))
{
	char buf[SG_EVENT_LINE_MAX + 1];
	size_t n = strlen(line);
	char msg[SG_PATH_LEN + 128];

	if (o->fd < 0 || n + 1 > sizeof(buf))
		return;
	memcpy(buf, line, n);
	buf[n++] = '\n';
	if (write(o->fd, buf, n) == (ssize_t)n) {
		o->failing = false;
	} else if (!o->failing) {
		o->failing = true;
		snprintf(msg, sizeof(msg), "cannot write to output file %s: %s", o->path,
			 strerror(errno));
		warn(msg);
	}
	cap(o, warn);
}

void sg_event_out_close(struct sg_event_out *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
}
