/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One event record as one log line or one JSON object (pure, unit-tested). */
#ifndef SG_EVENT_FORMAT_H
#define SG_EVENT_FORMAT_H

#include <stddef.h>
#include <linux/types.h>
#include "format.h"  /* sg_iso_time, for the time in front of a log line */
#include "smtpguard.h"
#include "attrib.h"

/* Big enough for any event line or JSON object, attribution included. */
#define SG_EVENT_LINE_MAX 8192

/* "refused uid=1001(alice) pid=4242 comm=php-fpm dst=203.0.113.9:25
 * family=ipv4 gid=1001 tid=4242 cgroup=77 cgroup_path=/system.slice/x.service
 * exe=/usr/sbin/php-fpm cwd=/home/alice/www": the syslog line, and the body of
 * `smtpguard log`. user may be "" (no name); a (attribution, issue 10) may be
 * NULL, and its empty fields are left out. */
void sg_event_line(const struct sg_event *e, const char *user, const struct sg_attrib *a,
		   char *buf, size_t len);
/* {"time":...,"verdict":...} on one line, no newline, valid UTF-8 (see
 * json.h). unix_time is the event's wall-clock time in seconds. A buf too
 * small gets a cut object; SG_EVENT_LINE_MAX bytes always suffice. The
 * attribution fields are null when a is NULL or they are empty. */
void sg_event_json(const struct sg_event *e, const char *user, double unix_time,
		   const struct sg_attrib *a, char *buf, size_t len);

#endif
