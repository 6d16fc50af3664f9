/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The effective policy as text (for people) or JSON (for scripts). */
#ifndef SG_POLICY_PRINT_H
#define SG_POLICY_PRINT_H

#include <stdio.h>
#include "config.h"
#include "json.h"

void sg_print_policy_text(FILE *out, const struct sg_config *cfg);
/* Writes the policy's members into the object open in j. */
void sg_policy_json(struct sg_json *j, const struct sg_config *cfg);

/* issue 10 (policy_print_acct.c): per-account destinations and allowed
 * cgroups (called by the two above), and the limits (status). */
void sg_print_acct_text(FILE *out, const struct sg_config *cfg);
void sg_acct_json(struct sg_json *j, const struct sg_config *cfg);
void sg_print_limits_text(FILE *out, const struct sg_config *cfg);
void sg_limits_json(struct sg_json *j, const struct sg_config *cfg);

#endif
