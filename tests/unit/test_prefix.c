// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests: destination prefixes, endpoints and plain numbers (prefix.c). */
#include <string.h>
#include "tap.h"
#include "prefix.h"

static char err[512];

/* parses s and checks it formats back as want */
static void prefix_ok(const char *s, const char *want, int family)
{
	struct sg_prefix p;
	char buf[SG_ADDRSTRLEN];
	int rc;

	err[0] = '\0';
	rc = sg_parse_prefix(s, &p, err, sizeof(err));
	OK(rc == 0, "prefix '%s' parses (%s)", s, err);
	if (rc)
		return;
	sg_format_prefix(&p, buf, sizeof(buf));
	STR_EQ(buf, want, "prefix '%s' is %s", s, want);
	OK(p.family == family, "prefix '%s' is IPv%d", s, family);
}

static void prefix_bad(const char *s, const char *want)
{
	struct sg_prefix p;

	err[0] = '\0';
	OK(sg_parse_prefix(s, &p, err, sizeof(err)) == -1, "prefix '%s' is refused", s);
	STR_EQ(err, want, "prefix '%s': message", s);
}

static void endpoint_ok(const char *s, const char *want)
{
	struct sg_endpoint e;
	char buf[SG_ADDRSTRLEN];
	int rc;

	err[0] = '\0';
	rc = sg_parse_endpoint(s, &e, err, sizeof(err));
	OK(rc == 0, "endpoint '%s' parses (%s)", s, err);
	if (rc)
		return;
	sg_format_endpoint(&e, buf, sizeof(buf));
	STR_EQ(buf, want, "endpoint '%s' is %s", s, want);
}

static void endpoint_bad(const char *s, const char *want)
{
	struct sg_endpoint e;

	err[0] = '\0';
	OK(sg_parse_endpoint(s, &e, err, sizeof(err)) == -1, "endpoint '%s' is refused", s);
	STR_EQ(err, want, "endpoint '%s': message", s);
}

static void uint_ok(const char *s, unsigned long long max, unsigned long long want)
{
	unsigned long long v = 12345;

	OK(sg_parse_uint(s, max, &v) == 0 && v == want, "uint '%s' (max %llu) is %llu (got %llu)",
	   s, max, want, v);
}

static void uint_bad(const char *s, unsigned long long max)
{
	unsigned long long v = 777;

	OK(sg_parse_uint(s, max, &v) == -1 && v == 777, "uint '%s' (max %llu) is refused", s, max);
}

