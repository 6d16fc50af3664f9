// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The new programs of a load: the skeleton opened, the policy written into
 * its read-only data, loaded, and its policy maps filled, all before
 * anything is attached. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "cleanup.h"
#include "kfeatures.h"
#include "loader.h"
#include "sysenv.h"

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* The verifier log comes at WARN level: show it, hide the chatter. */
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !getenv("SMTPGUARD_DEBUG")))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void sg_loader_libbpf_quiet(void)
{
	libbpf_set_print(libbpf_print);
}

/* Room for n entries, at least 64 (an empty hash map may not have 0). */
static __u32 policy_map_size(unsigned n)
{
	return n < 64 ? 64 : n;
}

/* The policy, and where it is loaded, in the programs' read-only data. */
static void write_policy(struct load_ctx *lc, struct smtpguard_bpf *skel)
{
	struct sg_policy pol;

	sg_config_to_policy(lc->cfg, &pol);
	snprintf(pol.loader_version, sizeof(pol.loader_version), "%s", SG_VERSION);
	snprintf(pol.cgroup_path, sizeof(pol.cgroup_path), "%s", lc->cg_path);
	snprintf(pol.pin_dir, sizeof(pol.pin_dir), "%s", lc->args->pin_dir);
	sg_features_apply(skel, &pol, lc->features);
	memcpy((void *)&skel->rodata->policy, &pol, sizeof(pol));
	/* Policy maps are made anew by every load: size them to this policy,
	 * not to the limit, so creating them costs little (a hash map
	 * allocates its buckets for max_entries up front). */
	bpf_map__set_max_entries(skel->maps.sg_allow_uids, policy_map_size(lc->cfg->nusers));
	bpf_map__set_max_entries(skel->maps.sg_allow_gids, policy_map_size(lc->cfg->ngroups));
}

int sg_loader_load_bpf(struct load_ctx *lc)
{
	_cleanup_skel_ struct smtpguard_bpf *skel = smtpguard_bpf__open();
	char err[SG_ERRLEN];
	int rc;

	if (!skel) {
		rc = -errno;
		sg_err("cannot open the BPF object: %s", strerror(-rc));
		return rc;
	}
	write_policy(lc, skel);
	sg_loader_reuse_history(lc, skel);
	if ((rc = smtpguard_bpf__load(skel))) {
		sg_err("the kernel refused the BPF programs: %s%s", strerror(-rc),
		       sg_eperm_hint(SG_OP_LOAD, -rc));
		return rc;
	}
	if (sg_fill_policy_maps(lc->cfg, bpf_map__fd(skel->maps.sg_allow_uids),
				bpf_map__fd(skel->maps.sg_allow_gids),
				bpf_map__fd(skel->maps.sg_allow_dst4),
				bpf_map__fd(skel->maps.sg_allow_dst6), err, sizeof(err))) {
		sg_err("%s", err);
		return -EIO;
	}
	if (sg_fill_acct_maps(lc->cfg, bpf_map__fd(skel->maps.sg_acct_dst),
			      bpf_map__fd(skel->maps.sg_cgroups), err, sizeof(err))) {
		sg_err("%s", err);
		return -EIO;
	}
	lc->skel = sg_take_ptr(&skel);
	return 0;
}
