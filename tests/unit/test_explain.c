// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests (issue 10): explain's decision (user/explain.c). Every step of
 * the BPF program's order, the rule text each one gives, IPv4-mapped IPv6
 * judged as IPv4, longest prefix, the modes, DEST:PORT parsing, and the
 * hook points for extra steps (issue 10a) in their place.
 */
#include <string.h>
#include "tap.h"
#include "config.h"
#include "explain.h"

static struct sg_config pol;

static void policy(const char *text)
{
	char err[512];

	sg_config_free(&pol);
	if (sg_config_parse("t.conf", text, strlen(text), NULL, &pol, err, sizeof(err)))
		printf("# bad test policy: %s\n", err);
}

static void q_of(struct sg_ex_query *q, const char *dst, uint32_t uid, const char *user,
		 uint32_t gid)
{
	char err[512];

	memset(q, 0, sizeof(*q));
	if (sg_ex_parse_target(dst, &q->dst, err, sizeof(err)))
		printf("# bad target %s: %s\n", dst, err);
	q->uid = uid;
	q->gid = gid;
	snprintf(q->user, sizeof(q->user), "%s", user);
}

static void expect(const char *dst, uint32_t uid, const char *user, uint32_t gid,
		   enum sg_ex_verdict v, const char *step, const char *rule)
{
	struct sg_ex_query q;
	struct sg_ex_result r;

	q_of(&q, dst, uid, user, gid);
	sg_explain(&pol, &q, NULL, 0, &r);
	OK(r.verdict == v, "%s uid %u gid %u: %s (got %s)", dst, uid, gid, sg_ex_verdict_name(v),
	   sg_ex_verdict_name(r.verdict));
	STR_EQ(r.step, step, "%s uid %u: step %s", dst, uid, step);
	STR_EQ(r.rule, rule, "%s uid %u: rule", dst, uid);
}

static void test_steps(void)
{
	policy("ports = 25, 587\nallow_users = 0, 2000\nallow_groups = 3000\n"
	       "allow_destinations = 127.0.0.0/8, ::1, 192.0.2.0/24, 192.0.2.128/25, 2001:db8:5::/48\n");
	expect("203.0.113.9:80", 1001, "alice", 1001, SG_EX_ALLOWED, "port", "port 80 not guarded");
	expect("127.0.0.1:25", 1001, "alice", 1001, SG_EX_ALLOWED, "destination",
	       "destination 127.0.0.0/8 in allow_destinations");
	expect("192.0.2.200:25", 1001, "alice", 1001, SG_EX_ALLOWED, "destination",
	       "destination 192.0.2.128/25 in allow_destinations");
	expect("192.0.2.1:587", 1001, "alice", 1001, SG_EX_ALLOWED, "destination",
	       "destination 192.0.2.0/24 in allow_destinations");
	expect("[::1]:25", 1001, "alice", 1001, SG_EX_ALLOWED, "destination",
	       "destination ::1/128 in allow_destinations");
	expect("[2001:db8:5:1::9]:25", 1001, "", 1001, SG_EX_ALLOWED, "destination",
	       "destination 2001:db8:5::/48 in allow_destinations");
	expect("[::ffff:127.0.0.1]:25", 1001, "alice", 1001, SG_EX_ALLOWED, "destination",
	       "destination 127.0.0.0/8 in allow_destinations (IPv4-mapped address, judged as IPv4)");
	/* the destination wins over the uid, as in the kernel */
	expect("127.0.0.1:25", 0, "root", 0, SG_EX_ALLOWED, "destination",
	       "destination 127.0.0.0/8 in allow_destinations");
	expect("203.0.113.9:25", 0, "root", 0, SG_EX_ALLOWED, "user", "uid 0 (root) in allow_users");
	expect("[2001:db8::2]:587", 2000, "", 1001, SG_EX_ALLOWED, "user", "uid 2000 in allow_users");
	/* the uid wins over the gid */
	expect("203.0.113.9:25", 2000, "", 3000, SG_EX_ALLOWED, "user", "uid 2000 in allow_users");
	expect("203.0.113.9:25", 1002, "bob", 3000, SG_EX_ALLOWED, "group", "gid 3000 in allow_groups");
	expect("203.0.113.9:25", 1001, "alice", 1001, SG_EX_REFUSED, "mode",
	       "port 25 guarded; destination not allowed; uid 1001 (alice) not in allow_users; "
	       "gid 1001 not in allow_groups; mode enforce");
	expect("[::ffff:203.0.113.9]:25", 1001, "", 1001, SG_EX_REFUSED, "mode",
	       "port 25 guarded; destination not allowed (IPv4-mapped address, judged as IPv4); "
	       "uid 1001 not in allow_users; gid 1001 not in allow_groups; mode enforce");
	/* an IPv6 prefix does not cover a mapped IPv4 address, nor the reverse */
	policy("ports = 25\nallow_users =\nallow_groups =\nallow_destinations = ::/0\n");
	expect("[::ffff:192.0.2.2]:25", 1, "", 1, SG_EX_REFUSED, "mode",
	       "port 25 guarded; destination not allowed (IPv4-mapped address, judged as IPv4); "
	       "uid 1 not in allow_users; gid 1 not in allow_groups; mode enforce");
	expect("[2001:db8::2]:25", 1, "", 1, SG_EX_ALLOWED, "destination",
	       "destination ::/0 in allow_destinations");
}

