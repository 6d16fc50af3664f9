// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Config file parser. Grammar: lines of `key = value`, `#` starts a comment,
 * list values are separated by commas and/or blanks, a list key may be
 * repeated (its values add up), a scalar key may not. A key that never
 * appears keeps its built-in default; `key =` with nothing sets an empty
 * list. Every error names FILE:LINE.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cleanup.h"
#include "common.h"
#include "config.h"
#include "confd.h"
#include "readfile.h"
#include "egress_paths.h"

#define MAX_LINE      (1 << 20) /* one allow_users line may list 10,000s of accounts */
#define MAX_FILE      (16u << 20)
#define MAX_EVENT_RATE 100000
#define MAX_EVENT_RATE_TOTAL 1000000

enum key {
	K_PORTS, K_USERS, K_GROUPS, K_DSTS, K_MODE, K_REDIRECT, K_EVENT_RATE, K_EVENT_RATE_TOTAL,
	K_ACCT_USERS, K_ACCT_GROUPS, K_CGROUPS, /* issue 10 */
	K_EGRESS, /* issue 14 */
	K_COUNT
};

static const struct {
	const char *name;
	bool list;
} keys[K_COUNT] = {
	[K_PORTS] = { "ports", true },
	[K_USERS] = { "allow_users", true },
	[K_GROUPS] = { "allow_groups", true },
	[K_DSTS] = { "allow_destinations", true },
	[K_MODE] = { "mode", false },
	[K_REDIRECT] = { "redirect_to", false },
	[K_EVENT_RATE] = { "event_rate", false },
	[K_EVENT_RATE_TOTAL] = { "event_rate_total", false }, /* issue 11 */
	[K_ACCT_USERS] = { "allow_user_destinations", true },
	[K_ACCT_GROUPS] = { "allow_group_destinations", true },
	[K_CGROUPS] = { "allow_cgroups", true },
	[K_EGRESS] = { "egress_guard", true },
};

static const char *const mode_names[] = {
	[SG_MODE_ENFORCE] = "enforce",
	[SG_MODE_AUDIT] = "audit",
	[SG_MODE_REDIRECT] = "redirect",
};

/* Accounts allowed by default when they exist: root, the MTAs (Exim as
 * packaged by Debian, cPanel and upstream, Sendmail, Postfix) and the list
 * managers (Mailman as packaged by RHEL/cPanel and by Debian). */
static const char *const default_users[] = {
	"root", "exim", "Debian-exim", "mailnull", "postfix", "mailman", "list",
};
static const char *const default_groups[] = { "mail", "mailman" };

const char *sg_mode_name(uint32_t mode)
{
	return mode < ARRAY_LEN(mode_names) ? mode_names[mode] : "unknown";
}

/* The Linux default of net.ipv4.ip_unprivileged_port_start. */
#define DEFAULT_UNPRIV_PORT_START 1024

struct parse {
	const char *path;
	unsigned line;
	unsigned file;          /* index of path in cfg->files */
	char *err;
	size_t errlen;
	struct sg_config *cfg;
	bool lenient_names;
	unsigned unpriv_port_start;
	/* allow_*_destinations: the entry the line's account makes, and
	 * whether that account was unknown (its DESTs are then skipped) */
	struct sg_acct_dst acct;
	bool acct_skip;
};

__attribute__((format(printf, 2, 3)))
static int perr(struct parse *ps, const char *fmt, ...)
{
	char msg[SG_ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errlen, "%s:%u: %s", ps->path, ps->line, msg);
	return -1;
}

int sg_grow(void *arrp, unsigned n, size_t elem)
{
	void **arr = arrp, *a;

	/* room doubles whenever n reaches a power of two */
	if (n & (n - 1))
		return 0;
	a = realloc(*arr, elem * (n ? n * 2 : 8));
	if (!a)
		return -1;
	*arr = a;
	return 0;
}

static int add_ident(struct sg_ident **arr, unsigned *n, unsigned max,
		     uint32_t id, const char *name, unsigned line, unsigned file)
{
	struct sg_ident *a;

	if (*n >= max)
		return -1;
	/* grow in powers of two */
	if ((*n & (*n - 1)) == 0) {
		a = realloc(*arr, sizeof(**arr) * (*n ? *n * 2 : 8));
		if (!a)
			return -1;
		*arr = a;
	}
	a = &(*arr)[(*n)++];
	a->id = id;
	a->line = line;
	a->file = file;
	snprintf(a->name, sizeof(a->name), "%s", name ? name : "");
	return 0;
}

