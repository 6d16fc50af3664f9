// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "egress_report.h"
#include "format.h"
#include "json.h"
#include "stats_report.h"

/* One row per counter: its field (as in the BTF of the stats map, and in
 * JSON) and the text label. */
static const struct counter {
	size_t off;
	const char *field;
	const char *label;
} counters[] = {
	{ offsetof(struct sg_stats, seen), "seen", "guarded connects" },
	{ offsetof(struct sg_stats, allowed_dst), "allowed_dst", "allowed: destination" },
	{ offsetof(struct sg_stats, allowed_uid), "allowed_uid", "allowed: user" },
	{ offsetof(struct sg_stats, allowed_gid), "allowed_gid", "allowed: group" },
	/* issue 10 */
	{ offsetof(struct sg_stats, allowed_acct_dst), "allowed_acct_dst", "allowed: account destination" },
	{ offsetof(struct sg_stats, allowed_cgroup), "allowed_cgroup", "allowed: cgroup" },
	{ offsetof(struct sg_stats, refused), "refused", "refused" },
	{ offsetof(struct sg_stats, audited), "audited", "audited" },
	{ offsetof(struct sg_stats, redirected), "redirected", "redirected" },
	{ offsetof(struct sg_stats, events), "events", "events" },
	{ offsetof(struct sg_stats, suppressed), "suppressed", "events suppressed" },
	{ offsetof(struct sg_stats, lost), "lost", "events lost" },
};

static const char *const fam_name[SG_FAM_COUNT] = { "ipv4", "ipv6" };

static __u64 counter_value(const struct sg_stats *s, const struct counter *c)
{
	__u64 v;

	memcpy(&v, (const char *)s + c->off, sizeof(v));
	return v;
}

static int cmp_busiest(const void *a, const void *b)
{
	const struct sg_offender_row *x = a, *y = b;

	if (x->rec.count != y->rec.count)
		return x->rec.count > y->rec.count ? -1 : 1;
	if (x->rec.last_ns != y->rec.last_ns)
		return x->rec.last_ns > y->rec.last_ns ? -1 : 1;
	return (x->uid > y->uid) - (x->uid < y->uid);
}

static int cmp_newest(const void *a, const void *b)
{
	const struct sg_offender_row *x = a, *y = b;

	if (x->rec.last_ns != y->rec.last_ns)
		return x->rec.last_ns > y->rec.last_ns ? -1 : 1;
	return cmp_busiest(a, b);
}

void sg_report_sort_busiest(struct sg_report *r)
{
	if (r->nrows) /* qsort(NULL, 0, ...) is undefined */
		qsort(r->rows, r->nrows, sizeof(*r->rows), cmp_busiest);
}

static void offender_table(FILE *out, const char *title, const struct sg_offender_row *rows,
			   unsigned n)
{
	fprintf(out, "\n%s:\n", title);
	if (!n) {
		fputs("  (none)\n", out);
		return;
	}
	fprintf(out, "  %-10s %-16s %10s  %-19s  %-30s %-16s %s\n", "UID", "USER", "ATTEMPTS",
		"LAST SEEN", "LAST DESTINATION", "LAST COMMAND", "VERDICT");
	for (unsigned i = 0; i < n; i++) {
		const struct sg_offender_row *o = &rows[i];
		char last[32], dst[64], comm[SG_COMM_LEN + 1];

		sg_wall_time(o->last_unix, last, sizeof(last));
		sg_format_dst(o->rec.last_addr, o->rec.last_family, o->rec.last_port, dst, sizeof(dst));
		sg_clean_comm(o->rec.last_comm, comm, sizeof(comm));
		fprintf(out, "  %-10u %-16s %10llu  %-19s  %-30s %-16s %s\n", o->uid,
			o->user[0] ? o->user : "-", (unsigned long long)o->rec.count, last, dst, comm,
			sg_verdict_name(o->rec.last_verdict));
	}
}

/* Do the first n rows of a and b name the same accounts in the same order? */
static bool same_rows(const struct sg_offender_row *a, const struct sg_offender_row *b,
		      unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i].uid != b[i].uid)
			return false;
	return true;
}

