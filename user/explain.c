// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `smtpguard explain`: the decision, step by step as the BPF program takes
 * it (see explain.h). Pure: unit-tested in tests/unit/test_explain.c. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "common.h"
#include "explain.h"

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

const char *sg_ex_verdict_name(enum sg_ex_verdict v)
{
	switch (v) {
	case SG_EX_ALLOWED: return "allowed";
	case SG_EX_REFUSED: return "refused";
	case SG_EX_AUDITED: return "audited";
	case SG_EX_REDIRECTED: return "redirected";
	}
	return "?";
}

bool sg_prefix_contains(const struct sg_prefix *p, const uint8_t *addr, uint8_t fam)
{
	unsigned full = p->len / 8, rest = p->len % 8;

	if (p->family != fam || p->len > (fam == 4 ? 32 : 128))
		return false;
	if (memcmp(p->addr, addr, full))
		return false;
	return !rest || !((p->addr[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rest)));
}

int sg_ex_parse_target(const char *s, struct sg_endpoint *e, char *err, size_t errlen)
{
	const char *colon = strrchr(s, ':'), *close = strrchr(s, ']');
	char msg[SG_ERRLEN];

	/* a port must be there: after ']' for IPv6, after the one ':' for IPv4 */
	if (!colon || (s[0] == '[' ? !close || colon != close + 1 : strchr(s, ':') != colon)) {
		snprintf(err, errlen, "explain: '%.64s' is not DEST:PORT (IPv6 in brackets: "
			 "[2001:db8::1]:25)", s);
		return -1;
	}
	if (sg_parse_endpoint(s, e, msg, sizeof(msg))) {
		snprintf(err, errlen, "explain: %s", msg);
		return -1;
	}
	return 0;
}

static bool port_guarded(const struct sg_config *pol, uint16_t port)
{
	for (unsigned i = 0; i < pol->nports; i++)
		if (pol->ports[i] == port)
			return true;
	return false;
}

/* The longest allowed prefix containing addr, as the LPM trie finds it. */
static const struct sg_prefix *dst_match(const struct sg_config *pol, const uint8_t *addr,
					 uint8_t fam)
{
	const struct sg_prefix *best = NULL;

	for (unsigned i = 0; i < pol->ndsts; i++)
		if (sg_prefix_contains(&pol->dsts[i], addr, fam) &&
		    (!best || pol->dsts[i].len > best->len))
			best = &pol->dsts[i];
	return best;
}

static bool has_id(const struct sg_ident *ids, unsigned n, uint32_t id)
{
	for (unsigned i = 0; i < n; i++)
		if (ids[i].id == id)
			return true;
	return false;
}

__attribute__((format(printf, 3, 4)))
static void add(char *buf, size_t len, const char *fmt, ...)
{
	size_t pos = strlen(buf);
	va_list ap;

	if (pos >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + pos, len - pos, fmt, ap);
	va_end(ap);
}

static void who(char *buf, size_t len, const char *what, uint32_t id, const char *name)
{
	snprintf(buf, len, "%s %u%s%s%s", what, id, name[0] ? " (" : "", name, name[0] ? ")" : "");
}

/* The extra steps placed after step s: 1 when one allows (r filled), else
 * their reasons join why. */
static int run_extras(const struct sg_ex_extra *extra, unsigned nextra, enum sg_ex_step s,
		      const struct sg_ex_query *q, const uint8_t *addr, uint8_t fam,
		      struct sg_ex_result *r, char *why, size_t whylen)
{
	for (unsigned i = 0; i < nextra; i++) {
		char text[sizeof(r->rule)] = "";

		if (extra[i].after != s || !extra[i].judge)
			continue;
		if (extra[i].judge(extra[i].ctx, q, addr, fam, text, sizeof(text)) == 1) {
			r->verdict = SG_EX_ALLOWED;
			r->step = extra[i].name;
			snprintf(r->rule, sizeof(r->rule), "%s", text);
			return 1;
		}
		if (text[0])
			add(why, whylen, "; %s", text);
	}
	return 0;
}

/* Step 3 (uid in allow_users) or 4 (gid in allow_groups): 1 when allowed
 * (r filled), else the reason joins why. */