int sg_config_add_user(struct sg_config *cfg, uint32_t uid, const char *name)
{
	return add_ident(&cfg->users, &cfg->nusers, SG_MAX_UIDS, uid, name, 0, 0);
}

int sg_config_add_group(struct sg_config *cfg, uint32_t gid, const char *name)
{
	return add_ident(&cfg->groups, &cfg->ngroups, SG_MAX_GIDS, gid, name, 0, 0);
}

static unsigned count_family(const struct sg_config *cfg, uint8_t family)
{
	unsigned n = 0;

	for (unsigned i = 0; i < cfg->ndsts; i++)
		n += cfg->dsts[i].family == family;
	return n;
}

int sg_config_add_dst(struct sg_config *cfg, const struct sg_prefix *p)
{
	struct sg_prefix *a;

	if (count_family(cfg, p->family) >= SG_MAX_PREFIXES)
		return -1;
	if (sg_grow(&cfg->dsts, cfg->ndsts, sizeof(*a)) ||
	    sg_grow(&cfg->dst_where, cfg->ndsts, sizeof(*cfg->dst_where)))
		return -1;
	cfg->dst_where[cfg->ndsts] = (struct sg_where){ 0, 0 };
	cfg->dsts[cfg->ndsts++] = *p;
	return 0;
}

static void default_endpoints(struct sg_config *cfg)
{
	cfg->redirect4 = (struct sg_endpoint){ .family = 4, .port = 25 };
	inet_pton(AF_INET, "127.0.0.1", cfg->redirect4.addr);
	cfg->redirect6 = (struct sg_endpoint){ .family = 6, .port = 25 };
	inet_pton(AF_INET6, "::1", cfg->redirect6.addr);
}

/* Fill one key with its built-in default. */
static int apply_default(struct sg_config *cfg, enum key k)
{
	struct sg_prefix p;
	char err[SG_ERRLEN];
	uint32_t id;

	switch (k) {
	case K_PORTS:
		cfg->ports[0] = 25;
		cfg->nports = 1;
		break;
	case K_USERS:
		for (size_t i = 0; i < ARRAY_LEN(default_users); i++)
			if (!sg_user_id(default_users[i], &id) || i == 0)
				if (add_ident(&cfg->users, &cfg->nusers, SG_MAX_UIDS,
					      i == 0 ? 0 : id, default_users[i], 0, 0))
					return -1;
		break;
	case K_GROUPS:
		for (size_t i = 0; i < ARRAY_LEN(default_groups); i++)
			if (!sg_group_id(default_groups[i], &id))
				if (sg_config_add_group(cfg, id, default_groups[i]))
					return -1;
		break;
	case K_DSTS:
		if (sg_parse_prefix("127.0.0.0/8", &p, err, sizeof(err)) ||
		    sg_config_add_dst(cfg, &p) ||
		    sg_parse_prefix("::1/128", &p, err, sizeof(err)) ||
		    sg_config_add_dst(cfg, &p))
			return -1;
		break;
	case K_MODE:
		cfg->mode = SG_MODE_ENFORCE;
		break;
	case K_REDIRECT:
		default_endpoints(cfg);
		break;
	case K_EVENT_RATE:
		cfg->event_rate = SG_DEFAULT_EVENT_RATE;
		break;
	case K_EVENT_RATE_TOTAL:
		cfg->event_rate_total = SG_DEFAULT_EVENT_RATE_TOTAL;
		break;
	default:
		break;
	}
	return 0;
}

int sg_config_defaults(struct sg_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->source, sizeof(cfg->source), "(built-in defaults)");
	for (int k = 0; k < K_COUNT; k++)
		if (apply_default(cfg, (enum key)k)) {
			sg_config_free(cfg);
			return -1;
		}
	return 0;
}

