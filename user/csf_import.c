// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* import-csf: CSF's SMTP settings to an smtpguard config (see csf_import.h).
 * Every difference between what csf does and what the output does is said
 * in a comment of the output, where the admin reviews it. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "csf_import.h"
#include <linux/types.h>
#include "smtpguard.h"

static const char *const names[SG_CSF_NKEYS] = {
	[SG_CSF_BLOCK] = "SMTP_BLOCK", [SG_CSF_ALLOWLOCAL] = "SMTP_ALLOWLOCAL",
	[SG_CSF_PORTS] = "SMTP_PORTS", [SG_CSF_ALLOWUSER] = "SMTP_ALLOWUSER",
	[SG_CSF_ALLOWGROUP] = "SMTP_ALLOWGROUP", [SG_CSF_REDIRECT] = "SMTP_REDIRECT",
	[SG_CSF_REDIRECT6] = "SMTP_REDIRECT6", [SG_CSF_IPV6] = "IPV6",
};

#define MAX_CSF_LINE 65536

/* One line of csf.conf; 0, or -1 with err. */
static int csf_line(const char *path, unsigned lineno, char *line, struct sg_csf *c,
		    char *err, size_t errlen)
{
	char *eq = strchr(line, '='), *q1, *q2, name[64];
	size_t n = 0;

	if (!line[0] || line[0] == ' ' || line[0] == '\t' || line[0] == '#' || !eq)
		return 0;
	for (char *p = line; p < eq && n + 1 < sizeof(name); p++)
		if (*p != ' ' && *p != '\t')
			name[n++] = *p;
	name[n] = '\0';
	for (int k = 0; k < SG_CSF_NKEYS; k++) {
		if (strcmp(name, names[k]))
			continue;
		q1 = strchr(eq + 1, '"');
		q2 = strrchr(eq + 1, '"');
		if (!q1 || q2 == q1) {
			snprintf(err, errlen, "%s:%u: %s: the value must be in double quotes "
				 "(csf refuses this line too)", path, lineno, name);
			return -1;
		}
		if (c->line[k]) {
			snprintf(err, errlen, "%s:%u: %s is set twice (first on line %u; csf "
				 "refuses this too)", path, lineno, name, c->line[k]);
			return -1;
		}
		snprintf(c->value[k], sizeof(c->value[k]), "%.*s", (int)(q2 - q1 - 1), q1 + 1);
		c->line[k] = lineno;
	}
	return 0;
}

int sg_csf_parse(const char *path, const char *text, size_t len, struct sg_csf *c,
		 char *err, size_t errlen)
{
	static char line[MAX_CSF_LINE];
	unsigned lineno = 0;
	size_t pos = 0;

	memset(c, 0, sizeof(*c));
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = (nl ? (size_t)(nl - text) : len) - pos;

		lineno++;
		if (n >= sizeof(line))
			n = sizeof(line) - 1; /* no setting of ours is that long */
		memcpy(line, text + pos, n);
		line[n] = '\0';
		line[strcspn(line, "\r")] = '\0';
		if (csf_line(path, lineno, line, c, err, errlen))
			return -1;
		pos += (nl ? (size_t)(nl - text) : len) - pos + 1;
	}
	return 0;
}

/* Perl truth, as csf tests its flags: "" and "0" are false. */
static bool truthy(const char *v)
{
	return v[0] && strcmp(v, "0");
}

/* The items of a csf list: blanks removed, split at ','. Empty items are
 * skipped (csf's split gives them, and getpwnam("") finds nothing). */
static unsigned split(const char *value, char items[][128], unsigned max)
{
	unsigned n = 0;
	size_t len = 0;

	for (const char *p = value;; p++) {
		if (*p == ' ' || *p == '\t')
			continue;
		if (*p == ',' || !*p) {
			if (len && n < max) {
				items[n][len < 127 ? len : 127] = '\0';
				n++;
			}
			len = 0;
			if (!*p)
				break;
			continue;
		}
		if (n < max && len < 127)
			items[n][len] = *p;
		len++;
	}
	return n;
}

/* Account names smtpguard's config can carry (no separators, comments or
 * '=' in them). */
static bool plain_name(const char *s)
{
	if (!*s || strlen(s) >= 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._-$@", *s)))
			return false;
	return true;
}

#define MAX_ITEMS 1024

static void ports_line(const struct sg_csf *c, FILE *out)
{
	static char items[MAX_ITEMS][128];
	unsigned n = split(c->value[SG_CSF_PORTS], items, MAX_ITEMS), kept = 0;
	uint16_t ports[SG_MAX_PORTS];
	char line[SG_MAX_PORTS * 8] = "";

	for (unsigned i = 0; i < n; i++) {
		unsigned long v = 0;
		const char *s = items[i];
		bool num = *s && strspn(s, "0123456789") == strlen(s) && strlen(s) <= 5;
		bool dup = false;

		if (num)
			v = strtoul(s, NULL, 10);
		if (!num || v < 1 || v > 65535) {
			fprintf(out, "# SMTP_PORTS item '%s' not carried over: %s\n", s,
				strchr(s, ':') ? "a port range; list its ports one by one"
					       : "not a port number");
			continue;
		}
		for (unsigned k = 0; k < kept; k++)
			dup |= ports[k] == v;
		if (dup)
			continue;
		if (kept == SG_MAX_PORTS) {
			fprintf(out, "# SMTP_PORTS port %lu not carried over: smtpguard guards at "
				"most %d ports\n", v, SG_MAX_PORTS);
			continue;
		}
		ports[kept++] = (uint16_t)v;
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%lu",
			 kept > 1 ? ", " : "", v);
	}
	if (!kept)
		fprintf(out, "# SMTP_PORTS names no port: csf then adds no SMTP rule at all, "
			"so nothing is guarded here either\n");
	fprintf(out, "ports =%s%s\n", kept ? " " : "", line);
}

