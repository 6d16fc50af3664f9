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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"
#include "config.h"
#include "egress_paths.h"

#define MAX_LINE      (1 << 20) /* one allow_users line may list 10,000s of accounts */
#define MAX_FILE      (16u << 20)
#define MAX_EVENT_RATE 100000

enum key {
	K_PORTS, K_USERS, K_GROUPS, K_DSTS, K_MODE, K_REDIRECT, K_EVENT_RATE,
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
	char *err;
	size_t errlen;
	struct sg_config *cfg;
	bool lenient_names;
	unsigned unpriv_port_start;
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

static int add_ident(struct sg_ident **arr, unsigned *n, unsigned max,
		     uint32_t id, const char *name, unsigned line)
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
	snprintf(a->name, sizeof(a->name), "%s", name ? name : "");
	return 0;
}

int sg_config_add_user(struct sg_config *cfg, uint32_t uid, const char *name)
{
	return add_ident(&cfg->users, &cfg->nusers, SG_MAX_UIDS, uid, name, 0);
}

int sg_config_add_group(struct sg_config *cfg, uint32_t gid, const char *name)
{
	return add_ident(&cfg->groups, &cfg->ngroups, SG_MAX_GIDS, gid, name, 0);
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
	if ((cfg->ndsts & (cfg->ndsts - 1)) == 0) {
		a = realloc(cfg->dsts, sizeof(*a) * (cfg->ndsts ? cfg->ndsts * 2 : 8));
		if (!a)
			return -1;
		cfg->dsts = a;
	}
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
					      i == 0 ? 0 : id, default_users[i], 0))
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

/* Records a name that did not resolve (lenient parse). Bounded by the id
 * limits, so a config cannot make it grow without end. */
static int add_skipped(struct parse *ps, const char *name, bool user)
{
	struct sg_config *cfg = ps->cfg;
	struct sg_skipped *a;

	if (cfg->nskipped >= SG_MAX_UIDS + SG_MAX_GIDS)
		return perr(ps, "too many unknown names: at most %d", SG_MAX_UIDS + SG_MAX_GIDS);
	if ((cfg->nskipped & (cfg->nskipped - 1)) == 0) {
		a = realloc(cfg->skipped, sizeof(*a) * (cfg->nskipped ? cfg->nskipped * 2 : 8));
		if (!a)
			return perr(ps, "out of memory");
		cfg->skipped = a;
	}
	a = &cfg->skipped[cfg->nskipped++];
	a->user = user;
	a->line = ps->line;
	snprintf(a->name, sizeof(a->name), "%s", name);
	return 0;
}

/* A user or group, by name (NSS) or by number. */
static int value_ident(struct parse *ps, const char *tok, bool user)
{
	struct sg_config *cfg = ps->cfg;
	const char *what = user ? "user" : "group";
	char name[SG_NAME_MAX] = "";
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
		if ((user ? sg_user_id(tok, &id) : sg_group_id(tok, &id)))
			return ps->lenient_names ? add_skipped(ps, tok, user)
						 : perr(ps, "unknown %s '%s'", what, tok);
		snprintf(name, sizeof(name), "%s", tok);
	}
	if (user ? add_ident(&cfg->users, &cfg->nusers, SG_MAX_UIDS, id, name, ps->line)
		 : add_ident(&cfg->groups, &cfg->ngroups, SG_MAX_GIDS, id, name, ps->line))
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

static int value_event_rate(struct parse *ps, const char *tok)
{
	unsigned long long v;

	if (sg_parse_uint(tok, MAX_EVENT_RATE, &v))
		return perr(ps, "bad event_rate '%s': must be a number from 0 to %d",
			    tok, MAX_EVENT_RATE);
	ps->cfg->event_rate = (uint32_t)v;
	return 0;
}

/* issue 14: a cgroup of the egress layer (egress_paths.c) */
static int value_egress(struct parse *ps, const char *tok)
{
	char path[SG_PATH_LEN], msg[SG_ERRLEN];

	if (sg_eg_path_norm(tok, path, sizeof(path), msg, sizeof(msg)) ||
	    sg_eg_add(ps->cfg, path, ps->line, msg, sizeof(msg)))
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
		case K_EVENT_RATE: rc = value_event_rate(ps, tok); break;
		case K_EGRESS: rc = value_egress(ps, tok); break;
		default: break;
		}
	}
	if (!rc && ntok == 0 && !keys[k].list)
		return perr(ps, "'%s' needs a value", keys[k].name);
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
	return x->line < y->line ? -1 : x->line > y->line;
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
			ps->line = s[i].line; /* sorted by id, then line */
			rc = perr(ps, "%s %s%s%u is listed twice (also on line %u)", what,
				  name, name[0] ? " / id " : "id ", s[i].id, s[i - 1].line);
		}
	free(s);
	return rc;
}

static int parse_line(struct parse *ps, char *line, bool *seen, unsigned *first)
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
	if (seen[k] && !keys[k].list)
		return perr(ps, "'%s' is set twice (first on line %u)", key, first[k]);
	if (!seen[k]) {
		seen[k] = true;
		first[k] = ps->line;
	}
	return parse_value(ps, (enum key)k, value);
}

