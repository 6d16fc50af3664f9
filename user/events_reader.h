/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* log and monitor (events.c): the reader's state, and what it does with
 * each event (events_sink.c). */
#ifndef SG_EVENTS_READER_H
#define SG_EVENTS_READER_H

#include <stdbool.h>
#include <time.h>
#include <bpf/libbpf.h>
#include "attrib.h"
#include "event_out.h"
#include "log_follow.h"
#include "names.h"

#define NAME_CACHE_SLOTS 256
#define NAME_CACHE_TTL   60 /* seconds: accounts come and go on hosting servers */

struct name_slot {
	__u32 uid;
	time_t at;
	char name[SG_NAME_MAX];
};

struct reader {
	bool json, to_syslog;
	bool user_filter;        /* log --user: only user_uid's events */
	__u32 user_uid;
	double since;            /* log: events stamped before are not printed */
	struct name_slot cache[NAME_CACHE_SLOTS];
	struct sg_cgcache cg;
	struct sg_event_out out; /* monitor: the JSON lines file */
	int state_fd;            /* monitor: its locked state file */
	bool following;          /* log: reading a monitor's file, not the map */
	struct sg_follow fol;
	int map_fd;
	__u32 map_id;
	__u32 features;          /* of the loaded policy: which clock stamps */
	bool said;               /* an error following the map was said */
	struct ring_buffer *rb;  /* one of these two, by the events map's type */
	struct perf_buffer *pb;
};

/* Callbacks of the ring buffer, the perf buffer and the file follower. */
int sg_reader_on_event(void *ctx, void *data, size_t len);
void sg_reader_on_perf_event(void *ctx, int cpu, void *data, __u32 size);
void sg_reader_on_perf_lost(void *ctx, int cpu, __u64 count);
void sg_reader_on_line(void *ctx, const char *text);
void sg_reader_syslog_warn(const char *msg);

#endif
