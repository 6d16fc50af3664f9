// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Per-account destinations (issue 10): allow_user_destinations and
 * allow_group_destinations. Pure: parsing a DEST, the limits, the text
 * form, and the match the kernel makes (for kstate's callers), so all of
 * it is unit-tested without a kernel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"

/* Splits "PREFIX:PORT" / "[V6PREFIX]:PORT" / "PREFIX" into the prefix text
 * (into pbuf) and the port text (NULL when none). -1 when malformed. */
static int split_dst(const char *s, char *pbuf, size_t plen, const char **port)
{
	const char *end, *colon = strchr(s, ':');
	size_t n;

	*port = NULL;
	if (*s == '[') {
		end = strchr(s, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -1;
		if (end[1] == ':')
			*port = end + 2;
		s++;
	} else if (colon && !strchr(colon + 1, ':')) {
		/* one colon: IPv4 with a port; more: a bare IPv6 prefix */
		end = colon;
		*port = colon + 1;
	} else {
		end = s + strlen(s);
	}
	n = (size_t)(end - s);
	if (n >= plen)
		return -1;
	memcpy(pbuf, s, n);
	pbuf[n] = '\0';
	return 0;
}

int sg_parse_acct_dst(const char *s, struct sg_prefix *p, uint16_t *port,
		      char *err, size_t errlen)
{
	char pbuf[SG_ADDRSTRLEN], msg[SG_ADDRSTRLEN + 96];
	const char *ptext;
	unsigned long long v;

	if (split_dst(s, pbuf, sizeof(pbuf), &ptext)) {
		snprintf(err, errlen, "malformed destination '%.64s': PREFIX, PREFIX:PORT "
			 "or [IPV6PREFIX]:PORT", s);
		return -1;
	}
	if (sg_parse_prefix(pbuf, p, msg, sizeof(msg))) {
		snprintf(err, errlen, "%s", msg);
		return -1;
	}
	*port = 0;
	if (ptext) {
		if (sg_parse_uint(ptext, 65535, &v) || v == 0) {
			snprintf(err, errlen, "bad port '%.16s' in destination '%.64s': must be "
				 "a number from 1 to 65535", ptext, s);
			return -1;
		}
		*port = (uint16_t)v;
	}
	return 0;
}

int sg_config_add_acct(struct sg_config *cfg, const struct sg_acct_dst *a)
{
	if (cfg->nacct >= SG_MAX_ACCT_DSTS || sg_grow(&cfg->acct, cfg->nacct, sizeof(*a)))
		return -1;
	cfg->acct[cfg->nacct++] = *a;
	return 0;
}

unsigned long sg_config_acct_keys(const struct sg_config *cfg)
{
	unsigned long n = 0;

	for (unsigned i = 0; i < cfg->nacct; i++)
		n += cfg->acct[i].port ? 1 : cfg->nports;
	return n;
}

static bool port_guarded(const struct sg_config *cfg, uint16_t port)
{
	for (unsigned i = 0; i < cfg->nports; i++)
		if (cfg->ports[i] == port)
			return true;
	return false;
}

int sg_config_check_acct(const struct sg_config *cfg, unsigned *bad, char *msg, size_t len)
{
	unsigned long keys = 0;

	for (unsigned i = 0; i < cfg->nacct; i++) {
		const struct sg_acct_dst *a = &cfg->acct[i];
		char text[SG_ADDRSTRLEN];

		/* a DEST on a port that is not guarded would never be asked
		 * about: almost certainly a typo for one that is */
		if (a->port && !port_guarded(cfg, a->port)) {
			sg_format_prefix(&a->dst, text, sizeof(text));
			*bad = i;
			snprintf(msg, len, "destination %s%s%s:%u: port %u is not a guarded port "
				 "(not in 'ports')", a->dst.family == 6 ? "[" : "", text,
				 a->dst.family == 6 ? "]" : "", a->port, a->port);
			return -1;
		}
		keys += a->port ? 1 : cfg->nports;
		if (keys > SG_MAX_ACCT_KEYS) {
			*bad = i;
			snprintf(msg, len, "too many account destinations: with port-less ones "
				 "counted once per guarded port, at most %d", SG_MAX_ACCT_KEYS);
			return -1;
		}
	}
	return 0;
}

void sg_format_acct(const struct sg_acct_dst *a, char *buf, size_t len)
{
	char name[SG_NAME_MAX], pfx[SG_ADDRSTRLEN];

	snprintf(name, sizeof(name), "%s", a->name);
	if (!name[0])
		(a->group ? sg_group_name : sg_user_name)(a->id, name, sizeof(name));
	sg_format_prefix(&a->dst, pfx, sizeof(pfx));
	if (!name[0])
		snprintf(name, sizeof(name), "%u", a->id);
	if (!a->port)
		snprintf(buf, len, "%s %s", name, pfx);
	else if (a->dst.family == 6)
		snprintf(buf, len, "%s [%s]:%u", name, pfx, a->port);
	else
		snprintf(buf, len, "%s %s:%u", name, pfx, a->port);
}

/* Do the first len bits of a and b agree? */
static bool prefix_covers(const uint8_t *a, const uint8_t *b, unsigned len)
{
	unsigned whole = len / 8, rest = len % 8;

	if (memcmp(a, b, whole))
		return false;
	return !rest || !((a[whole] ^ b[whole]) & (0xff00 >> rest));
}

const struct sg_acct_dst *sg_acct_match(const struct sg_acct_dst *arr, unsigned n, bool group,
					uint32_t id, uint8_t family, const uint8_t *addr,
					uint16_t port)
{
	const struct sg_acct_dst *best = NULL;

	for (unsigned i = 0; i < n; i++) {
		const struct sg_acct_dst *a = &arr[i];

		if (a->group != group || a->id != id || a->dst.family != family ||
		    (a->port && a->port != port) || !prefix_covers(a->dst.addr, addr, a->dst.len))
			continue;
		/* the longest prefix wins, as in the trie; a later entry
		 * overwrote an equal key there */
		if (!best || a->dst.len >= best->dst.len)
			best = a;
	}
	return best;
}
