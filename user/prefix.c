// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "prefix.h"

int sg_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (!*s || strlen(s) > 20)
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		if ((unsigned)(*s - '0') > max || v > (max - (unsigned)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = v;
	return 0;
}

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* Parses a bare address; family 4 or 6, or -1. */
static int parse_addr(const char *s, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, addr) == 1)
		return 6;
	return -1;
}

static int host_bits_set(const uint8_t *addr, unsigned bits, unsigned len)
{
	for (unsigned i = len; i < bits; i++)
		if (addr[i / 8] & (0x80 >> (i % 8)))
			return 1;
	return 0;
}

/* The address in the first alen bytes of s, copied to buf (for messages)
 * and parsed into addr: its family (4 or 6), -1 when alen is empty or too
 * long, -2 when buf is not an address. */
static int addr_part(const char *s, size_t alen, char buf[SG_ADDRSTRLEN], uint8_t *addr)
{
	int fam;

	if (alen == 0 || alen >= SG_ADDRSTRLEN)
		return -1;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	fam = parse_addr(buf, addr);
	return fam < 0 ? -2 : fam;
}

int sg_parse_prefix(const char *s, struct sg_prefix *p, char *err, size_t errlen)
{
	char buf[SG_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	unsigned long long len;
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	int fam;

	memset(p, 0, sizeof(*p));
	fam = addr_part(s, alen, buf, p->addr);
	if (fam == -1) {
		snprintf(err, errlen, "malformed prefix '%.64s'", s);
		return -1;
	}
	if (fam < 0) {
		snprintf(err, errlen, "malformed prefix '%.64s': '%s' is not an IPv4 or IPv6 address", s, buf);
		return -1;
	}
	if (slash) {
		if (sg_parse_uint(slash + 1, fam == 4 ? 32 : 128, &len)) {
			snprintf(err, errlen, "malformed prefix '%.64s': length must be 0-%d",
				 s, fam == 4 ? 32 : 128);
			return -1;
		}
	} else {
		len = fam == 4 ? 32 : 128;
	}
	if (host_bits_set(p->addr, fam == 4 ? 32 : 128, (unsigned)len)) {
		snprintf(err, errlen, "prefix '%.64s' has host bits set after /%llu", s, len);
		return -1;
	}
	if (fam == 6 && len >= 96 && !memcmp(p->addr, v4mapped, 12)) {
		memmove(p->addr, p->addr + 12, 4);
		memset(p->addr + 4, 0, 12);
		fam = 4;
		len -= 96;
	}
	p->family = (uint8_t)fam;
	p->len = (uint8_t)len;
	return 0;
}

/* family 4 or 6 and its address bytes, as text */
static const char *addr_text(uint8_t family, const uint8_t *addr, char a[INET6_ADDRSTRLEN])
{
	return inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, a, INET6_ADDRSTRLEN);
}

void sg_format_prefix(const struct sg_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u", addr_text(p->family, p->addr, a), p->len);
}

int sg_parse_endpoint(const char *s, struct sg_endpoint *e, char *err, size_t errlen)
{
	char buf[SG_ADDRSTRLEN];
	const char *port = NULL, *orig = s;
	unsigned long long pv = 25;
	size_t alen;
	int fam;

	memset(e, 0, sizeof(*e));
	if (s[0] == '[') { /* [v6]:port or [v6] */
		const char *close = strchr(s, ']');

		if (!close) {
			snprintf(err, errlen, "malformed endpoint '%.64s': missing ']'", s);
			return -1;
		}
		alen = (size_t)(close - s - 1);
		s++;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1]) {
			snprintf(err, errlen, "malformed endpoint '%.64s'", s - 1);
			return -1;
		}
	} else {
		const char *colon = strchr(s, ':');

		/* one colon: a.b.c.d:port; more: a bare IPv6 address */
		if (colon && !strchr(colon + 1, ':')) {
			alen = (size_t)(colon - s);
			port = colon + 1;
		} else {
			alen = strlen(s);
		}
	}
	fam = addr_part(s, alen, buf, e->addr);
	if (fam == -1) {
		snprintf(err, errlen, "malformed endpoint '%.64s'", orig);
		return -1;
	}
	if (fam < 0) {
		snprintf(err, errlen, "malformed endpoint: '%s' is not an IPv4 or IPv6 address", buf);
		return -1;
	}
	if (port && (sg_parse_uint(port, 65535, &pv) || pv == 0)) {
		snprintf(err, errlen, "malformed endpoint: port '%.16s' must be 1-65535", port);
		return -1;
	}
	e->family = (uint8_t)fam;
	e->port = (uint16_t)pv;
	return 0;
}

void sg_format_endpoint(const struct sg_endpoint *e, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	snprintf(buf, len, e->family == 6 ? "[%s]:%u" : "%s:%u", addr_text(e->family, e->addr, a),
		 e->port);
}
