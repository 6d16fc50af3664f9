// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The one line a successful load or reload prints (the units' journal and
 * the tests read it). */
#include <stdio.h>
#include "loader.h"

static const char *plural(unsigned n)
{
	return n == 1 ? "" : "s";
}

void sg_loader_report(const struct load_ctx *lc)
{
	const struct sg_config *c = lc->cfg;

	printf("smtpguard: %s (%s) on %s%s: %u port%s, %u user%s, %u group%s, %u destination%s\n",
	       lc->was_loaded ? "policy updated" : "loaded", sg_mode_name(c->mode), lc->cg_path,
	       lc->method == SG_METHOD_LINK ? " (bpf_link)" : "",
	       c->nports, plural(c->nports), c->nusers, plural(c->nusers),
	       c->ngroups, plural(c->ngroups), c->ndsts, plural(c->ndsts));
}
