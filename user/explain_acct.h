/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Issue 10: explain's steps for allow_user_destinations,
 * allow_group_destinations and allow_cgroups, judged from the LOADED maps
 * (kstate), in the order the BPF program takes them: after allow_groups,
 * the UID's account destinations, then the GID's, then the caller's cgroup
 * and its ancestors.
 */
#ifndef SG_EXPLAIN_ACCT_H
#define SG_EXPLAIN_ACCT_H

#include "explain.h"
#include "kstate.h"

struct sg_ex_acct_ctx {
	const struct sg_kstate *ks;
	bool group;
	const struct sg_acct_dst *hit; /* the entry that allowed, or NULL */
};

struct sg_ex_cgroup_ctx {
	const struct sg_kstate *ks;
	char path[SG_PATH_LEN];        /* --cgroup-path from '/', "" when none */
	uint64_t ids[SG_MAX_CGROUP_LEVEL + 1]; /* its cgroup and ancestors */
	unsigned n;
	const struct sg_cgroup_entry *hit;
};

struct sg_ex_acct_steps {
	struct sg_ex_acct_ctx user, group;
	struct sg_ex_cgroup_ctx cgroup;
	struct sg_ex_extra extra[3];
};

/* Fills s for ks (which must outlive it). cgroup_path: --cgroup-path, or
 * NULL (then no allow_cgroups entry can apply). 0, or -1 said. */
int sg_ex_acct_steps(struct sg_ex_acct_steps *s, const struct sg_kstate *ks,
		     const char *cgroup_path);

#endif