void sg_config_free(struct sg_config *cfg)
{
	free(cfg->users);
	free(cfg->groups);
	free(cfg->dsts);
	free(cfg->skipped);
	for (unsigned i = 0; cfg->files && i < cfg->nfiles; i++)
		free(cfg->files[i]);
	free(cfg->files);
	free(cfg->dst_where);
	cfg->dst_where = NULL;
	cfg->files = NULL;
	cfg->nfiles = 0;
	free(cfg->acct);
	free(cfg->cgroups);
	cfg->acct = NULL;
	cfg->cgroups = NULL;
	cfg->nacct = cfg->ncgroups = 0;
	cfg->users = NULL;
	cfg->groups = NULL;
	cfg->dsts = NULL;
	cfg->skipped = NULL;
	cfg->nusers = cfg->ngroups = cfg->ndsts = cfg->nskipped = 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int value_port(struct parse *ps, const char *tok)
{
	struct sg_config *cfg = ps->cfg;
	unsigned long long v;

	if (sg_parse_uint(tok, 65535, &v) || v == 0)
		return perr(ps, "bad port '%s': must be a number from 1 to 65535", tok);
	for (unsigned i = 0; i < cfg->nports; i++)
		if (cfg->ports[i] == v)
			return perr(ps, "duplicate port %llu", v);
	if (cfg->nports >= SG_MAX_PORTS)
		return perr(ps, "too many ports: at most %d", SG_MAX_PORTS);
	cfg->ports[cfg->nports++] = (uint16_t)v;
	return 0;
}

/* Records a name (or cgroup path) that did not resolve (lenient parse).
 * Bounded by the id limits, so a config cannot make it grow without end. */
int sg_config_skip(struct sg_config *cfg, const char *name, unsigned line, unsigned file,
		   bool user, bool cgroup)
{
	struct sg_skipped *a;

	if (cfg->nskipped >= SG_MAX_UIDS + SG_MAX_GIDS + SG_MAX_CGROUPS ||
	    sg_grow(&cfg->skipped, cfg->nskipped, sizeof(*a)))
		return -1;
	a = &cfg->skipped[cfg->nskipped++];
	a->user = user;
	a->cgroup = cgroup;
	a->line = line;
	a->file = file;
	snprintf(a->name, sizeof(a->name), "%s", name);
	return 0;
}

static int add_skipped(struct parse *ps, const char *name, bool user)
{
	if (sg_config_skip(ps->cfg, name, ps->line, ps->file, user, false))
		return perr(ps, "too many unknown names: at most %d",
			    SG_MAX_UIDS + SG_MAX_GIDS + SG_MAX_CGROUPS);
	return 0;
}

/* A user or group, by name (NSS) or by number, into *id and name: 0, 1
 * when the name is unknown and was recorded as skipped (lenient parse), or
 * -1 (said). */
static int resolve_ident(struct parse *ps, const char *tok, bool user, uint32_t *idp,
			 char name[SG_NAME_MAX])
{
	const char *what = user ? "user" : "group";
	unsigned long long v;
	uint32_t id;

	if (all_digits(tok)) {
		/* (uid_t)-1 means "no id" to the kernel: never a valid entry.
		 * No NSS lookup here: 10,000 numeric UIDs would cost seconds;
		 * the printers name them when they print. */
		if (sg_parse_uint(tok, 4294967294ULL, &v))
			return perr(ps, "%s id '%s' out of range (0-4294967294)", what, tok);
		id = (uint32_t)v;
	} else {
		if (strlen(tok) >= SG_NAME_MAX)
			return perr(ps, "%s name '%.32s...' is too long (at most %d characters)",
				    what, tok, SG_NAME_MAX - 1);
		if ((user ? sg_user_id(tok, &id) : sg_group_id(tok, &id))) {
			if (!ps->lenient_names)
				return perr(ps, "unknown %s '%s'", what, tok);
			return add_skipped(ps, tok, user) ? -1 : 1;
		}
		snprintf(name, SG_NAME_MAX, "%s", tok);
	}
	*idp = id;
	return 0;
}

static int value_ident(struct parse *ps, const char *tok, bool user)
{
	struct sg_config *cfg = ps->cfg;
	const char *what = user ? "user" : "group";
	char name[SG_NAME_MAX] = "";
	uint32_t id;
	int rc = resolve_ident(ps, tok, user, &id, name);

	if (rc)
		return rc < 0 ? rc : 0;
	if (user ? add_ident(&cfg->users, &cfg->nusers, SG_MAX_UIDS, id, name, ps->line, ps->file)
		 : add_ident(&cfg->groups, &cfg->ngroups, SG_MAX_GIDS, id, name, ps->line, ps->file))
		return perr(ps, "too many %ss: at most %d", what,
			    user ? SG_MAX_UIDS : SG_MAX_GIDS);
	return 0;
}

static int value_dst(struct parse *ps, const char *tok)
{
	struct sg_config *cfg = ps->cfg;
	char msg[SG_ERRLEN], a[SG_ADDRSTRLEN];
	struct sg_prefix p;

	if (sg_parse_prefix(tok, &p, msg, sizeof(msg)))
		return perr(ps, "%s", msg);
	for (unsigned i = 0; i < cfg->ndsts; i++)
		if (!memcmp(&cfg->dsts[i], &p, sizeof(p))) {
			sg_format_prefix(&p, a, sizeof(a));
			return perr(ps, "duplicate destination %s", a);
		}
	if (sg_config_add_dst(cfg, &p))
		return perr(ps, "too many IPv%u destinations: at most %d", p.family,
			    SG_MAX_PREFIXES);
	cfg->dst_where[cfg->ndsts - 1] = (struct sg_where){ ps->line, ps->file };
	return 0;
}

/* allow_user_destinations / allow_group_destinations (issue 10): the first
 * token of a line names the account, every further one is a DEST for it.
 * An unknown account is skipped like one in allow_users; its DESTs are
 * still checked. */
static int value_acct(struct parse *ps, const char *tok, unsigned ntok, bool group)
{
	struct sg_acct_dst *a = &ps->acct;
	char msg[SG_ERRLEN];
	int rc;

	if (ntok == 1) {
		memset(a, 0, sizeof(*a));
		a->group = group;
		a->line = ps->line;
		a->file = ps->file;
		rc = resolve_ident(ps, tok, !group, &a->id, a->name);
		ps->acct_skip = rc == 1;
		return rc < 0 ? rc : 0;
	}
	if (sg_parse_acct_dst(tok, &a->dst, &a->port, msg, sizeof(msg)))
		return perr(ps, "%s", msg);
	if (!ps->acct_skip && sg_config_add_acct(ps->cfg, a))
		return perr(ps, "too many account destinations: at most %d", SG_MAX_ACCT_DSTS);
	return 0;
}

static int value_cgroup(struct parse *ps, const char *tok)
{
	char msg[SG_ERRLEN];

	if (sg_config_add_cgroup(ps->cfg, tok, ps->line, ps->file, msg, sizeof(msg)))
		return perr(ps, "%s", msg);
	return 0;
}

static int value_mode(struct parse *ps, const char *tok)
{
	for (uint32_t m = 0; m < ARRAY_LEN(mode_names); m++)
		if (!strcmp(tok, mode_names[m])) {
			ps->cfg->mode = m;
			return 0;
		}
	return perr(ps, "bad mode '%s': must be enforce, audit or redirect", tok);
}

static int value_redirect(struct parse *ps, const char *tok, bool *seen4, bool *seen6)
{
	char msg[SG_ERRLEN];
	struct sg_endpoint e;

	if (sg_parse_endpoint(tok, &e, msg, sizeof(msg)))
		return perr(ps, "%s", msg);
	if (e.family == 4 ? *seen4 : *seen6)
		return perr(ps, "redirect_to has two IPv%u endpoints", e.family);
	/* Whoever binds that port first (the MTA restarting is enough of a
	 * window) would receive the redirected mail and SMTP AUTH secrets. */
	if (e.port >= ps->unpriv_port_start)
		return perr(ps, "redirect_to port %u can be bound by any user "
			    "(>= net.ipv4.ip_unprivileged_port_start = %u): a local user "
			    "could harvest redirected mail and credentials",
			    e.port, ps->unpriv_port_start);
	if (e.family == 4) {
		*seen4 = true;
		ps->cfg->redirect4 = e;
	} else {
		*seen6 = true;
		ps->cfg->redirect6 = e;
	}
	return 0;
}

/* event_rate and event_rate_total: a number from 0 to max. */
static int value_rate(struct parse *ps, const char *tok, enum key k, unsigned max,
		      uint32_t *slot)
{
	unsigned long long v;

	if (sg_parse_uint(tok, max, &v))
		return perr(ps, "bad %s '%s': must be a number from 0 to %u",
			    keys[k].name, tok, max);
	*slot = (uint32_t)v;
	return 0;
}

/* issue 14: a cgroup of the egress layer (egress_paths.c) */
static int value_egress(struct parse *ps, const char *tok)
{
	char path[SG_PATH_LEN], msg[SG_ERRLEN];

	if (sg_eg_path_norm(tok, path, sizeof(path), msg, sizeof(msg)) ||
	    sg_eg_add(ps->cfg, path, ps->line, ps->file, msg, sizeof(msg)))
		return perr(ps, "%s", msg);
	return 0;
}

static bool is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t';
}

