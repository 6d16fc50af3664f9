// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests (issue 10): allow_user_destinations / allow_group_destinations
 * parsing (every DEST form, every error with its exact message), the
 * matching the kernel trie does (sg_acct_match), the policy bits, and
 * allow_cgroups syntax and resolution against a fake cgroup root.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tap.h"
#include "config.h"

static char err[1024];

static int parse(const char *text, bool lenient, struct sg_config *cfg)
{
	struct sg_config_opts o = { .lenient_names = lenient, .unpriv_port_start = 1024 };

	err[0] = '\0';
	return sg_config_parse("t.conf", text, strlen(text), &o, cfg, err, sizeof(err));
}

static void bad(const char *text, const char *want)
{
	struct sg_config cfg;
	char full[1024];

	snprintf(full, sizeof(full), "t.conf:%s", want);
	OK(parse(text, false, &cfg) == -1, "refused: %s", want);
	STR_EQ(err, full, "message");
	OK(cfg.acct == NULL && cfg.cgroups == NULL, "nothing left allocated");
}

static void dst_forms(void)
{
	struct {
		const char *in, *prefix;
		unsigned port;
	} t[] = {
		{ "192.0.2.10/32:587", "192.0.2.10/32", 587 },
		{ "192.0.2.10:587", "192.0.2.10/32", 587 },
		{ "192.0.2.0/24", "192.0.2.0/24", 0 },
		{ "192.0.2.7", "192.0.2.7/32", 0 },
		{ "[2001:db8:5::/48]:587", "2001:db8:5::/48", 587 },
		{ "[2001:db8::1]:25", "2001:db8::1/128", 25 },
		{ "2001:db8::/32", "2001:db8::/32", 0 },
		{ "[2001:db8::/32]", "2001:db8::/32", 0 },
		{ "[::ffff:192.0.2.0/120]:465", "192.0.2.0/24", 465 },
		{ "::ffff:192.0.2.9", "192.0.2.9/32", 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sg_prefix p;
		char buf[SG_ADDRSTRLEN];
		uint16_t port = 99;

		OK(sg_parse_acct_dst(t[i].in, &p, &port, err, sizeof(err)) == 0, "DEST %s (%s)",
		   t[i].in, err);
		sg_format_prefix(&p, buf, sizeof(buf));
		STR_EQ(buf, t[i].prefix, "DEST %s: prefix", t[i].in);
		OK(port == t[i].port, "DEST %s: port %u", t[i].in, port);
	}
}

static void parse_good(void)
{
	struct sg_config cfg;
	struct sg_policy pol;
	char buf[128];

	OK(parse("ports = 25 587\n"
		 "allow_user_destinations = 0 192.0.2.10/32:587, [2001:db8:5::/48]:587\n"
		 "allow_user_destinations = 0 10.0.0.0/8\n"
		 "allow_group_destinations = 0 [::ffff:198.51.100.0/120]:25\n", false, &cfg) == 0,
	   "accepted (%s)", err);
	OK(cfg.nacct == 4, "four DESTs");
	OK(!cfg.acct[0].group && cfg.acct[0].id == 0 && cfg.acct[0].port == 587 &&
	   cfg.acct[0].line == 2 && cfg.acct[1].dst.family == 6 && cfg.acct[2].port == 0 &&
	   cfg.acct[2].line == 3, "fields and lines");
	OK(cfg.acct[3].group && cfg.acct[3].dst.family == 4 && cfg.acct[3].dst.len == 24,
	   "a mapped group DEST is IPv4");
	OK(sg_config_acct_keys(&cfg) == 5, "a port-less DEST counts once per guarded port");
	sg_format_acct(&cfg.acct[1], buf, sizeof(buf));
	STR_EQ(buf, "root [2001:db8:5::/48]:587", "text form, named");
	sg_config_to_policy(&cfg, &pol);
	OK(pol.acct_uid == 1 && pol.acct_gid == 1, "policy: both kinds present");
	sg_config_free(&cfg);
	OK(cfg.acct == NULL && cfg.nacct == 0, "freed");

	OK(parse("allow_user_destinations = 4000000000 192.0.2.1\n", false, &cfg) == 0,
	   "numeric id");
	sg_format_acct(&cfg.acct[0], buf, sizeof(buf));
	STR_EQ(buf, "4000000000 192.0.2.1/32", "text form of a number without a name");
	sg_config_to_policy(&cfg, &pol);
	OK(pol.acct_uid == 1 && pol.acct_gid == 0, "policy: users only");
	sg_config_free(&cfg);

	OK(parse("allow_user_destinations = 0 192.0.2.1:25\n", false, &cfg) == 0 &&
	   cfg.nacct == 1, "without 'ports', the default port 25 is guarded (%s)", err);
	sg_config_free(&cfg);
	OK(parse("allow_user_destinations =\n", false, &cfg) == 0 && cfg.nacct == 0,
	   "an empty value is an empty list");
	sg_config_free(&cfg);
}

static void parse_bad(void)
{
	bad("allow_user_destinations = root\n",
	    "1: 'allow_user_destinations' needs an account and at least one destination");
	bad("ports = 25\nallow_user_destinations = root 192.0.2.1:587\n",
	    "2: destination 192.0.2.1/32:587: port 587 is not a guarded port (not in 'ports')");
	bad("allow_group_destinations = root [2001:db8::/64]:2525\nports = 25\n",
	    "1: destination [2001:db8::/64]:2525: port 2525 is not a guarded port (not in 'ports')");
	bad("allow_user_destinations = root 2001:db8::/64:25\n",
	    "1: malformed prefix '2001:db8::/64:25': length must be 0-128");
	bad("allow_user_destinations = root [2001:db8::/64:25\n",
	    "1: malformed destination '[2001:db8::/64:25': PREFIX, PREFIX:PORT or [IPV6PREFIX]:PORT");
	bad("allow_user_destinations = root [2001:db8::]x\n",
	    "1: malformed destination '[2001:db8::]x': PREFIX, PREFIX:PORT or [IPV6PREFIX]:PORT");
	bad("allow_user_destinations = root 192.0.2.1:0\n",
	    "1: bad port '0' in destination '192.0.2.1:0': must be a number from 1 to 65535");
	bad("allow_user_destinations = root 192.0.2.1:\n",
	    "1: bad port '' in destination '192.0.2.1:': must be a number from 1 to 65535");
	bad("allow_user_destinations = root 192.0.2.1/33\n",
	    "1: malformed prefix '192.0.2.1/33': length must be 0-32");
	bad("allow_user_destinations = root 192.0.2.1/24\n",
	    "1: prefix '192.0.2.1/24' has host bits set after /24");
	bad("\nallow_user_destinations = no-such-user-sgtest 192.0.2.1\n",
	    "2: unknown user 'no-such-user-sgtest'");
	bad("allow_group_destinations = no-such-group-sgtest 192.0.2.1\n",
	    "1: unknown group 'no-such-group-sgtest'");
	bad("allow_user_destinations = 4294967295 192.0.2.1\n",
	    "1: user id '4294967295' out of range (0-4294967294)");
	bad("allow_cgroups = system.slice\n",
	    "1: bad cgroup 'system.slice': must be a path from the cgroup v2 root, such as "
	    "/system.slice/postfix.service");
	bad("allow_cgroups = /\n",
	    "1: cgroup '/' would allow every process: name the MTA's service, such as "
	    "/system.slice/postfix.service");
	bad("allow_cgroups = /a/../b\n", "1: bad cgroup '/a/../b': empty, '.' or '..' component");
	bad("allow_cgroups = /a//b\n", "1: bad cgroup '/a//b': empty, '.' or '..' component");
	bad("allow_cgroups = /a\nallow_cgroups = /a\n", "2: cgroup /a is listed twice (also on line 1)");
}

static void lenient(void)
{
	struct sg_config cfg;
	char sum[SG_SKIPPED_LEN];

	OK(parse("allow_user_destinations = no-such-user-sgtest 192.0.2.1, 192.0.2.2:25\n"
		 "allow_user_destinations = 0 192.0.2.3\n", true, &cfg) == 0,
	   "lenient: an unknown account is skipped (%s)", err);
	OK(cfg.nacct == 1 && cfg.acct[0].line == 2, "its DESTs are not added");
	sg_config_skipped_summary(&cfg, sum, sizeof(sum));
	STR_EQ(sum, "user no-such-user-sgtest (t.conf:1)", "and it is in the summary");
	sg_config_free(&cfg);
	OK(parse("allow_user_destinations = no-such-user-sgtest 192.0.2.1/40\n", true, &cfg) == -1,
	   "lenient still checks the DESTs of a skipped account");
}

static void match(void)
{
	struct sg_config cfg;
	const struct sg_acct_dst *m;
	uint8_t a4[4] = { 192, 0, 2, 10 }, b4[4] = { 192, 0, 3, 1 };
	uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 5, [15] = 1 };

	OK(parse("ports = 25 587\n"
		 "allow_user_destinations = 1001 192.0.2.0/24:587, [2001:db8:5::/48]:587\n"
		 "allow_user_destinations = 1001 192.0.2.10\n"
		 "allow_group_destinations = 1001 192.0.3.0/24:25\n", false, &cfg) == 0, "parsed");
	m = sg_acct_match(cfg.acct, cfg.nacct, false, 1001, 4, a4, 587);
	OK(m && m->line == 3 && m->dst.len == 32, "the longest prefix wins (port-less /32)");
	m = sg_acct_match(cfg.acct, cfg.nacct, false, 1001, 4, a4, 25);
	OK(m && m->line == 3, "a port-less DEST covers the other guarded port");
	m = sg_acct_match(cfg.acct, cfg.nacct, false, 1001, 4, b4, 587);
	OK(m == NULL, "another address: no match");
	m = sg_acct_match(cfg.acct, cfg.nacct, false, 1002, 4, a4, 587);
	OK(m == NULL, "another uid: no match");
	m = sg_acct_match(cfg.acct, cfg.nacct, false, 1001, 6, a6, 587);
	OK(m && m->dst.family == 6 && m->port == 587, "IPv6 prefix and port");
	m = sg_acct_match(cfg.acct, cfg.nacct, false, 1001, 6, a6, 25);
	OK(m == NULL, "IPv6 prefix on another port: no match");
	m = sg_acct_match(cfg.acct, cfg.nacct, true, 1001, 4, b4, 25);
	OK(m && m->group && m->line == 4, "a gid is not a uid: group entry");
	m = sg_acct_match(cfg.acct, cfg.nacct, false, 1001, 4, b4, 25);
	OK(m == NULL, "... and a uid does not match it");
	sg_config_free(&cfg);
}

