/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Text formatting shared by the stats report and the event lines: times,
 * destinations, verdicts and command names. Pure (unit-tested). */
#ifndef SG_FORMAT_H
#define SG_FORMAT_H

#include <stddef.h>
#include <linux/types.h>

/* "203.0.113.9:25" or "[2001:db8::1]:25" from an offender/event address. */
void sg_format_dst(const __u8 addr[16], __u8 family, __u16 port, char *buf, size_t len);
/* The address alone ("203.0.113.9", "2001:db8::1"). */
void sg_format_addr(const __u8 addr[16], __u8 family, char *buf, size_t len);
/* Command names come from the caller (prctl): make them safe for one log
 * line and one table cell (spaces, quotes, '=' and non-ASCII become '?'). */
void sg_clean_comm(const char *comm, char *out, size_t len);
const char *sg_verdict_name(__u8 verdict);
/* ISO 8601 local time with milliseconds (rounded, as the JSON "ts" is):
 * 2026-11-25T21:46:35.123+0000. */
void sg_iso_time(double unix_time, char *buf, size_t len);
/* Local time to the second for tables: "2026-11-25 21:46:35", "-" for none. */
void sg_wall_time(double unix_time, char *buf, size_t len);

#endif