/* Calls the key's handler for each comma/blank separated token of value. */
static int parse_value(struct parse *ps, enum key k, char *value)
{
	bool seen4 = false, seen6 = false;
	unsigned ntok = 0;
	char *p = value;
	int rc = 0;

	while (*p && !rc) {
		char *tok;

		while (is_sep(*p))
			p++;
		if (!*p)
			break;
		tok = p;
		while (*p && !is_sep(*p))
			p++;
		if (*p)
			*p++ = '\0';
		ntok++;
		if (!keys[k].list && ntok > 1 && k != K_REDIRECT)
			return perr(ps, "'%s' takes one value", keys[k].name);
		switch (k) {
		case K_PORTS: rc = value_port(ps, tok); break;
		case K_USERS: rc = value_ident(ps, tok, true); break;
		case K_GROUPS: rc = value_ident(ps, tok, false); break;
		case K_DSTS: rc = value_dst(ps, tok); break;
		case K_MODE: rc = value_mode(ps, tok); break;
		case K_REDIRECT: rc = value_redirect(ps, tok, &seen4, &seen6); break;
		case K_EVENT_RATE:
			rc = value_rate(ps, tok, k, MAX_EVENT_RATE, &ps->cfg->event_rate);
			break;
		case K_EVENT_RATE_TOTAL:
			rc = value_rate(ps, tok, k, MAX_EVENT_RATE_TOTAL, &ps->cfg->event_rate_total);
			break;
		case K_ACCT_USERS: rc = value_acct(ps, tok, ntok, false); break;
		case K_ACCT_GROUPS: rc = value_acct(ps, tok, ntok, true); break;
		case K_CGROUPS: rc = value_cgroup(ps, tok); break;
		case K_EGRESS: rc = value_egress(ps, tok); break;
		default: break;
		}
	}
	if (!rc && ntok == 0 && !keys[k].list)
		return perr(ps, "'%s' needs a value", keys[k].name);
	if (!rc && ntok == 1 && (k == K_ACCT_USERS || k == K_ACCT_GROUPS))
		return perr(ps, "'%s' needs an account and at least one destination",
			    keys[k].name);
	return rc;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int cmp_ident(const void *a, const void *b)
{
	const struct sg_ident *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

const char *sg_config_file(const struct sg_config *cfg, unsigned file)
{
	return cfg->files && file < cfg->nfiles ? cfg->files[file] : cfg->source;
}

/* Where the first of two entries is, seen from the file of the second:
 * "on line 3" in the same file, "at /etc/smtpguard/conf.d/a.conf:3" else. */
void sg_config_also_at(const struct sg_config *cfg, unsigned here, unsigned file,
		       unsigned line, char *buf, size_t len)
{
	if (file == here)
		snprintf(buf, len, "on line %u", line);
	else
		snprintf(buf, len, "at %s:%u", sg_config_file(cfg, file), line);
}

/* An id listed twice is a typo or a stale line: say where. */
static int check_duplicates(struct parse *ps, struct sg_ident *arr, unsigned n,
			    const char *what)
{
	struct sg_ident *s;
	int rc = 0;

	if (n < 2)
		return 0;
	s = malloc(sizeof(*s) * n);
	if (!s)
		return perr(ps, "out of memory");
	memcpy(s, arr, sizeof(*s) * n);
	qsort(s, n, sizeof(*s), cmp_ident);
	for (unsigned i = 1; i < n && !rc; i++)
		if (s[i].id == s[i - 1].id) {
			char name[SG_NAME_MAX];

			/* either entry may be numeric (no name stored) */
			snprintf(name, sizeof(name), "%s", s[i].name[0] ? s[i].name : s[i - 1].name);
			if (!name[0] && !strcmp(what, "user"))
				sg_user_name(s[i].id, name, sizeof(name));
			else if (!name[0])
				sg_group_name(s[i].id, name, sizeof(name));
			char also[SG_ERRLEN];

			/* sorted by id, then file and line: the later one is at fault */
			sg_config_also_at(ps->cfg, s[i].file, s[i - 1].file, s[i - 1].line, also, sizeof(also));
			ps->line = s[i].line;
			ps->path = sg_config_file(ps->cfg, s[i].file);
			rc = perr(ps, "%s %s%s%u is listed twice (also %s)", what,
				  name, name[0] ? " / id " : "id ", s[i].id, also);
		}
	free(s);
	return rc;
}

/* Where each key was first set, across all files. */
struct seen {
	bool set[K_COUNT];
	unsigned line[K_COUNT], file[K_COUNT];
};

static int parse_line(struct parse *ps, char *line, struct seen *seen)
{
	char *hash = strchr(line, '#'), *eq, *key, *value;
	int k;

	if (hash)
		*hash = '\0';
	line = trim(line);
	if (!*line)
		return 0;
	eq = strchr(line, '=');
	if (!eq)
		return perr(ps, "expected 'key = value', got '%.40s'", line);
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	if (!*key)
		return perr(ps, "missing key before '='");
	for (k = 0; k < K_COUNT; k++)
		if (!strcmp(key, keys[k].name))
			break;
	if (k == K_COUNT)
		return perr(ps, "unknown key '%.40s'", key);
	/* a drop-in may not override the main file's scalar either: a file a
	 * panel writes must not turn enforce into audit behind the admin's back */
	if (seen->set[k] && !keys[k].list) {
		char also[SG_ERRLEN];

		sg_config_also_at(ps->cfg, ps->file, seen->file[k], seen->line[k], also, sizeof(also));
		return perr(ps, "'%s' is set twice (first %s)", key, also);
	}
	if (!seen->set[k]) {
		seen->set[k] = true;
		seen->line[k] = ps->line;
		seen->file[k] = ps->file;
	}
	return parse_value(ps, (enum key)k, value);
}

/* Account DESTs need the final port list: checked once every file is
 * read, and said at the entry's own file and line. */
static int check_acct(struct parse *ps)
{
	char msg[SG_ERRLEN];
	unsigned bad;

	if (!sg_config_check_acct(ps->cfg, &bad, msg, sizeof(msg)))
		return 0;
	ps->line = ps->cfg->acct[bad].line;
	ps->path = sg_config_file(ps->cfg, ps->cfg->acct[bad].file);
	return perr(ps, "%s", msg);
}

/* One file's text into ps->cfg. */
static int parse_text(struct parse *ps, const char *text, size_t len, char *line,
		      struct seen *seen)
{
	size_t pos = 0;
	int rc = 0;

	ps->line = 0;
	while (pos < len && !rc) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = (nl ? (size_t)(nl - text) : len) - pos;

		ps->line++;
		if (memchr(text + pos, '\0', n))
			rc = perr(ps, "NUL byte in line");
		else if (n > MAX_LINE)
			rc = perr(ps, "line longer than %d bytes", MAX_LINE);
		else {
			memcpy(line, text + pos, n);
			line[n] = '\0';
			rc = parse_line(ps, line, seen);
		}
		pos += n + 1;
	}
	return rc;
}

/* cfg->files: the paths of texts, so entries can name their file. */
static int note_files(struct sg_config *cfg, const struct sg_config_text *texts, unsigned n)
{
	cfg->files = calloc(n ? n : 1, sizeof(*cfg->files));
	if (!cfg->files)
		return -1;
	for (cfg->nfiles = 0; cfg->nfiles < n; cfg->nfiles++)
		if (!(cfg->files[cfg->nfiles] = strdup(texts[cfg->nfiles].path)))
			return -1;
	return 0;
}

int sg_config_parse_texts(const struct sg_config_text *texts, unsigned n,
			  const struct sg_config_opts *opts, struct sg_config *cfg,
			  char *err, size_t errlen)
{
	struct parse ps = {
		.path = n ? texts[0].path : "", .err = err, .errlen = errlen, .cfg = cfg,
		.lenient_names = opts && opts->lenient_names,
		.unpriv_port_start = opts ? opts->unpriv_port_start : DEFAULT_UNPRIV_PORT_START,
	};
	struct seen seen;
	char *line = malloc(MAX_LINE + 1);
	int rc = 0;

	memset(&seen, 0, sizeof(seen));
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->source, sizeof(cfg->source), "%s", ps.path);
	/* redirect_to may name one family only: the other keeps its default */
	default_endpoints(cfg);
	if (!line || note_files(cfg, texts, n)) {
		free(line);
		sg_config_free(cfg);
		snprintf(err, errlen, "%s: out of memory", ps.path);
		return -1;
	}
	for (unsigned f = 0; f < n && !rc; f++) {
		ps.file = f;
		ps.path = texts[f].path;
		rc = parse_text(&ps, texts[f].text, texts[f].len, line, &seen);
	}
	free(line);
	if (!rc)
		rc = check_duplicates(&ps, cfg->users, cfg->nusers, "user");
	if (!rc)
		rc = check_duplicates(&ps, cfg->groups, cfg->ngroups, "group");
	for (int k = 0; k < K_COUNT && !rc; k++)
		if (!seen.set[k] && apply_default(cfg, (enum key)k))
			rc = perr(&ps, "out of memory");
	/* the ports are final once their default applies */
	if (!rc)
		rc = check_acct(&ps);
	if (rc)
		sg_config_free(cfg);
	return rc;
}

