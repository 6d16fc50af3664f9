// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "policy_print.h"

void sg_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

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
	sg_format_endpoint(&cfg->redirect4, buf, sizeof(buf));
	fprintf(out, "%-20s %s", "redirect to:", buf);
	sg_format_endpoint(&cfg->redirect6, buf, sizeof(buf));
	fprintf(out, " %s%s\n", buf, cfg->mode == SG_MODE_REDIRECT ? "" : " (used in redirect mode)");
	fprintf(out, "%-20s %u per UID per second\n", "event rate:", cfg->event_rate);
}

static void print_idents_json(FILE *out, const char *key, const char *idkey,
			      const struct sg_ident *ids, unsigned n, bool user)
{
	char buf[SG_NAME_MAX];

	fprintf(out, "\"%s\":[", key);
	for (unsigned i = 0; i < n; i++) {
		const char *name = ident_name(&ids[i], user, buf, sizeof(buf));

		fprintf(out, "%s{\"%s\":%u,\"name\":", i ? "," : "", idkey, ids[i].id);
		if (name[0])
			sg_json_str(out, name);
		else
			fputs("null", out);
		fputc('}', out);
	}
	fputs("]", out);
}

void sg_print_policy_json(FILE *out, const struct sg_config *cfg)
{
	char buf[SG_ADDRSTRLEN], skipped[SG_SKIPPED_LEN];

	fprintf(out, "\"mode\":\"%s\",\"ports\":[", sg_mode_name(cfg->mode));
	for (unsigned i = 0; i < cfg->nports; i++)
		fprintf(out, "%s%u", i ? "," : "", cfg->ports[i]);
	fputs("],", out);
	print_idents_json(out, "allow_users", "uid", cfg->users, cfg->nusers, true);
	fputc(',', out);
	print_idents_json(out, "allow_groups", "gid", cfg->groups, cfg->ngroups, false);
	fputs(",\"allow_destinations\":[", out);
	for (unsigned i = 0; i < cfg->ndsts; i++) {
		sg_format_prefix(&cfg->dsts[i], buf, sizeof(buf));
		fprintf(out, "%s\"%s\"", i ? "," : "", buf);
	}
	sg_format_endpoint(&cfg->redirect4, buf, sizeof(buf));
	fprintf(out, "],\"redirect_to\":[\"%s\",", buf);
	sg_format_endpoint(&cfg->redirect6, buf, sizeof(buf));
	fprintf(out, "\"%s\"],\"event_rate\":%u", buf, cfg->event_rate);
	sg_config_skipped_summary(cfg, skipped, sizeof(skipped));
	if (skipped[0]) {
		fputs(",\"skipped\":", out);
		sg_json_str(out, skipped);
	}
}
