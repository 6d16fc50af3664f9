// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What log and monitor do with each event (see events.c): log prints it,
 * the monitor writes it to syslog and its output file. */
#include <string.h>
#include <syslog.h>
#include "clock.h"
#include "common.h"
#include "event_format.h"
#include "event_parse.h"
#include "events_reader.h"

void sg_reader_syslog_warn(const char *msg)
{
	syslog(LOG_WARNING, "%s", msg);
}

/* A tight retry loop by one account must not mean one NSS query per event. */
static const char *user_name(struct reader *rd, __u32 uid)
{
	struct name_slot *s = &rd->cache[uid % NAME_CACHE_SLOTS];
	time_t now = time(NULL);

	if (s->at == 0 || s->uid != uid || now - s->at > NAME_CACHE_TTL) {
		s->uid = uid;
		s->at = now;
		sg_user_name(uid, s->name, sizeof(s->name));
	}
	return s->name;
}

/* log: one event, from the map or a monitor's line, as text or JSON. */
static void log_print(struct reader *rd, const struct sg_parsed_event *pe)
{
	char line[SG_EVENT_LINE_MAX], when[48];

	if (pe->unix_time < rd->since || (rd->user_filter && pe->ev.uid != rd->user_uid))
		return;
	if (rd->json) {
		sg_event_json(&pe->ev, pe->user, pe->unix_time, &pe->attrib, line, sizeof(line));
		printf("%s\n", line);
	} else {
		sg_iso_time(pe->unix_time, when, sizeof(when));
		sg_event_line(&pe->ev, pe->user, &pe->attrib, line, sizeof(line));
		printf("%s %s\n", when, line);
	}
	fflush(stdout);
}

/* monitor: syslog, and the output file */
static void monitor_write(struct reader *rd, const struct sg_parsed_event *pe)
{
	char line[SG_EVENT_LINE_MAX];

	sg_event_line(&pe->ev, pe->user, &pe->attrib, line, sizeof(line));
	syslog(pe->ev.verdict == SG_VERDICT_AUDITED ? LOG_NOTICE : LOG_WARNING, "%s", line);
	sg_event_json(&pe->ev, pe->user, pe->unix_time, &pe->attrib, line, sizeof(line));
	sg_event_out_write(&rd->out, line, sg_reader_syslog_warn);
}

int sg_reader_on_event(void *ctx, void *data, size_t len)
{
	struct reader *rd = ctx;
	struct sg_parsed_event pe = { 0 };

	if (len < sizeof(pe.ev))
		return 0;
	/* a perf sample is only 4-byte aligned (after its u32 size): copy it
	 * out rather than read its u64 fields in place */
	memcpy(&pe.ev, data, sizeof(pe.ev));
	pe.unix_time = sg_stamp_to_unix(pe.ev.ts_ns, rd->features);
	/* what log will not print costs no lookups */
	if (!rd->to_syslog && (pe.unix_time < rd->since ||
			       (rd->user_filter && pe.ev.uid != rd->user_uid)))
		return 0;
	snprintf(pe.user, sizeof(pe.user), "%s", user_name(rd, pe.ev.uid));
	sg_attrib_read(&rd->cg, pe.ev.pid, pe.ev.cgroup_id, &pe.attrib);
	if (rd->to_syslog)
		monitor_write(rd, &pe);
	else
		log_print(rd, &pe);
	return 0;
}

/* log following a monitor: one line of its file */
void sg_reader_on_line(void *ctx, const char *text)
{
	struct sg_parsed_event pe;

	if (!sg_event_parse(text, &pe))
		log_print(ctx, &pe);
}

void sg_reader_on_perf_event(void *ctx, int cpu, void *data, __u32 size)
{
	sg_reader_on_event(ctx, data, size);
}

/* The kernel dropped samples from a full per-CPU buffer (the program could
 * not tell, so they are not in the `lost` counter): say so where events go. */
void sg_reader_on_perf_lost(void *ctx, int cpu, __u64 count)
{
	struct reader *rd = ctx;

	if (rd->to_syslog)
		syslog(LOG_WARNING, "%llu events lost on CPU %d (buffer full)",
		       (unsigned long long)count, cpu);
	else
		sg_warn("%llu events lost on CPU %d (buffer full)", (unsigned long long)count, cpu);
}