static int id_step(bool user, const struct sg_config *pol, const struct sg_ex_query *q,
		   struct sg_ex_result *r, char *why, size_t whylen)
{
	const char *list = user ? "allow_users" : "allow_groups";
	uint32_t id = user ? q->uid : q->gid;
	char w[SG_NAME_MAX + 32];

	who(w, sizeof(w), user ? "uid" : "gid", id, user ? q->user : q->group);
	if (!has_id(user ? pol->users : pol->groups, user ? pol->nusers : pol->ngroups, id)) {
		add(why, whylen, "; %s not in %s", w, list);
		return 0;
	}
	snprintf(r->rule, sizeof(r->rule), "%s in %s", w, list);
	r->step = user ? "user" : "group";
	r->entry = user ? SG_EX_ENTRY_UID : SG_EX_ENTRY_GID;
	r->id = id;
	return 1;
}

/* Steps 3 and 4, and the extras placed after 2, 3 and 4: 1 when allowed. */
static int judge_caller(const struct sg_config *pol, const struct sg_ex_query *q,
			const uint8_t *addr, uint8_t fam, const struct sg_ex_extra *extra,
			unsigned nextra, struct sg_ex_result *r, char *why, size_t whylen)
{
	return run_extras(extra, nextra, SG_EX_DST, q, addr, fam, r, why, whylen) ||
	       id_step(true, pol, q, r, why, whylen) ||
	       run_extras(extra, nextra, SG_EX_UID, q, addr, fam, r, why, whylen) ||
	       id_step(false, pol, q, r, why, whylen) ||
	       run_extras(extra, nextra, SG_EX_GID, q, addr, fam, r, why, whylen);
}

/* Step 5: what the mode makes of a connect nothing allowed. */
static void judge_mode(const struct sg_config *pol, uint8_t fam, struct sg_ex_result *r,
		       const char *why)
{
	char to[SG_ADDRSTRLEN];

	r->step = "mode";
	if (pol->mode == SG_MODE_AUDIT) {
		r->verdict = SG_EX_AUDITED;
		snprintf(r->rule, sizeof(r->rule), "%.900s; mode audit", why);
	} else if (pol->mode == SG_MODE_REDIRECT) {
		/* a mapped destination stays on the IPv4 path (the IPv4 target) */
		r->verdict = SG_EX_REDIRECTED;
		r->redirect = fam == 4 ? pol->redirect4 : pol->redirect6;
		sg_format_endpoint(&r->redirect, to, sizeof(to));
		snprintf(r->rule, sizeof(r->rule), "%.900s; mode redirect to %s", why, to);
	} else {
		r->verdict = SG_EX_REFUSED;
		snprintf(r->rule, sizeof(r->rule), "%.900s; mode %s", why, sg_mode_name(pol->mode));
	}
}

void sg_explain(const struct sg_config *pol, const struct sg_ex_query *q,
		const struct sg_ex_extra *extra, unsigned nextra, struct sg_ex_result *r)
{
	const struct sg_prefix *p;
	char why[sizeof(r->rule)], a[SG_ADDRSTRLEN];
	const uint8_t *addr = q->dst.addr;
	uint8_t fam = q->dst.family;

	memset(r, 0, sizeof(*r));
	r->verdict = SG_EX_ALLOWED;
	if (!port_guarded(pol, q->dst.port)) {
		r->step = "port";
		snprintf(r->rule, sizeof(r->rule), "port %u not guarded", q->dst.port);
		return;
	}
	/* ::ffff:a.b.c.d reaches an IPv4 host: the kernel judges it as IPv4 */
	if (fam == 6 && !memcmp(addr, v4mapped, 12)) {
		addr += 12;
		fam = 4;
		r->mapped = true;
	}
	p = dst_match(pol, addr, fam);
	if (p) {
		sg_format_prefix(p, a, sizeof(a));
		r->step = "destination";
		r->entry = SG_EX_ENTRY_DST;
		r->prefix = *p;
		snprintf(r->rule, sizeof(r->rule), "destination %s in allow_destinations%s", a,
			 r->mapped ? " (IPv4-mapped address, judged as IPv4)" : "");
		return;
	}
	snprintf(why, sizeof(why), "port %u guarded; destination not allowed%s", q->dst.port,
		 r->mapped ? " (IPv4-mapped address, judged as IPv4)" : "");
	if (judge_caller(pol, q, addr, fam, extra, nextra, r, why, sizeof(why)))
		return;
	judge_mode(pol, fam, r, why);
}
