/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Destination prefixes (CIDR) and endpoints (address:port), v4 and v6. */
#ifndef SG_PREFIX_H
#define SG_PREFIX_H

#include <stddef.h>
#include <stdint.h>

struct sg_prefix {
	uint8_t family; /* 4 or 6 */
	uint8_t len;    /* prefix length in bits */
	uint8_t addr[16];
};

struct sg_endpoint {
	uint8_t family; /* 4 or 6 */
	uint8_t addr[16];
	uint16_t port;
};

#define SG_ADDRSTRLEN 64 /* fits "[v6]:port" and "v6/len" */

/* "10.0.0.0/8", "2001:db8::/32", "192.0.2.1" (= /32). An IPv4-mapped IPv6
 * prefix (::ffff:a.b.c.d/len, len >= 96) becomes the IPv4 prefix, because
 * the kernel side judges mapped destinations as IPv4. 0 or -1 with err. */
int sg_parse_prefix(const char *s, struct sg_prefix *p, char *err, size_t errlen);
void sg_format_prefix(const struct sg_prefix *p, char *buf, size_t len);

/* "127.0.0.1:25", "127.0.0.1" (port 25), "[::1]:25", "::1" (port 25). */
int sg_parse_endpoint(const char *s, struct sg_endpoint *e, char *err, size_t errlen);
void sg_format_endpoint(const struct sg_endpoint *e, char *buf, size_t len);

/* Parses a decimal number in [min, max] with no sign, space or junk. */
int sg_parse_uint(const char *s, unsigned long long max, unsigned long long *out);

#endif
