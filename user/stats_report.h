/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Formatting of counters and offenders: text, JSON (json.h) and the
 * Prometheus text exposition format. Pure (no kernel access), so it is
 * unit-tested. */
#ifndef SG_STATS_REPORT_H
#define SG_STATS_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "names.h"
#include "smtpguard.h"

struct sg_offender_row {
	__u32 uid;
	char user[SG_NAME_MAX];   /* "" when the UID has no name */
	struct sg_offender rec;
	double first_unix, last_unix; /* wall-clock seconds */
};

struct sg_report {
	struct sg_stats fam[SG_FAM_COUNT]; /* summed over CPUs */
	struct sg_offender_row *rows;
	unsigned nrows;    /* all offenders read */
	unsigned top;      /* how many to print */
	const char *mode;  /* enforce/audit/redirect, or NULL when unknown */
	/* issue 11 (Prometheus) */
	bool loaded;       /* false: only the header metrics are reported */
	const char *version; /* this smtpguard's */
	unsigned format;     /* map format */
	double now_unix;     /* when the report is made */
	/* issue 14: the egress layer's counters, when it has any */
	bool have_eg;
	struct sg_eg_stats eg[SG_FAM_COUNT];
};

/* Sorts rows busiest first (ties: most recent first). */
void sg_report_sort_busiest(struct sg_report *r);
void sg_report_text(FILE *out, struct sg_report *r);
void sg_report_json(FILE *out, struct sg_report *r);
struct sg_json;
/* One offender record as a JSON object. */
void sg_offender_json(struct sg_json *j, const struct sg_offender_row *o);
/* stats_user.c (issue 11): stats --user, the one account uid (named user,
 * "" when it has no name): its record among r's rows, or that it has none. */
void sg_report_user_text(FILE *out, const struct sg_report *r, __u32 uid, const char *user);
void sg_report_user_json(FILE *out, const struct sg_report *r, __u32 uid, const char *user);
/* stats_prom.c */
void sg_report_prometheus(FILE *out, struct sg_report *r);
/* A quoted label value: escaped, valid UTF-8 (bad bytes become U+FFFD). */
void sg_prom_label(FILE *out, const char *s);

#endif
