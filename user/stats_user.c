// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* stats --user: one account's record (would-be refusals, first and last,
 * the last destination and command), for the admin who asks "what did
 * this site do?". An account with no record made no would-be refusal
 * since the counters were last cleared, or was evicted from the offender
 * map by busier ones: the text says so. Pure: unit-tested. */
#include <stdbool.h>
#include "format.h"
#include "json.h"
#include "stats_report.h"

static const struct sg_offender_row *find(const struct sg_report *r, __u32 uid)
{
	for (unsigned i = 0; i < r->nrows; i++)
		if (r->rows[i].uid == uid)
			return &r->rows[i];
	return NULL;
}

void sg_report_user_text(FILE *out, const struct sg_report *r, __u32 uid, const char *user)
{
	const struct sg_offender_row *o = find(r, uid);
	char first[32], last[32], dst[64], comm[SG_COMM_LEN + 1];

	fprintf(out, "%-18s %u%s%s%s\n", "uid:", uid, user[0] ? " (" : "", user,
		user[0] ? ")" : "");
	if (r->mode)
		fprintf(out, "%-18s %s\n", "mode:", r->mode);
	if (!o) {
		fprintf(out, "%-18s 0 (none on record: none since the counters were cleared, or "
			"evicted by busier accounts)\n", "attempts:");
		return;
	}
	sg_wall_time(o->first_unix, first, sizeof(first));
	sg_wall_time(o->last_unix, last, sizeof(last));
	sg_format_dst(o->rec.last_addr, o->rec.last_family, o->rec.last_port, dst, sizeof(dst));
	sg_clean_comm(o->rec.last_comm, comm, sizeof(comm));
	fprintf(out, "%-18s %llu\n", "attempts:", (unsigned long long)o->rec.count);
	fprintf(out, "%-18s %s\n%-18s %s\n", "first seen:", first, "last seen:", last);
	fprintf(out, "%-18s %s\n%-18s %u\n", "last destination:", dst, "last gid:",
		o->rec.last_gid);
	fprintf(out, "%-18s %s\n%-18s %s\n", "last command:", comm, "last verdict:",
		sg_verdict_name(o->rec.last_verdict));
}

void sg_report_user_json(FILE *out, const struct sg_report *r, __u32 uid, const char *user)
{
	const struct sg_offender_row *o = find(r, uid);
	struct sg_json j;

	sg_json_to_file(&j, out);
	if (o) {
		sg_offender_json(&j, o);
	} else {
		sg_json_open(&j, '{');
		sg_json_kuint(&j, "uid", uid);
		sg_json_kstr(&j, "user", user[0] ? user : NULL);
		sg_json_kuint(&j, "count", 0);
		sg_json_close(&j, '}');
	}
	fputc('\n', out);
}
