// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* issue 14: the egress layer's counters (see egress_report.h). */
#include <stddef.h>
#include <string.h>
#include "egress_report.h"
#include "kstate.h"

/* verdict: the label of the row in smtpguard_egress_syns_total, NULL for
 * a row that is a metric of its own (metric, help). */
static const struct {
	size_t off;
	const char *field, *label, *verdict, *metric, *help;
} rows[] = {
	{ offsetof(struct sg_eg_stats, seen), "seen", "guarded SYNs", NULL, NULL, NULL },
	{ offsetof(struct sg_eg_stats, allowed_dst), "allowed_dst", "allowed: destination",
	  "allowed_destination", NULL, NULL },
	{ offsetof(struct sg_eg_stats, allowed_uid), "allowed_uid", "allowed: owner user",
	  "allowed_user", NULL, NULL },
	{ offsetof(struct sg_eg_stats, allowed_gid), "allowed_gid", "allowed: owner group",
	  "allowed_group", NULL, NULL },
	{ offsetof(struct sg_eg_stats, allowed_acct_dst), "allowed_acct_dst",
	  "allowed: account destination", "allowed_account_destination", NULL, NULL },
	{ offsetof(struct sg_eg_stats, allowed_cgroup), "allowed_cgroup", "allowed: cgroup",
	  "allowed_cgroup", NULL, NULL },
	{ offsetof(struct sg_eg_stats, dropped), "dropped", "dropped", "dropped", NULL, NULL },
	{ offsetof(struct sg_eg_stats, audited), "audited", "audited", "audited", NULL, NULL },
	{ offsetof(struct sg_eg_stats, unowned), "unowned", "of those: no owner", NULL,
	  "smtpguard_egress_unowned_total",
	  "Dropped or audited SYNs of sockets created before the layer was loaded." },
	{ offsetof(struct sg_eg_stats, events), "events", "events", NULL,
	  "smtpguard_egress_events_total", "Event records the egress layer wrote." },
	{ offsetof(struct sg_eg_stats, suppressed), "suppressed", "events suppressed", NULL,
	  "smtpguard_egress_events_suppressed_total",
	  "Egress events dropped by the per-UID rate limit or the global budget." },
	{ offsetof(struct sg_eg_stats, lost), "lost", "events lost", NULL,
	  "smtpguard_egress_events_lost_total", "Egress events dropped because the buffer was full." },
};

static const char *const fams[SG_FAM_COUNT] = { "ipv4", "ipv6" };

static unsigned long long value(const struct sg_eg_stats *s, size_t i)
{
	__u64 v;

	memcpy(&v, (const char *)s + rows[i].off, sizeof(v));
	return v;
}

void sg_eg_report_text(FILE *out, const struct sg_eg_stats eg[SG_FAM_COUNT])
{
	fprintf(out, "\n%-22s %14s %14s %14s\n", "egress layer", "ipv4", "ipv6", "total");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		fprintf(out, "%-22s %14llu %14llu %14llu\n", rows[i].label, value(&eg[0], i),
			value(&eg[1], i), value(&eg[0], i) + value(&eg[1], i));
}

void sg_eg_report_json(struct sg_json *j, const struct sg_eg_stats eg[SG_FAM_COUNT])
{
	sg_json_key(j, "egress");
	sg_json_open(j, '{');
	for (int f = 0; f < SG_FAM_COUNT; f++) {
		sg_json_key(j, fams[f]);
		sg_json_open(j, '{');
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			sg_json_kuint(j, rows[i].field, value(&eg[f], i));
		sg_json_close(j, '}');
	}
	sg_json_close(j, '}');
}

/* As the connect counters: one metric with verdict and family labels (the
 * verdicts add up to every guarded SYN), the rest one metric each. */
void sg_eg_report_prometheus(FILE *out, const struct sg_eg_stats eg[SG_FAM_COUNT])
{
	fputs("# HELP smtpguard_egress_syns_total TCP SYNs to a guarded port from an "
	      "egress_guard cgroup, by verdict and address family.\n"
	      "# TYPE smtpguard_egress_syns_total counter\n", out);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		for (int f = 0; rows[i].verdict && f < SG_FAM_COUNT; f++)
			fprintf(out, "smtpguard_egress_syns_total{verdict=\"%s\",family=\"%s\"} %llu\n",
				rows[i].verdict, fams[f], value(&eg[f], i));
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (!rows[i].metric)
			continue;
		fprintf(out, "# HELP %s %s\n# TYPE %s counter\n", rows[i].metric, rows[i].help,
			rows[i].metric);
		for (int f = 0; f < SG_FAM_COUNT; f++)
			fprintf(out, "%s{family=\"%s\"} %llu\n", rows[i].metric, fams[f], value(&eg[f], i));
	}
}

void sg_eg_status_text(FILE *out, const struct sg_eg_kstate *eg)
{
	bool any = false;

	for (unsigned i = 0; i < eg->n; i++) {
		const struct sg_eg_at *at = &eg->at[i];

		if (!at->nsock && !at->nskb)
			continue;
		fprintf(out, "%-20s %s (sock_create program %u, egress program %u%s)\n",
			any ? "" : "egress layer:", at->path, at->nsock ? at->sock[0] : 0,
			at->nskb ? at->skb[0] : 0,
			at->nsock > 1 || at->nskb > 1 ? ", and leftovers: run 'smtpguard load'" : "");
		any = true;
	}
	/* a policy that names cgroups with nothing attached there: say so */
	if (!any && eg->n)
		fprintf(out, "%-20s not attached: run 'smtpguard load'\n", "egress layer:");
}

static void ids_json(struct sg_json *j, const char *key, const __u32 *ids, unsigned n)
{
	sg_json_key(j, key);
	sg_json_open(j, '[');
	for (unsigned i = 0; i < n; i++)
		sg_json_uint(j, ids[i]);
	sg_json_close(j, ']');
}

void sg_eg_status_json(struct sg_json *j, const struct sg_eg_kstate *eg)
{
	if (!eg->n)
		return; /* off: the output is what it was before the layer existed */
	sg_json_key(j, "egress_layer");
	sg_json_open(j, '[');
	for (unsigned i = 0; i < eg->n; i++) {
		const struct sg_eg_at *at = &eg->at[i];

		if (!at->nsock && !at->nskb)
			continue;
		sg_json_open(j, '{');
		sg_json_kstr(j, "path", at->path);
		ids_json(j, "sock_create", at->sock, at->nsock);
		ids_json(j, "egress", at->skb, at->nskb);
		sg_json_close(j, '}');
	}
	sg_json_close(j, ']');
}
