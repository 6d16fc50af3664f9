// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>
#include "common.h"
#include "explain_acct.h"
#include "sysenv.h"

static bool has_acct(const struct sg_kstate *ks, bool group)
{
	for (unsigned i = 0; i < ks->cfg.nacct; i++)
		if (ks->cfg.acct[i].group == group)
			return true;
	return false;
}

/* allow_user_destinations (ctx->group false) / allow_group_destinations */
static int judge_acct(void *ctx, const struct sg_ex_query *q, const uint8_t *addr,
		      uint8_t family, char *text, size_t len)
{
	struct sg_ex_acct_ctx *c = ctx;
	const char *key = c->group ? "allow_group_destinations" : "allow_user_destinations";
	uint32_t id = c->group ? q->gid : q->uid;
	char entry[SG_ADDRSTRLEN + SG_NAME_MAX + 16];

	if (!has_acct(c->ks, c->group))
		return 0; /* nothing configured: nothing to say */
	c->hit = sg_kstate_acct_allows(c->ks, c->group, id, family, addr, q->dst.port);
	if (!c->hit) {
		snprintf(text, len, "no %s entry of %s %u matches", key, c->group ? "gid" : "uid",
			 id);
		return 0;
	}
	sg_format_acct(c->hit, entry, sizeof(entry));
	snprintf(text, len, "%s %s", key, entry);
	return 1;
}

static int judge_cgroup(void *ctx, const struct sg_ex_query *q, const uint8_t *addr,
			uint8_t family, char *text, size_t len)
{
	struct sg_ex_cgroup_ctx *c = ctx;

	(void)q, (void)addr, (void)family;
	if (!c->ks->cfg.ncgroups)
		return 0;
	if (!c->path[0]) {
		snprintf(text, len, "allow_cgroups not applied (no --cgroup-path)");
		return 0;
	}
	c->hit = sg_kstate_cgroup_allows(c->ks, c->ids, c->n);
	if (!c->hit) {
		snprintf(text, len, "cgroup %.300s not in allow_cgroups", c->path);
		return 0;
	}
	snprintf(text, len, "allow_cgroups %.300s", c->hit->path);
	return 1;
}

int sg_ex_acct_steps(struct sg_ex_acct_steps *s, const struct sg_kstate *ks,
		     const char *cgroup_path)
{
	char root[SG_PATH_LEN];

	memset(s, 0, sizeof(*s));
	s->user = (struct sg_ex_acct_ctx){ .ks = ks, .group = false };
	s->group = (struct sg_ex_acct_ctx){ .ks = ks, .group = true };
	s->cgroup.ks = ks;
	if (cgroup_path)
		snprintf(s->cgroup.path, sizeof(s->cgroup.path), "%s%s",
			 cgroup_path[0] == '/' ? "" : "/", cgroup_path);
	/* the program's order: allow_groups, then these three */
	s->extra[0] = (struct sg_ex_extra){ "user_destination", SG_EX_GID, judge_acct, &s->user };
	s->extra[1] = (struct sg_ex_extra){ "group_destination", SG_EX_GID, judge_acct, &s->group };
	s->extra[2] = (struct sg_ex_extra){ "cgroup", SG_EX_GID, judge_cgroup, &s->cgroup };
	if (!cgroup_path || !ks->cfg.ncgroups)
		return 0;
	if (sg_cgroup_root(root, sizeof(root)))
		return -1;
	if (sg_cgroup_ancestry(root, s->cgroup.path, s->cgroup.ids, SG_MAX_CGROUP_LEVEL + 1,
			       &s->cgroup.n)) {
		sg_err("explain: --cgroup-path %.200s: no such cgroup under %s", cgroup_path, root);
		return -1;
	}
	return 0;
}
