/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* issue 14: the egress layer's counters as text, JSON and Prometheus
 * (egress_report.c, pure), next to the connect counters in stats and
 * status. */
#ifndef SG_EGRESS_REPORT_H
#define SG_EGRESS_REPORT_H

#include <stdio.h>
#include <linux/types.h>
#include "json.h"
#include "smtpguard.h"

/* A table in the style of the connect counters, under "egress layer". */
void sg_eg_report_text(FILE *out, const struct sg_eg_stats eg[SG_FAM_COUNT]);
/* "egress": {"ipv4": {...}, "ipv6": {...}} as a member of an open object. */
void sg_eg_report_json(struct sg_json *j, const struct sg_eg_stats eg[SG_FAM_COUNT]);
/* smtpguard_egress_*_total{family="ipv4|ipv6"} counters. */
void sg_eg_report_prometheus(FILE *out, const struct sg_eg_stats eg[SG_FAM_COUNT]);

/* status: where the layer's programs are attached; nothing when the layer
 * is off. */
struct sg_eg_kstate;
void sg_eg_status_text(FILE *out, const struct sg_eg_kstate *eg);
/* "egress_layer": [{"path", "sock_create": [ids], "egress": [ids]}...] */
void sg_eg_status_json(struct sg_json *j, const struct sg_eg_kstate *eg);

#endif