static void test_modes(void)
{
	struct sg_ex_query q;
	struct sg_ex_result r;
	char to[64];

	policy("ports = 25\nallow_users =\nallow_groups =\nallow_destinations =\nmode = audit\n");
	expect("203.0.113.9:25", 1001, "", 1001, SG_EX_AUDITED, "mode",
	       "port 25 guarded; destination not allowed; uid 1001 not in allow_users; "
	       "gid 1001 not in allow_groups; mode audit");
	policy("ports = 25\nallow_users =\nallow_groups =\nallow_destinations =\nmode = redirect\n"
	       "redirect_to = 127.0.0.2:25, [::1]:26\n");
	expect("203.0.113.9:25", 1001, "", 1001, SG_EX_REDIRECTED, "mode",
	       "port 25 guarded; destination not allowed; uid 1001 not in allow_users; "
	       "gid 1001 not in allow_groups; mode redirect to 127.0.0.2:25");
	expect("[2001:db8::2]:25", 1001, "", 1001, SG_EX_REDIRECTED, "mode",
	       "port 25 guarded; destination not allowed; uid 1001 not in allow_users; "
	       "gid 1001 not in allow_groups; mode redirect to [::1]:26");
	q_of(&q, "[::ffff:203.0.113.9]:25", 1001, "", 1001);
	sg_explain(&pol, &q, NULL, 0, &r);
	sg_format_endpoint(&r.redirect, to, sizeof(to));
	OK(r.verdict == SG_EX_REDIRECTED && r.mapped, "a mapped address is redirected");
	STR_EQ(to, "127.0.0.2:25", "... to the IPv4 target, as the kernel keeps it on the IPv4 path");
}

/* An extra step as 10a would add one: allows uid 1001 to 192.0.2.10:587. */
static int user_dst(void *ctx, const struct sg_ex_query *q, const uint8_t *addr, uint8_t fam,
		    char *text, size_t len)
{
	static const uint8_t want[4] = { 192, 0, 2, 10 };

	(*(int *)ctx)++;
	if (q->uid == 1001 && fam == 4 && !memcmp(addr, want, 4) && q->dst.port == 587) {
		snprintf(text, len, "allow_user_destinations alice 192.0.2.10/32:587");
		return 1;
	}
	snprintf(text, len, "no allow_user_destinations entry");
	return 0;
}