int sg_config_parse(const char *path, const char *text, size_t len,
		    const struct sg_config_opts *opts, struct sg_config *cfg,
		    char *err, size_t errlen)
{
	struct parse ps = {
		.path = path, .err = err, .errlen = errlen, .cfg = cfg,
		.lenient_names = opts && opts->lenient_names,
		.unpriv_port_start = opts ? opts->unpriv_port_start : DEFAULT_UNPRIV_PORT_START,
	};
	bool seen[K_COUNT] = { false };
	unsigned first[K_COUNT] = { 0 };
	char *line = malloc(MAX_LINE + 1);
	size_t pos = 0;
	int rc = 0;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->source, sizeof(cfg->source), "%s", path);
	/* redirect_to may name one family only: the other keeps its default */
	default_endpoints(cfg);
	if (!line) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	while (pos < len && !rc) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = (nl ? (size_t)(nl - text) : len) - pos;

		ps.line++;
		if (memchr(text + pos, '\0', n))
			rc = perr(&ps, "NUL byte in line");
		else if (n > MAX_LINE)
			rc = perr(&ps, "line longer than %d bytes", MAX_LINE);
		else {
			memcpy(line, text + pos, n);
			line[n] = '\0';
			rc = parse_line(&ps, line, seen, first);
		}
		pos += n + 1;
	}
	free(line);
	if (!rc)
		rc = check_duplicates(&ps, cfg->users, cfg->nusers, "user");
	if (!rc)
		rc = check_duplicates(&ps, cfg->groups, cfg->ngroups, "group");
	for (int k = 0; k < K_COUNT && !rc; k++)
		if (!seen[k] && apply_default(cfg, (enum key)k))
			rc = perr(&ps, "out of memory");
	if (rc)
		sg_config_free(cfg);
	return rc;
}

int sg_config_load(const char *path, bool must_exist, const struct sg_config_opts *opts,
		   struct sg_config *cfg, char *err, size_t errlen)
{
	struct stat st;
	char *text;
	ssize_t got;
	size_t len = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && !must_exist)
			return sg_config_defaults(cfg) ? (snprintf(err, errlen, "out of memory"), -1) : 0;
		snprintf(err, errlen, "%s: cannot open config: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > MAX_FILE) {
		snprintf(err, errlen, "%s: not a regular file of at most %u bytes", path, MAX_FILE);
		close(fd);
		return -1;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	while (len < (size_t)st.st_size &&
	       (got = read(fd, text + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)got;
	close(fd);
	rc = sg_config_parse(path, text, len, opts, cfg, err, errlen);
	free(text);
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
	for (unsigned i = 0; i < cfg->nports; i++)
		pol->ports[cfg->ports[i] / 64] |= 1ULL << (cfg->ports[i] % 64);
	sg_config_skipped_summary(cfg, pol->skipped, sizeof(pol->skipped));
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
	cfg->nports = 0;
	for (unsigned port = 1; port < 65536 && cfg->nports < SG_MAX_PORTS; port++)
		if (pol->ports[port / 64] & (1ULL << (port % 64)))
			cfg->ports[cfg->nports++] = (uint16_t)port;
	/* the kernel's copy need not end in a NUL */
	snprintf(cfg->skipped_text, sizeof(cfg->skipped_text), "%.*s",
		 (int)sizeof(pol->skipped), pol->skipped);
	sg_eg_split(pol->egress_guard, sizeof(pol->egress_guard), cfg);
}

void sg_config_warn_skipped(FILE *out, const struct sg_config *cfg)
{
	unsigned i;

	for (i = 0; i < cfg->nskipped && i < SG_SKIPPED_WARN_MAX; i++)
		fprintf(out, "%s:%u: warning: unknown %s '%s' (skipped)\n", cfg->source,
			cfg->skipped[i].line, cfg->skipped[i].user ? "user" : "group",
			cfg->skipped[i].name);
	/* an LDAP outage at boot must not print 10,000 lines */
	if (cfg->nskipped > i)
		fprintf(out, "%s: warning: %u more unknown names skipped ('smtpguard status' "
			"lists them)\n", cfg->source, cfg->nskipped - i);
}

void sg_config_skipped_summary(const struct sg_config *cfg, char *buf, size_t len)
{
	const char *base = strrchr(cfg->source, '/');
	size_t pos = 0;

	if (!len)
		return;
	if (!cfg->nskipped) {
		/* the kernel's copy: cut it visibly if it does not fit */
		if (snprintf(buf, len, "%s", cfg->skipped_text) >= (int)len && len > 3)
			memcpy(buf + len - 4, "...", 4);
		return;
	}
	base = base ? base + 1 : cfg->source;
	buf[0] = '\0';
	for (unsigned i = 0; i < cfg->nskipped; i++) {
		const struct sg_skipped *s = &cfg->skipped[i];
		/* room for ", ... (4294967295 more)" after this entry when
		 * more follow */
		size_t reserve = i + 1 < cfg->nskipped ? 26 : 0;
		char item[SG_NAME_MAX + sizeof(cfg->source) + 32];
		int n = snprintf(item, sizeof(item), "%s%s %s (%s:%u)", i ? ", " : "",
				 s->user ? "user" : "group", s->name, base, s->line);

		if (n < 0 || pos + (size_t)n + reserve >= len) {
			snprintf(buf + pos, len - pos, "%s... (%u more)", i ? ", " : "",
				 cfg->nskipped - i);
			return;
		}
		memcpy(buf + pos, item, (size_t)n + 1);
		pos += (size_t)n;
	}
}
