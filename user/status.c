// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * status: reports what the kernel enforces, read from the program attached
 * under the pinned links (not from the config file or the pinned maps, which
 * an interrupted command could have left out of step).
 */
#include <stdio.h>
#include <string.h>
#include "cleanup.h"
#include "commands.h"
#include "common.h"
#include "egress_report.h"
#include "kfeatures.h"
#include "kstate.h"
#include "lock.h"
#include "netcls.h"
#include "json.h"
#include "policy_print.h"
#include "sysenv.h"

static void print_text(const struct sg_args *args, const struct sg_kstate *ks)
{
	const struct sg_policy *p = &ks->policy;
	char feat[64];

	printf("%-20s %s\n", "status:", "loaded");
	printf("%-20s %s (id %llu)%s\n", "cgroup:", ks->have_policy ? p->cgroup_path : "?",
	       (unsigned long long)ks->link[0].cgroup_id,
	       ks->have_policy && !strcmp(p->cgroup_path, SG_OWN_CGROUP2)
	       ? ", smtpguard's own cgroup2 mount (no cgroup2 was mounted)" : "");
	printf("%-20s %s%s\n", "attach method:", sg_method_name(ks->method),
	       ks->unverified ? " (attachment not verified: listing a cgroup's programs "
				"needs CAP_NET_ADMIN; the pinned programs are shown)" : "");
	for (int i = 0; i < 2; i++)
		if (ks->method == SG_METHOD_LINK)
			printf("%-20s link %u, program %u\n", i ? "connect6:" : "connect4:",
			       ks->link[i].link_id, ks->link[i].prog_id);
		else
			printf("%-20s program %u\n", i ? "connect6:" : "connect4:",
			       ks->link[i].prog_id);
	printf("%-20s %s%s\n", "pin dir:", args->pin_dir, ks->pins_missing ? " (pins missing)" : "");
	if (ks->have_policy)
		printf("%-20s %.16s (format %u)\n", "loaded by:", p->loader_version, p->format);
	if (ks->have_policy)
		printf("%-20s %s\n", "features:", sg_features_text(p->features, feat, sizeof(feat)));
	sg_print_policy_text(stdout, &ks->cfg);
	sg_print_limits_text(stdout, &ks->cfg);
	sg_eg_status_text(stdout, &ks->eg); /* issue 14 */
}

static void print_json(const struct sg_args *args, const struct sg_kstate *ks)
{
	char feat[64];
	struct sg_json j;

	sg_json_to_file(&j, stdout);
	sg_json_open(&j, '{');
	sg_json_key(&j, "loaded");
	sg_json_bool(&j, true);
	sg_json_key(&j, "cgroup");
	sg_json_stringn(&j, ks->have_policy ? ks->policy.cgroup_path : "",
			sizeof(ks->policy.cgroup_path));
	sg_json_kuint(&j, "cgroup_id", ks->link[0].cgroup_id);
	sg_json_kstr(&j, "attach_method", sg_method_name(ks->method));
	sg_json_key(&j, "attach_verified");
	sg_json_bool(&j, !ks->unverified);
	for (int i = 0; i < 2; i++) {
		sg_json_key(&j, i ? "connect6" : "connect4");
		sg_json_open(&j, '{');
		sg_json_kuint(&j, "link_id", ks->link[i].link_id);
		sg_json_kuint(&j, "prog_id", ks->link[i].prog_id);
		sg_json_close(&j, '}');
	}
	sg_json_kstr(&j, "pin_dir", args->pin_dir);
	sg_json_key(&j, "pins_missing");
	sg_json_bool(&j, ks->pins_missing);
	sg_json_kuint(&j, "format", ks->policy.format);
	sg_json_key(&j, "features");
	sg_json_raw(&j, sg_features_json(ks->policy.features, feat, sizeof(feat)));
	sg_policy_json(&j, &ks->cfg);
	sg_limits_json(&j, &ks->cfg);
	sg_eg_status_json(&j, &ks->eg); /* issue 14 */
	sg_json_close(&j, '}');
	putchar('\n');
}

static void print_not_loaded(const struct sg_args *args)
{
	if (args->json) {
		struct sg_json j;

		sg_json_to_file(&j, stdout);
		sg_json_open(&j, '{');
		sg_json_key(&j, "loaded");
		sg_json_bool(&j, false);
		sg_json_kstr(&j, "pin_dir", args->pin_dir);
		sg_json_close(&j, '}');
		putchar('\n');
	} else {
		printf("status:              not loaded (pin dir %s)\n", args->pin_dir);
	}
}

/* One warning for a state that needs a `load` to repair; 0 or exit 1. */
static int check_consistency(const struct sg_args *args, const struct sg_kstate *ks)
{
	if (!sg_kstate_loaded(ks)) {
		sg_err("partly loaded: only the %s hook is attached; run 'smtpguard load' to repair",
		       ks->link[0].present ? "connect4" : "connect6");
		return SG_EXIT_RUNTIME;
	}
	sg_warn_netcls();
	if (ks->pins_missing)
		sg_warn("enforcing, but the pins in %s are gone (removed, or the bpffs unmounted); "
			"run 'smtpguard load' to pin it again", args->pin_dir);
	else if (ks->link[0].prog_id != ks->pinned_prog_id[0] ||
		 ks->link[1].prog_id != ks->pinned_prog_id[1])
		sg_warn("the pinned programs are not the attached ones (an interrupted "
			"command?); run 'smtpguard load' to repair");
	else if (ks->link[0].nours > 1 || ks->link[1].nours > 1)
		sg_warn("more than one smtpguard program is attached to a hook (an interrupted "
			"command?); run 'smtpguard load' to repair");
	else if (ks->staging_left)
		sg_warn("%d staging pin%s left in %s (an interrupted command?); run "
			"'smtpguard load' to repair", ks->staging_left,
			ks->staging_left == 1 ? "" : "s", args->pin_dir);
	return SG_EXIT_OK;
}

int sg_cmd_status(const struct sg_args *args)
{
	_cleanup_kstate_ struct sg_kstate ks = SG_KSTATE_INIT;
	_cleanup_close_ int lock = -1;
	int rc;

	if (sg_check_userns())
		return SG_EXIT_RUNTIME;
	/* A shared lock: never read a state a load is half-way through. */
	lock = sg_lock_shared();
	/* With the pins gone the programs are still attached: they are looked
	 * for on the cgroup (--cgroup, else the cgroup v2 root). A state that
	 * cannot be read is an error (said), never "not loaded". */
	if ((rc = sg_kstate_read_for(args->pin_dir, args->cgroup, 0, &ks)))
		return sg_kstate_exit(rc);
	if (!sg_kstate_any(&ks)) {
		print_not_loaded(args);
		return SG_EXIT_NOT_LOADED;
	}
	rc = check_consistency(args, &ks);
	if (args->json)
		print_json(args, &ks);
	else
		print_text(args, &ks);
	return rc;
}
