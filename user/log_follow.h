/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Issue 11: `log` while a monitor runs reads the monitor's output file like
 * `tail -F`: new whole lines as they come, and across a rotation (the path
 * names a new file, or the file was cut short) it finishes the old file and
 * goes on with the new one from its start.
 */
#ifndef SG_LOG_FOLLOW_H
#define SG_LOG_FOLLOW_H

#include <stdbool.h>
#include <sys/types.h>
#include "event_format.h"

struct sg_follow {
	int fd;
	dev_t dev;
	ino_t ino;
	char path[SG_PATH_LEN];
	size_t len;                     /* bytes of a line not yet complete */
	char buf[2 * SG_EVENT_LINE_MAX];
};

enum sg_follow_from {
	SG_FOLLOW_START,
	SG_FOLLOW_END,
	SG_FOLLOW_TAIL, /* the last SG_FOLLOW_TAIL_BYTES (a cut first line
			 * is not an event line: the reader skips it) */
};
#define SG_FOLLOW_TAIL_BYTES (1 << 20)

/* Opens path, reading from there. 0, or -errno (not said: a monitor that
 * has not written yet has no file; try again later). */
int sg_follow_open(struct sg_follow *f, const char *path, enum sg_follow_from from);
/* Calls line(ctx, text) for each whole line there is now; returns how
 * many. Follows a rotation. */
int sg_follow_read(struct sg_follow *f, void (*line)(void *ctx, const char *text), void *ctx);
void sg_follow_close(struct sg_follow *f);

#endif
