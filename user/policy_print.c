// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "policy_print.h"

/* Numbers from the config or the kernel maps carry no name: look it up
 * now, when a person or a script asks, not while loading. */
static const char *ident_name(const struct sg_ident *id, bool user, char *buf, size_t len)
{
	if (id->name[0])
		return id->name;
	if (user)
		sg_user_name(id->id, buf, len);
	else
		sg_group_name(id->id, buf, len);
	return buf;
}

static void print_idents_text(FILE *out, const char *label, const struct sg_ident *ids,
			      unsigned n, bool user)
{
	char buf[SG_NAME_MAX];

	fprintf(out, "%-20s", label);
	if (!n)
		fputs(" (none)", out);
	for (unsigned i = 0; i < n; i++) {
		const char *name = ident_name(&ids[i], user, buf, sizeof(buf));

		if (name[0])
			fprintf(out, " %s(%u)", name, ids[i].id);
		else
			fprintf(out, " %u", ids[i].id);
	}
	fputc('\n', out);
}

void sg_print_policy_text(FILE *out, const struct sg_config *cfg)
{
	char buf[SG_ADDRSTRLEN], skipped[SG_SKIPPED_LEN];

	fprintf(out, "%-20s %s\n", "mode:", sg_mode_name(cfg->mode));
	fprintf(out, "%-20s", "ports:");
	for (unsigned i = 0; i < cfg->nports; i++)
		fprintf(out, " %u", cfg->ports[i]);
	fputs(cfg->nports ? "\n" : " (none)\n", out);
	print_idents_text(out, "allow users:", cfg->users, cfg->nusers, true);
	print_idents_text(out, "allow groups:", cfg->groups, cfg->ngroups, false);
	/* names that did not resolve at load: not enforced, so say so */
	sg_config_skipped_summary(cfg, skipped, sizeof(skipped));
	if (skipped[0])
		fprintf(out, "%-20s %s\n", "skipped:", skipped);
	fprintf(out, "%-20s", "allow destinations:");
	for (unsigned i = 0; i < cfg->ndsts; i++) {
		sg_format_prefix(&cfg->dsts[i], buf, sizeof(buf));
		fprintf(out, " %s", buf);
	}
	fputs(cfg->ndsts ? "\n" : " (none)\n", out);
	sg_print_acct_text(out, cfg);
	sg_format_endpoint(&cfg->redirect4, buf, sizeof(buf));
	fprintf(out, "%-20s %s", "redirect to:", buf);
	sg_format_endpoint(&cfg->redirect6, buf, sizeof(buf));
	fprintf(out, " %s%s\n", buf, cfg->mode == SG_MODE_REDIRECT ? "" : " (used in redirect mode)");
	fprintf(out, "%-20s %u per UID per second\n", "event rate:", cfg->event_rate);
	if (cfg->event_rate_total)
		fprintf(out, "%-20s %u per second over all UIDs\n", "event rate total:",
			cfg->event_rate_total);
	else
		fprintf(out, "%-20s unlimited\n", "event rate total:");
	/* issue 14: only when set (the layer is off by default) */
	if (cfg->neg) {
		fprintf(out, "%-20s", "egress guard:");
		for (unsigned i = 0; i < cfg->neg; i++)
			fprintf(out, " %s", cfg->eg_paths[i]);
		fputc('\n', out);
	}
}

static void idents_json(struct sg_json *j, const char *key, const char *idkey,
			const struct sg_ident *ids, unsigned n, bool user)
{
	char buf[SG_NAME_MAX];

	sg_json_key(j, key);
	sg_json_open(j, '[');
	for (unsigned i = 0; i < n; i++) {
		const char *name = ident_name(&ids[i], user, buf, sizeof(buf));

		sg_json_open(j, '{');
		sg_json_kuint(j, idkey, ids[i].id);
		sg_json_kstr(j, "name", name[0] ? name : NULL);
		sg_json_close(j, '}');
	}
	sg_json_close(j, ']');
}

void sg_policy_json(struct sg_json *j, const struct sg_config *cfg)
{
	char buf[SG_ADDRSTRLEN], skipped[SG_SKIPPED_LEN];

	sg_json_kstr(j, "mode", sg_mode_name(cfg->mode));
	sg_json_key(j, "ports");
	sg_json_open(j, '[');
	for (unsigned i = 0; i < cfg->nports; i++)
		sg_json_uint(j, cfg->ports[i]);
	sg_json_close(j, ']');
	idents_json(j, "allow_users", "uid", cfg->users, cfg->nusers, true);
	idents_json(j, "allow_groups", "gid", cfg->groups, cfg->ngroups, false);
	sg_json_key(j, "allow_destinations");
	sg_json_open(j, '[');
	for (unsigned i = 0; i < cfg->ndsts; i++) {
		sg_format_prefix(&cfg->dsts[i], buf, sizeof(buf));
		sg_json_string(j, buf);
	}
	sg_json_close(j, ']');
	sg_acct_json(j, cfg);
	sg_json_key(j, "redirect_to");
	sg_json_open(j, '[');
	sg_format_endpoint(&cfg->redirect4, buf, sizeof(buf));
	sg_json_string(j, buf);
	sg_format_endpoint(&cfg->redirect6, buf, sizeof(buf));
	sg_json_string(j, buf);
	sg_json_close(j, ']');
	sg_json_kuint(j, "event_rate", cfg->event_rate);
	sg_json_kuint(j, "event_rate_total", cfg->event_rate_total);
	sg_config_skipped_summary(cfg, skipped, sizeof(skipped));
	if (skipped[0])
		sg_json_kstr(j, "skipped", skipped);
	if (!cfg->neg)
		return;
	sg_json_key(j, "egress_guard"); /* issue 14: only when set */
	sg_json_open(j, '[');
	for (unsigned i = 0; i < cfg->neg; i++)
		sg_json_string(j, cfg->eg_paths[i]);
	sg_json_close(j, ']');
}