void sg_report_text(FILE *out, struct sg_report *r)
{
	unsigned n = r->nrows < r->top ? r->nrows : r->top;
	struct sg_offender_row *newest;

	if (r->mode)
		fprintf(out, "mode: %s\n\n", r->mode);
	fprintf(out, "%-22s %14s %14s %14s\n", "", "ipv4", "ipv6", "total");
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		__u64 v4 = counter_value(&r->fam[0], &counters[i]);
		__u64 v6 = counter_value(&r->fam[1], &counters[i]);

		fprintf(out, "%-22s %14llu %14llu %14llu\n", counters[i].label,
			(unsigned long long)v4, (unsigned long long)v6,
			(unsigned long long)(v4 + v6));
	}
	if (r->have_eg)
		sg_eg_report_text(out, r->eg);
	sg_report_sort_busiest(r);
	newest = malloc(sizeof(*newest) * (r->nrows ? r->nrows : 1));
	if (newest && r->nrows) {
		memcpy(newest, r->rows, sizeof(*newest) * r->nrows);
		qsort(newest, r->nrows, sizeof(*newest), cmp_newest);
	}
	/* few offenders often sort the same both ways: one table then */
	if (!newest || same_rows(r->rows, newest, n)) {
		offender_table(out, newest ? "Offenders (busiest and most recent)"
					   : "Busiest offenders", r->rows, n);
	} else {
		offender_table(out, "Busiest offenders", r->rows, n);
		offender_table(out, "Most recent offenders", newest, n);
	}
	free(newest);
	if (r->nrows > n)
		fprintf(out, "\n(%u offenders in all; --top N shows more)\n", r->nrows);
}

static void counters_json(struct sg_json *j, const struct sg_stats *s)
{
	sg_json_open(j, '{');
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		sg_json_kuint(j, counters[i].field, counter_value(s, &counters[i]));
	sg_json_close(j, '}');
}

void sg_offender_json(struct sg_json *j, const struct sg_offender_row *o)
{
	char dst[64], family[8];

	sg_format_dst(o->rec.last_addr, o->rec.last_family, o->rec.last_port, dst, sizeof(dst));
	snprintf(family, sizeof(family), "ipv%u", o->rec.last_family);
	sg_json_open(j, '{');
	sg_json_kuint(j, "uid", o->uid);
	sg_json_kstr(j, "user", o->user[0] ? o->user : NULL);
	sg_json_kuint(j, "count", o->rec.count);
	sg_json_key(j, "first_seen");
	sg_json_ms(j, o->first_unix);
	sg_json_key(j, "last_seen");
	sg_json_ms(j, o->last_unix);
	sg_json_kstr(j, "last_destination", dst);
	sg_json_kstr(j, "last_family", family);
	sg_json_kuint(j, "last_gid", o->rec.last_gid);
	sg_json_kstr(j, "last_verdict", sg_verdict_name(o->rec.last_verdict));
	sg_json_key(j, "last_comm");
	sg_json_stringn(j, o->rec.last_comm, SG_COMM_LEN);
	sg_json_close(j, '}');
}

void sg_report_json(FILE *out, struct sg_report *r)
{
	unsigned n = r->nrows < r->top ? r->nrows : r->top;
	struct sg_json j;

	sg_json_to_file(&j, out);
	sg_json_open(&j, '{');
	if (r->mode)
		sg_json_kstr(&j, "mode", r->mode);
	sg_json_key(&j, "counters");
	sg_json_open(&j, '{');
	for (int f = 0; f < SG_FAM_COUNT; f++) {
		sg_json_key(&j, fam_name[f]);
		counters_json(&j, &r->fam[f]);
	}
	sg_json_close(&j, '}');
	if (r->have_eg)
		sg_eg_report_json(&j, r->eg);
	sg_json_kuint(&j, "offenders_total", r->nrows);
	sg_json_key(&j, "offenders");
	sg_json_open(&j, '[');
	sg_report_sort_busiest(r);
	for (unsigned i = 0; i < n; i++)
		sg_offender_json(&j, &r->rows[i]);
	sg_json_close(&j, ']');
	sg_json_close(&j, '}');
	fputc('\n', out);
}
