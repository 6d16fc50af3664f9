/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Issue 11: the monitor's output file, one JSON line per event, appended.
 * Reopened on SIGHUP (after logrotate moved it); the default file of a
 * monitor run without --output (in /run) moves itself to FILE.1 past
 * SG_MONITOR_RUN_FILE_MAX instead.
 */
#ifndef SG_EVENT_OUT_H
#define SG_EVENT_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "smtpguard.h"

struct sg_event_out {
	int fd;
	bool capped;               /* the default file in /run: rotate it here */
	bool failing;              /* a write failed and was said: say it once */
	char path[SG_PATH_LEN];
};

/* Opens path for appending (0640, created). 0, or -errno with the line said. */
int sg_event_out_open(struct sg_event_out *o, const char *path, bool capped);
/* Opens the path again (SIGHUP); on failure keeps the old file, says why
 * through warn (syslog), and returns -errno. */
int sg_event_out_reopen(struct sg_event_out *o, void (*warn)(const char *msg));
/* Appends line and a newline in one write (lines stay whole for a reader). */
void sg_event_out_write(struct sg_event_out *o, const char *line,
			void (*warn)(const char *msg));
void sg_event_out_close(struct sg_event_out *o);

#endif
