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

#endif