/* allow_users / allow_groups from csf's list. root (UID 0) is always
 * allowed by csf; its `if ($uid)` / `if ($gid)` skips id 0 in the lists, and
 * a name that does not resolve is skipped as well. */
static void ids_line(const struct sg_csf *c, bool user, sg_csf_lookup lookup, void *ctx,
		     FILE *out)
{
	static char items[MAX_ITEMS][128];
	static uint32_t seen[MAX_ITEMS];
	enum sg_csf_key k = user ? SG_CSF_ALLOWUSER : SG_CSF_ALLOWGROUP;
	unsigned n = split(c->value[k], items, MAX_ITEMS), kept = 0;
	char line[MAX_ITEMS * 20];
	size_t len;

	snprintf(line, sizeof(line), "%s =%s", user ? "allow_users" : "allow_groups",
		 user ? " root" : "");
	if (user)
		fprintf(out, "# csf always lets root (UID 0) through\n");
	for (unsigned i = 0; i < n; i++) {
		uint32_t id;
		bool dup = false;

		if (!plain_name(items[i])) {
			fprintf(out, "# %s item '%s' not carried over: not an account name\n",
				names[k], items[i]);
			continue;
		}
		/* csf looks "1000" up as a name; smtpguard would take it for an id */
		if (strspn(items[i], "0123456789") == strlen(items[i])) {
			fprintf(out, "# %s item '%s' not carried over: csf takes it for a name, "
				"smtpguard would take it for an id\n", names[k], items[i]);
			continue;
		}
		if (lookup(ctx, items[i], user, &id)) {
			fprintf(out, "# %s item '%s' not carried over: no such %s here (csf "
				"skips it too)\n", names[k], items[i], user ? "user" : "group");
			continue;
		}
		if (id == 0) {
			if (!user)
				fprintf(out, "# SMTP_ALLOWGROUP item '%s' not carried over: csf "
					"skips GID 0\n", items[i]);
			continue;
		}
		for (unsigned j = 0; j < kept; j++)
			dup |= seen[j] == id;
		if (dup)
			continue;
		seen[kept++] = id;
		len = strlen(line);
		snprintf(line + len, sizeof(line) - len, "%s%s", kept > 1 || user ? ", " : " ",
			 items[i]);
	}
	fprintf(out, "%s\n", line);
}

static void destinations_line(const struct sg_csf *c, FILE *out)
{
	if (truthy(c->value[SG_CSF_ALLOWLOCAL])) {
		fprintf(out, "# SMTP_ALLOWLOCAL = \"%s\": csf accepts whatever leaves through the "
			"loopback device, which includes this server's own public addresses: add "
			"them here if scripts connect to them\n", c->value[SG_CSF_ALLOWLOCAL]);
		fprintf(out, "allow_destinations = 127.0.0.0/8, ::1\n");
	} else {
		fprintf(out, "# SMTP_ALLOWLOCAL = \"%s\": no local exception (smtpguard's default "
			"would allow loopback)\n", c->value[SG_CSF_ALLOWLOCAL]);
		fprintf(out, "allow_destinations =\n");
	}
}

static void mode_lines(const struct sg_csf *c, FILE *out)
{
	bool block = truthy(c->value[SG_CSF_BLOCK]);

	if (!truthy(c->value[SG_CSF_IPV6]))
		fprintf(out, "# IPV6 = \"%s\": csf leaves IPv6 SMTP unfiltered; smtpguard judges "
			"IPv6 connects too\n", c->value[SG_CSF_IPV6]);
	if (!block) {
		fprintf(out, "# SMTP_BLOCK = \"%s\": csf does not restrict outbound SMTP at all; "
			"smtpguard has no off switch, so this config starts in audit mode (it "
			"records would-be refusals and refuses nothing): switch to enforce when "
			"'smtpguard log' stays quiet\n", c->value[SG_CSF_BLOCK]);
		if (truthy(c->value[SG_CSF_REDIRECT]))
			fprintf(out, "# SMTP_REDIRECT = \"%s\" not carried over: csf ignores it "
				"while SMTP_BLOCK is off\n", c->value[SG_CSF_REDIRECT]);
		fprintf(out, "mode = audit\n");
		return;
	}
	if (!truthy(c->value[SG_CSF_REDIRECT])) {
		fprintf(out, "mode = enforce\n");
		return;
	}
	fprintf(out, "# SMTP_REDIRECT = \"%s\": csf's REDIRECT keeps each connect's port on "
		"this host (587 stays 587); smtpguard sends every redirected connect to one "
		"endpoint per family, below\n", c->value[SG_CSF_REDIRECT]);
	if (!truthy(c->value[SG_CSF_REDIRECT6]))
		fprintf(out, "# SMTP_REDIRECT6 = \"%s\": csf leaves IPv6 SMTP unfiltered in "
			"redirect mode; smtpguard redirects IPv6 connects too\n",
			c->value[SG_CSF_REDIRECT6]);
	fprintf(out, "mode = redirect\nredirect_to = 127.0.0.1:25, [::1]:25\n");
}

void sg_csf_translate(const struct sg_csf *c, const char *path, sg_csf_lookup lookup,
		      void *ctx, FILE *out)
{
	fprintf(out, "# smtpguard config made by 'smtpguard import-csf' from the SMTP settings "
		"of %s.\n# Review it, check it with 'smtpguard check-config FILE', then turn "
		"csf's SMTP_BLOCK off.\n", path);
	ports_line(c, out);
	ids_line(c, true, lookup, ctx, out);
	ids_line(c, false, lookup, ctx, out);
	destinations_line(c, out);
	mode_lines(c, out);
}