static void cgroups(void)
{
	char root[] = "/tmp/sgcgtest.XXXXXX", dir[128], sum[SG_SKIPPED_LEN];
	struct sg_config cfg;
	struct stat st;

	OK(mkdtemp(root) != NULL, "fake cgroup root");
	snprintf(dir, sizeof(dir), "%s/system.slice", root);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/system.slice/postfix.service", root);
	mkdir(dir, 0755);
	stat(dir, &st);
	OK(parse("allow_cgroups = /system.slice/postfix.service, /system.slice/nope.service\n",
		 false, &cfg) == 0, "syntax accepted");
	OK(cfg.ncgroups == 2 && cfg.cgroups[0].level == 2 && cfg.cgroups[1].line == 1, "levels");
	OK(sg_config_resolve_cgroups(&cfg, root, true, false, err, sizeof(err)) == -1,
	   "strict: a missing path is an error");
	{
		char want[256];

		snprintf(want, sizeof(want),
			 "t.conf:1: cgroup '/system.slice/nope.service' does not exist under %s", root);
		STR_EQ(err, want, "... naming FILE:LINE and the root");
	}
	OK(sg_config_resolve_cgroups(&cfg, root, true, true, err, sizeof(err)) == 0,
	   "lenient: skipped");
	OK(cfg.ncgroups == 1 && cfg.cgroups[0].id == (uint64_t)st.st_ino,
	   "the id is the directory's inode");
	OK(cfg.cgroup_levels == 1u << 2, "only level 2 is looked at");
	sg_config_skipped_summary(&cfg, sum, sizeof(sum));
	STR_EQ(sum, "cgroup /system.slice/nope.service (t.conf:1)", "skipped summary");
	OK(sg_config_resolve_cgroups(&cfg, root, false, true, err, sizeof(err)) == 0 &&
	   cfg.cgroup_levels == 0xfffffffeu, "in a cgroup namespace every level is looked at");
	sg_config_free(&cfg);
	OK(parse("allow_cgroups = /a\n", false, &cfg) == 0 &&
	   sg_config_resolve_cgroups(&cfg, NULL, true, false, err, sizeof(err)) == -1,
	   "no cgroup v2 mounted: strict error");
	STR_EQ(err, "t.conf:1: cgroup '/a' cannot be found: no cgroup v2 hierarchy is mounted",
	       "message");
	sg_config_free(&cfg);
	rmdir(dir);
	snprintf(dir, sizeof(dir), "%s/system.slice", root);
	rmdir(dir);
	rmdir(root);
}

int main(void)
{
	dst_forms();
	parse_good();
	parse_bad();
	lenient();
	match();
	cgroups();
	return tap_done();
}