int sg_config_parse(const char *path, const char *text, size_t len,
		    const struct sg_config_opts *opts, struct sg_config *cfg,
		    char *err, size_t errlen)
{
	struct sg_config_text t = { .path = path, .text = text, .len = len };

	return sg_config_parse_texts(&t, 1, opts, cfg, err, errlen);
}

/* One config file into t->text (malloc'ed). 0, 1 when it does not exist
 * and may be missing, -1 with a message. */
static int read_config(const char *path, bool may_miss, struct sg_config_text *t,
		       char *err, size_t errlen)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *text;
	ssize_t got;
	size_t len = 0;

	t->path = path;
	if (fd < 0) {
		if (errno == ENOENT && may_miss)
			return 1;
		snprintf(err, errlen, "%s: cannot open config: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > MAX_FILE) {
		snprintf(err, errlen, "%s: not a regular file of at most %u bytes", path, MAX_FILE);
		return -1;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	while (len < (size_t)st.st_size &&
	       (got = read(fd, text + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)got;
	t->text = text;
	t->len = len;
	return 0;
}

static void free_texts(struct sg_config_text *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free((char *)t[i].text);
	free(t);
}

int sg_config_load(const char *path, bool must_exist, const struct sg_config_opts *opts,
		   struct sg_config *cfg, char *err, size_t errlen)
{
	struct sg_config_text *t;
	char dir[PATH_MAX], **drop = NULL;
	unsigned ndrop = 0, n = 1;
	int rc;

	sg_confd_dir(path, dir, sizeof(dir));
	if (sg_confd_list(dir, &drop, &ndrop, err, errlen))
		return -1;
	t = calloc(ndrop + 1, sizeof(*t));
	if (!t) {
		sg_confd_free(drop, ndrop);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	rc = read_config(path, !must_exist, &t[0], err, errlen);
	/* no main file at the default path: an empty one (built-in defaults) */
	if (rc == 1 && !ndrop) {
		free_texts(t, 1);
		return sg_config_defaults(cfg) ? (snprintf(err, errlen, "out of memory"), -1) : 0;
	}
	if (rc == 1)
		t[0] = (struct sg_config_text){ .path = path, .text = NULL, .len = 0 };
	for (rc = rc < 0 ? -1 : 0; !rc && n <= ndrop; n++)
		rc = read_config(drop[n - 1], false, &t[n], err, errlen);
	if (!rc)
		rc = sg_config_parse_texts(t, n, opts, cfg, err, errlen);
	free_texts(t, n);
	sg_confd_free(drop, ndrop);
	return rc;
}

void sg_config_to_policy(const struct sg_config *cfg, struct sg_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	pol->format = SG_FORMAT_VERSION;
	pol->mode = cfg->mode;
	memcpy(&pol->redirect_ip4, cfg->redirect4.addr, 4);
	memcpy(pol->redirect_ip6, cfg->redirect6.addr, 16);
	pol->redirect_port4 = cfg->redirect4.port;
	pol->redirect_port6 = cfg->redirect6.port;
	pol->event_rate = cfg->event_rate;
	pol->event_rate_total = cfg->event_rate_total;
	for (unsigned i = 0; i < cfg->nports; i++)
		pol->ports[cfg->ports[i] / 64] |= 1ULL << (cfg->ports[i] % 64);
	sg_config_skipped_summary(cfg, pol->skipped, sizeof(pol->skipped));
	for (unsigned i = 0; i < cfg->nacct; i++) {
		pol->acct_uid |= !cfg->acct[i].group;
		pol->acct_gid |= cfg->acct[i].group;
	}
	pol->cgroup_levels = cfg->cgroup_levels;
	sg_eg_join(cfg, pol->egress_guard, sizeof(pol->egress_guard));
}

void sg_policy_to_config(const struct sg_policy *pol, struct sg_config *cfg)
{
	cfg->mode = pol->mode;
	cfg->redirect4 = (struct sg_endpoint){ .family = 4, .port = pol->redirect_port4 };
	memcpy(cfg->redirect4.addr, &pol->redirect_ip4, 4);
	cfg->redirect6 = (struct sg_endpoint){ .family = 6, .port = pol->redirect_port6 };
	memcpy(cfg->redirect6.addr, pol->redirect_ip6, 16);
	cfg->event_rate = pol->event_rate;
	cfg->event_rate_total = pol->event_rate_total;
	cfg->nports = 0;
	for (unsigned port = 1; port < 65536 && cfg->nports < SG_MAX_PORTS; port++)
		if (pol->ports[port / 64] & (1ULL << (port % 64)))
			cfg->ports[cfg->nports++] = (uint16_t)port;
	/* the kernel's copy need not end in a NUL */
	snprintf(cfg->skipped_text, sizeof(cfg->skipped_text), "%.*s",
		 (int)sizeof(pol->skipped), pol->skipped);
	sg_eg_split(pol->egress_guard, sizeof(pol->egress_guard), cfg);
}

static const char *skipped_kind(const struct sg_skipped *s)
{
	return s->cgroup ? "cgroup" : s->user ? "user" : "group";
}

void sg_config_warn_skipped(FILE *out, const struct sg_config *cfg)
{
	unsigned i;

	for (i = 0; i < cfg->nskipped && i < SG_SKIPPED_WARN_MAX; i++)
		fprintf(out, "%s:%u: warning: %s%s '%s'%s (skipped)\n",
			sg_config_file(cfg, cfg->skipped[i].file),
			cfg->skipped[i].line, cfg->skipped[i].cgroup ? "" : "unknown ",
			skipped_kind(&cfg->skipped[i]), cfg->skipped[i].name,
			cfg->skipped[i].cgroup ? " does not exist" : "");
	/* an LDAP outage at boot must not print 10,000 lines */
	if (cfg->nskipped > i)
		fprintf(out, "%s: warning: %u more unknown names skipped ('smtpguard status' "
			"lists them)\n", cfg->source, cfg->nskipped - i);
}

void sg_config_skipped_summary(const struct sg_config *cfg, char *buf, size_t len)
{
	size_t pos = 0;

	if (!len)
		return;
	if (!cfg->nskipped) {
		/* the kernel's copy: cut it visibly if it does not fit */
		if (snprintf(buf, len, "%s", cfg->skipped_text) >= (int)len && len > 3)
			memcpy(buf + len - 4, "...", 4);
		return;
	}
	buf[0] = '\0';
	for (unsigned i = 0; i < cfg->nskipped; i++) {
		const struct sg_skipped *s = &cfg->skipped[i];
		const char *file = sg_config_file(cfg, s->file), *base = strrchr(file, '/');
		/* room for ", ... (4294967295 more)" after this entry when
		 * more follow */
		size_t reserve = i + 1 < cfg->nskipped ? 26 : 0;
		char item[SG_PATH_LEN + sizeof(cfg->source) + 32];
		int n = snprintf(item, sizeof(item), "%s%s %s (%s:%u)", i ? ", " : "",
				 skipped_kind(s), s->name, base ? base + 1 : file, s->line);

		if (n < 0 || pos + (size_t)n + reserve >= len) {
			snprintf(buf + pos, len - pos, "%s... (%u more)", i ? ", " : "",
				 cfg->nskipped - i);
			return;
		}
		memcpy(buf + pos, item, (size_t)n + 1);
		pos += (size_t)n;
	}
}
