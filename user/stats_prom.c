// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* stats --prometheus: the Prometheus text exposition format (0.0.4), for
 * node_exporter's textfile collector. One metric per quantity with labels
 * for its dimensions (a dashboard sums over them), per-account series only
 * for the top N (the cardinality a fleet's Prometheus can carry), and
 * always something to say: a host where nothing is loaded reports
 * smtpguard_loaded 0, and every report carries its time, so an alert can
 * tell a stale textfile from a quiet host. Pure: unit-tested. */
#include <string.h>
#include "egress_report.h"
#include "json.h"
#include "stats_report.h"

/* The verdict label of each per-verdict counter (the sum is every guarded
 * connect: "seen" is not repeated as a series of its own). */
static const struct {
	size_t off;
	const char *verdict;
} verdicts[] = {
	{ offsetof(struct sg_stats, allowed_dst), "allowed_destination" },
	{ offsetof(struct sg_stats, allowed_uid), "allowed_user" },
	{ offsetof(struct sg_stats, allowed_gid), "allowed_group" },
	{ offsetof(struct sg_stats, allowed_acct_dst), "allowed_account_destination" },
	{ offsetof(struct sg_stats, allowed_cgroup), "allowed_cgroup" },
	{ offsetof(struct sg_stats, refused), "refused" },
	{ offsetof(struct sg_stats, audited), "audited" },
	{ offsetof(struct sg_stats, redirected), "redirected" },
};

static const struct {
	size_t off;
	const char *metric, *help;
} events[] = {
	{ offsetof(struct sg_stats, events), "smtpguard_events_total",
	  "Event records written to the ring buffer." },
	{ offsetof(struct sg_stats, suppressed), "smtpguard_events_suppressed_total",
	  "Events not written because of the rate limit." },
	{ offsetof(struct sg_stats, lost), "smtpguard_events_lost_total",
	  "Events lost because the ring buffer was full." },
};

static const char *const fam_name[SG_FAM_COUNT] = { "ipv4", "ipv6" };

static unsigned long long field(const struct sg_stats *s, size_t off)
{
	__u64 v;

	memcpy(&v, (const char *)s + off, sizeof(v));
	return (unsigned long long)v;
}

static void head(FILE *out, const char *metric, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", metric, help, metric, type);
}

/* A label value: valid UTF-8 passes, '\\', '"' and newline are escaped,
 * and a byte that is no part of valid UTF-8 becomes U+FFFD, since the
 * format requires UTF-8 and a user name comes from NSS as bytes. */
void sg_prom_label(FILE *out, const char *s)
{
	size_t n = strlen(s);

	fputc('"', out);
	while (n) {
		size_t k = sg_utf8_seq_len((const unsigned char *)s, n);

		if (!k) {
			fputs("\xef\xbf\xbd", out);
			k = 1;
		} else if (*s == '\\' || *s == '"') {
			fprintf(out, "\\%c", *s);
		} else if (*s == '\n') {
			fputs("\\n", out);
		} else {
			fwrite(s, 1, k, out);
		}
		s += k;
		n -= k;
	}
	fputc('"', out);
}

static void account_series(FILE *out, const char *metric, const struct sg_offender_row *o)
{
	fprintf(out, "%s{uid=\"%u\",user=", metric, o->uid);
	sg_prom_label(out, o->user);
	fputc('}', out);
}

static void accounts(FILE *out, struct sg_report *r)
{
	unsigned n = r->nrows < r->top ? r->nrows : r->top;

	head(out, "smtpguard_offenders", "gauge",
	     "Accounts with at least one would-be refusal on record.");
	fprintf(out, "smtpguard_offenders %u\n", r->nrows);
	sg_report_sort_busiest(r);
	head(out, "smtpguard_offender_attempts_total", "counter",
	     "Would-be refusals per account (the top N accounts only, stats --top).");
	for (unsigned i = 0; i < n; i++) {
		account_series(out, "smtpguard_offender_attempts_total", &r->rows[i]);
		fprintf(out, " %llu\n", (unsigned long long)r->rows[i].rec.count);
	}
	head(out, "smtpguard_offender_last_seen_seconds", "gauge",
	     "Unix time of the account's latest would-be refusal (the top N accounts only).");
	for (unsigned i = 0; i < n; i++) {
		account_series(out, "smtpguard_offender_last_seen_seconds", &r->rows[i]);
		fprintf(out, " %.3f\n", r->rows[i].last_unix);
	}
}

static void counters(FILE *out, const struct sg_report *r)
{
	head(out, "smtpguard_connects_total", "counter",
	     "Stream connects to a guarded port, by verdict and address family.");
	for (size_t v = 0; v < sizeof(verdicts) / sizeof(verdicts[0]); v++)
		for (int f = 0; f < SG_FAM_COUNT; f++)
			fprintf(out, "smtpguard_connects_total{verdict=\"%s\",family=\"%s\"} %llu\n",
				verdicts[v].verdict, fam_name[f], field(&r->fam[f], verdicts[v].off));
	for (size_t e = 0; e < sizeof(events) / sizeof(events[0]); e++) {
		head(out, events[e].metric, "counter", events[e].help);
		fprintf(out, "%s %llu\n", events[e].metric,
			field(&r->fam[0], events[e].off) + field(&r->fam[1], events[e].off));
	}
}

void sg_report_prometheus(FILE *out, struct sg_report *r)
{
	head(out, "smtpguard_loaded", "gauge",
	     "1 when smtpguard's programs are loaded, 0 when nothing is.");
	fprintf(out, "smtpguard_loaded %d\n", r->loaded ? 1 : 0);
	head(out, "smtpguard_build_info", "gauge",
	     "The reporting smtpguard's version and map format.");
	fputs("smtpguard_build_info{version=", out);
	sg_prom_label(out, r->version ? r->version : "");
	fprintf(out, ",format=\"%u\"} 1\n", r->format);
	head(out, "smtpguard_report_timestamp_seconds", "gauge",
	     "Unix time this report was made (a stale textfile shows here).");
	fprintf(out, "smtpguard_report_timestamp_seconds %.3f\n", r->now_unix);
	if (!r->loaded)
		return;
	if (r->mode) {
		head(out, "smtpguard_policy_info", "gauge", "The loaded policy's mode.");
		fputs("smtpguard_policy_info{mode=", out);
		sg_prom_label(out, r->mode);
		fputs("} 1\n", out);
	}
	counters(out, r);
	if (r->have_eg)
		sg_eg_report_prometheus(out, r->eg);
	accounts(out, r);
}
