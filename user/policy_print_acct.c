// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Issue 10's part of the policy as text and JSON: per-account destinations,
 * allowed cgroups and the limits they are held to. */
#include "policy_print.h"

static void print_acct_kind(FILE *out, const char *label, const struct sg_config *cfg,
			    bool group)
{
	char buf[SG_NAME_MAX + SG_ADDRSTRLEN + 16];
	unsigned n = 0;

	fprintf(out, "%-20s", label);
	for (unsigned i = 0; i < cfg->nacct; i++) {
		if (cfg->acct[i].group != group)
			continue;
		sg_format_acct(&cfg->acct[i], buf, sizeof(buf));
		fprintf(out, "%s %s (line %u)", n++ ? "," : "", buf, cfg->acct[i].line);
	}
	fputs(n ? "\n" : " (none)\n", out);
}

void sg_print_acct_text(FILE *out, const struct sg_config *cfg)
{
	print_acct_kind(out, "allow user dests:", cfg, false);
	print_acct_kind(out, "allow group dests:", cfg, true);
	fprintf(out, "%-20s", "allow cgroups:");
	for (unsigned i = 0; i < cfg->ncgroups; i++)
		fprintf(out, "%s %s (id %llu, line %u)", i ? "," : "", cfg->cgroups[i].path,
			(unsigned long long)cfg->cgroups[i].id, cfg->cgroups[i].line);
	fputs(cfg->ncgroups ? "\n" : " (none)\n", out);
}

static void acct_json(struct sg_json *j, const char *key, const struct sg_config *cfg,
		      bool group)
{
	char name[SG_NAME_MAX], pfx[SG_ADDRSTRLEN];

	sg_json_key(j, key);
	sg_json_open(j, '[');
	for (unsigned i = 0; i < cfg->nacct; i++) {
		const struct sg_acct_dst *a = &cfg->acct[i];

		if (a->group != group)
			continue;
		snprintf(name, sizeof(name), "%s", a->name);
		if (!name[0])
			(group ? sg_group_name : sg_user_name)(a->id, name, sizeof(name));
		sg_format_prefix(&a->dst, pfx, sizeof(pfx));
		sg_json_open(j, '{');
		sg_json_kuint(j, group ? "gid" : "uid", a->id);
		sg_json_kstr(j, "name", name[0] ? name : NULL);
		sg_json_kstr(j, "destination", pfx);
		sg_json_key(j, "port");
		if (a->port)
			sg_json_uint(j, a->port);
		else
			sg_json_null(j);
		sg_json_kuint(j, "line", a->line);
		sg_json_close(j, '}');
	}
	sg_json_close(j, ']');
}

void sg_acct_json(struct sg_json *j, const struct sg_config *cfg)
{
	acct_json(j, "allow_user_destinations", cfg, false);
	acct_json(j, "allow_group_destinations", cfg, true);
	sg_json_key(j, "allow_cgroups");
	sg_json_open(j, '[');
	for (unsigned i = 0; i < cfg->ncgroups; i++) {
		sg_json_open(j, '{');
		sg_json_kstr(j, "path", cfg->cgroups[i].path);
		sg_json_kuint(j, "id", cfg->cgroups[i].id);
		sg_json_kuint(j, "line", cfg->cgroups[i].line);
		sg_json_close(j, '}');
	}
	sg_json_close(j, ']');
}

void sg_print_limits_text(FILE *out, const struct sg_config *cfg)
{
	fprintf(out, "%-20s ports %u/%d, users %u/%d, groups %u/%d, destinations %d per family, "
		"account destinations %u/%d (trie entries %lu/%d), cgroups %u/%d\n", "limits:",
		cfg->nports, SG_MAX_PORTS, cfg->nusers, SG_MAX_UIDS, cfg->ngroups, SG_MAX_GIDS,
		SG_MAX_PREFIXES, cfg->nacct, SG_MAX_ACCT_DSTS, sg_config_acct_keys(cfg),
		SG_MAX_ACCT_KEYS, cfg->ncgroups, SG_MAX_CGROUPS);
}

static void limit_json(struct sg_json *j, const char *key, unsigned long used, unsigned long max)
{
	sg_json_key(j, key);
	sg_json_open(j, '{');
	sg_json_kuint(j, "used", used);
	sg_json_kuint(j, "max", max);
	sg_json_close(j, '}');
}

void sg_limits_json(struct sg_json *j, const struct sg_config *cfg)
{
	sg_json_key(j, "limits");
	sg_json_open(j, '{');
	limit_json(j, "ports", cfg->nports, SG_MAX_PORTS);
	limit_json(j, "users", cfg->nusers, SG_MAX_UIDS);
	limit_json(j, "groups", cfg->ngroups, SG_MAX_GIDS);
	sg_json_kuint(j, "destinations_per_family", SG_MAX_PREFIXES);
	limit_json(j, "account_destinations", cfg->nacct, SG_MAX_ACCT_DSTS);
	limit_json(j, "account_trie_entries", sg_config_acct_keys(cfg), SG_MAX_ACCT_KEYS);
	limit_json(j, "cgroups", cfg->ncgroups, SG_MAX_CGROUPS);
	sg_json_close(j, '}');
}
