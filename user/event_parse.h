/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Issue 11: one line of a monitor's --output file (an object written by
 * sg_event_json) back into an event record, so `log` can follow a running
 * monitor and print the same text or JSON it would print itself. Pure
 * (unit-tested); reads flat objects only, which is all the writer makes.
 */
#ifndef SG_EVENT_PARSE_H
#define SG_EVENT_PARSE_H

#include "attrib.h"
#include "names.h"
#include "smtpguard.h"

struct sg_parsed_event {
	struct sg_event ev;
	char user[SG_NAME_MAX];  /* "" for null */
	double unix_time;        /* "ts" */
	struct sg_attrib attrib; /* "" for null or absent */
};

/* 0, or -1 when line is not one such object (a cut last line, another
 * program's text): the caller skips it. A \u00A0-\u00FF escape gives back
 * the byte itself (json.h writes a byte that is not UTF-8 that way), so a
 * line written again from the result is the line read. */
int sg_event_parse(const char *line, struct sg_parsed_event *out);

#endif