static void test_extras(void)
{
	int calls = 0;
	struct sg_ex_extra ex = { "user_destination", SG_EX_GID, user_dst, &calls };
	struct sg_ex_query q;
	struct sg_ex_result r;

	policy("ports = 25, 587\nallow_users = 0\nallow_groups =\nallow_destinations = 127.0.0.0/8\n");
	q_of(&q, "[::ffff:192.0.2.10]:587", 1001, "alice", 1001);
	sg_explain(&pol, &q, &ex, 1, &r);
	OK(r.verdict == SG_EX_ALLOWED, "an extra step allows");
	STR_EQ(r.step, "user_destination", "its name is the step");
	STR_EQ(r.rule, "allow_user_destinations alice 192.0.2.10/32:587", "its rule text");
	q_of(&q, "192.0.2.10:25", 1001, "alice", 1001);
	sg_explain(&pol, &q, &ex, 1, &r);
	STR_EQ(r.rule, "port 25 guarded; destination not allowed; uid 1001 (alice) not in "
	       "allow_users; gid 1001 not in allow_groups; no allow_user_destinations entry; "
	       "mode enforce", "a step that does not allow adds its reason in its place");
	calls = 0;
	q_of(&q, "127.0.0.1:587", 1001, "alice", 1001);
	sg_explain(&pol, &q, &ex, 1, &r);
	OK(calls == 0 && !strcmp(r.step, "destination"), "not reached when the destination allows");
	q_of(&q, "192.0.2.10:587", 0, "root", 0);
	sg_explain(&pol, &q, &ex, 1, &r);
	OK(calls == 0 && !strcmp(r.step, "user"), "not reached when the uid allows (placed after gid)");
	ex.after = SG_EX_DST;
	q_of(&q, "192.0.2.10:587", 1001, "alice", 1001);
	sg_explain(&pol, &q, &ex, 1, &r);
	OK(calls == 1 && !strcmp(r.step, "user_destination"), "placed after the destination step");
}

static void test_target(void)
{
	struct sg_endpoint e;
	char err[512];

	OK(sg_ex_parse_target("203.0.113.9:25", &e, err, sizeof(err)) == 0 && e.family == 4 &&
	   e.port == 25, "v4:port");
	OK(sg_ex_parse_target("[2001:db8::1]:587", &e, err, sizeof(err)) == 0 && e.family == 6 &&
	   e.port == 587, "[v6]:port");
	OK(sg_ex_parse_target("[::ffff:192.0.2.1]:25", &e, err, sizeof(err)) == 0 &&
	   e.family == 6 && e.addr[10] == 0xff, "a mapped address stays IPv6 (judged later)");
	OK(sg_ex_parse_target("203.0.113.9", &e, err, sizeof(err)) == -1, "no port: refused");
	STR_EQ(err, "explain: '203.0.113.9' is not DEST:PORT (IPv6 in brackets: [2001:db8::1]:25)",
	       "message");
	OK(sg_ex_parse_target("2001:db8::1", &e, err, sizeof(err)) == -1, "bare v6: refused");
	OK(sg_ex_parse_target("[2001:db8::1]", &e, err, sizeof(err)) == -1, "[v6] without port");
	OK(sg_ex_parse_target("203.0.113.9:0", &e, err, sizeof(err)) == -1, "port 0 refused");
	STR_EQ(err, "explain: malformed endpoint: port '0' must be 1-65535", "port message");
	OK(sg_ex_parse_target("mx.example:25", &e, err, sizeof(err)) == -1, "a host name refused");
}

static void test_contains(void)
{
	struct sg_prefix p = { .family = 4, .len = 25, .addr = { 192, 0, 2, 128 } };
	uint8_t a[16] = { 192, 0, 2, 129 }, b[16] = { 192, 0, 2, 127 };

	OK(sg_prefix_contains(&p, a, 4), "192.0.2.129 in 192.0.2.128/25");
	OK(!sg_prefix_contains(&p, b, 4), "192.0.2.127 not in 192.0.2.128/25");
	OK(!sg_prefix_contains(&p, a, 6), "another family never matches");
	p.len = 0;
	OK(sg_prefix_contains(&p, b, 4), "/0 matches everything of its family");
}

int main(void)
{
	test_steps();
	test_modes();
	test_extras();
	test_target();
	test_contains();
	sg_config_free(&pol);
	return tap_done();
}