int main(void)
{
	char buf[SG_ADDRSTRLEN], big[200];

	/* numbers */
	uint_ok("0", 10, 0);
	uint_ok("10", 10, 10);
	uint_ok("65535", 65535, 65535);
	uint_ok("4294967294", 4294967294ULL, 4294967294ULL);
	uint_ok("18446744073709551615", ~0ULL, ~0ULL);
	uint_ok("007", 10, 7);
	uint_bad("", 10);
	uint_bad("11", 10);
	uint_bad("65536", 65535);
	uint_bad("4294967295", 4294967294ULL);
	uint_bad("18446744073709551616", ~0ULL);
	uint_bad("99999999999999999999999", ~0ULL);
	uint_bad("-1", 10);
	uint_bad("+1", 10);
	uint_bad(" 1", 10);
	uint_bad("1 ", 10);
	uint_bad("1x", 10);
	uint_bad("0x10", 100);
	uint_bad("1.5", 10);
	/* max below one digit: the bound must hold for every digit */
	uint_ok("0", 0, 0);
	uint_bad("1", 0);
	uint_bad("9", 0);
	uint_bad("9", 8);
	uint_ok("8", 8, 8);

	/* prefixes */
	prefix_ok("10.0.0.0/8", "10.0.0.0/8", 4);
	prefix_ok("192.0.2.1", "192.0.2.1/32", 4);
	prefix_ok("0.0.0.0/0", "0.0.0.0/0", 4);
	prefix_ok("127.0.0.0/8", "127.0.0.0/8", 4);
	prefix_ok("192.0.2.1/32", "192.0.2.1/32", 4);
	prefix_ok("::1", "::1/128", 6);
	prefix_ok("::1/128", "::1/128", 6);
	prefix_ok("2001:db8::/32", "2001:db8::/32", 6);
	prefix_ok("::/0", "::/0", 6);
	prefix_ok("2001:DB8::/32", "2001:db8::/32", 6);
	prefix_ok("10.0.0.0/08", "10.0.0.0/8", 4);
	/* IPv4-mapped IPv6 prefixes are judged as IPv4 by the kernel */
	prefix_ok("::ffff:10.0.0.0/104", "10.0.0.0/8", 4);
	prefix_ok("::ffff:192.0.2.1", "192.0.2.1/32", 4);
	prefix_ok("::ffff:0.0.0.0/96", "0.0.0.0/0", 4);
	prefix_ok("::/80", "::/80", 6); /* covers mapped space, stays IPv6 */

	prefix_bad("", "malformed prefix ''");
	prefix_bad("/8", "malformed prefix '/8'");
	prefix_bad("10.0.0.0/", "malformed prefix '10.0.0.0/': length must be 0-32");
	prefix_bad("10.0.0.0/33", "malformed prefix '10.0.0.0/33': length must be 0-32");
	prefix_bad("10.0.0.0/-1", "malformed prefix '10.0.0.0/-1': length must be 0-32");
	prefix_bad("10.0.0.0/8/8", "malformed prefix '10.0.0.0/8/8': length must be 0-32");
	prefix_bad("10.0.0.0/ 8", "malformed prefix '10.0.0.0/ 8': length must be 0-32");
	prefix_bad("10.0.0.0/0x8", "malformed prefix '10.0.0.0/0x8': length must be 0-32");
	prefix_bad("::/129", "malformed prefix '::/129': length must be 0-128");
	prefix_bad("10.0.0.1/8", "prefix '10.0.0.1/8' has host bits set after /8");
	prefix_bad("0.0.0.1/0", "prefix '0.0.0.1/0' has host bits set after /0");
	prefix_bad("2001:db8::1/64", "prefix '2001:db8::1/64' has host bits set after /64");
	prefix_bad("::ffff:10.0.0.1/104", "prefix '::ffff:10.0.0.1/104' has host bits set after /104");
	prefix_bad("10.0.0/8", "malformed prefix '10.0.0/8': '10.0.0' is not an IPv4 or IPv6 address");
	prefix_bad("256.0.0.0/8", "malformed prefix '256.0.0.0/8': '256.0.0.0' is not an IPv4 or IPv6 address");
	prefix_bad("example.com", "malformed prefix 'example.com': 'example.com' is not an IPv4 or IPv6 address");
	prefix_bad("fe80::1%lo", "malformed prefix 'fe80::1%lo': 'fe80::1%lo' is not an IPv4 or IPv6 address");
	prefix_bad("1:2:3:4:5:6:7:8:9", "malformed prefix '1:2:3:4:5:6:7:8:9': '1:2:3:4:5:6:7:8:9' is not an IPv4 or IPv6 address");
	prefix_bad(" 10.0.0.0/8", "malformed prefix ' 10.0.0.0/8': ' 10.0.0.0' is not an IPv4 or IPv6 address");
	/* an address part too long for any address: refused, message bounded */
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	{
		char want[128];

		snprintf(want, sizeof(want), "malformed prefix '%.64s'", big);
		prefix_bad(big, want);
	}

	/* endpoints */
	endpoint_ok("127.0.0.1:25", "127.0.0.1:25");
	endpoint_ok("127.0.0.1", "127.0.0.1:25");
	endpoint_ok("192.0.2.1:2525", "192.0.2.1:2525");
	endpoint_ok("[::1]:587", "[::1]:587");
	endpoint_ok("[::1]", "[::1]:25");
	endpoint_ok("::1", "[::1]:25");
	endpoint_ok("2001:db8::25", "[2001:db8::25]:25");
	endpoint_ok("127.0.0.1:65535", "127.0.0.1:65535");

	endpoint_bad("", "malformed endpoint ''");
	endpoint_bad(":25", "malformed endpoint ':25'");
	endpoint_bad("127.0.0.1:", "malformed endpoint: port '' must be 1-65535");
	endpoint_bad("127.0.0.1:0", "malformed endpoint: port '0' must be 1-65535");
	endpoint_bad("127.0.0.1:65536", "malformed endpoint: port '65536' must be 1-65535");
	endpoint_bad("127.0.0.1:x", "malformed endpoint: port 'x' must be 1-65535");
	endpoint_bad("[::1]:0", "malformed endpoint: port '0' must be 1-65535");
	endpoint_bad("[::1]:", "malformed endpoint: port '' must be 1-65535");
	endpoint_bad("[::1", "malformed endpoint '[::1': missing ']'");
	endpoint_bad("[::1]25", "malformed endpoint '[::1]25'");
	endpoint_bad("[]", "malformed endpoint '[]'");
	endpoint_bad("[]:25", "malformed endpoint '[]:25'");
	endpoint_bad("localhost:25", "malformed endpoint: 'localhost' is not an IPv4 or IPv6 address");
	endpoint_bad("[nothing]:25", "malformed endpoint: 'nothing' is not an IPv4 or IPv6 address");
	endpoint_bad("::1:25:x", "malformed endpoint: '::1:25:x' is not an IPv4 or IPv6 address");

	/* formatting fits the advertised buffer and truncates safely */
	{
		struct sg_prefix p;
		struct sg_endpoint e;

		sg_parse_prefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120", &p, err, sizeof(err));
		sg_format_prefix(&p, buf, sizeof(buf));
		STR_EQ(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120", "longest v6 prefix formats");
		sg_parse_endpoint("[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535", &e, err, sizeof(err));
		sg_format_endpoint(&e, buf, sizeof(buf));
		STR_EQ(buf, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535", "longest endpoint formats");
		sg_format_endpoint(&e, buf, 8);
		STR_EQ(buf, "[ffff:f", "a short buffer truncates");
	}
	return tap_done();
}
