/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The effective policy as text (for people) or JSON (for scripts). */
#ifndef SG_POLICY_PRINT_H
#define SG_POLICY_PRINT_H

#include <stdio.h>
#include "config.h"

void sg_print_policy_text(FILE *out, const struct sg_config *cfg);
/* Prints the policy's JSON members (no surrounding braces). */
void sg_print_policy_json(FILE *out, const struct sg_config *cfg);
/* A JSON string literal, escaped. */
void sg_json_str(FILE *out, const char *s);

#endif
