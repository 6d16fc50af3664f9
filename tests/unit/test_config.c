// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests: the config parser (every bad-input case, with its exact
 * message), the built-in defaults, name resolution through NSS, the policy
 * conversion and the policy printers.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "tap.h"
#include "config.h"
#include "names.h"
#include "policy_print.h"

static char err[1024];

/* text for a TAP description: one line, at most 60 characters */
static const char *desc(const char *text)
{
	static char d[4][64];
	static int k;
	char *o = d[k++ % 4];
	size_t i;

	for (i = 0; i < 60 && text[i]; i++)
		o[i] = text[i] == '\n' ? '|' : (text[i] == '\r' || text[i] == '\t') ? ' ' : text[i];
	o[i] = '\0';
	return o;
}

static int parse(const char *text, struct sg_config *cfg)
{
	err[0] = '\0';
	return sg_config_parse("t.conf", text, strlen(text), NULL, cfg, err, sizeof(err));
}

/* text must fail with exactly "t.conf:<want>" */
static void bad(const char *text, const char *want)
{
	struct sg_config cfg;
	char full[1024];

	snprintf(full, sizeof(full), "t.conf:%s", want);
	OK(parse(text, &cfg) == -1, "refused: %s", desc(text));
	STR_EQ(err, full, "message for: %s", desc(text));
	OK(cfg.users == NULL && cfg.groups == NULL && cfg.dsts == NULL,
	   "nothing left allocated after: %s", desc(text));
}

static void good(const char *text, struct sg_config *cfg)
{
	int rc = parse(text, cfg);

	OK(rc == 0, "accepted: %s (%s)", desc(text), err);
}

static char *policy_text(const struct sg_config *cfg, int json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (json) {
		struct sg_json j;

		sg_json_to_file(&j, f);
		sg_policy_json(&j, cfg);
	} else
		sg_print_policy_text(f, cfg);
	fclose(f);
	return buf;
}

static char *json_of(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	sg_json_str(f, s);
	fclose(f);
	return buf;
}

/* "key = a b c ..." of n numbers from start, 1000 to a line: for limit
 * tests. Number i (from 0) stands on line i / 1000 + 1. */
static char *numbers(const char *key, unsigned start, unsigned n)
{
	size_t cap = (strlen(key) + 16) * (n / 1000 + 1) + (size_t)n * 12;
	char *s = malloc(cap);
	size_t o = 0;

	s[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		if (i % 1000 == 0)
			o += (size_t)snprintf(s + o, cap - o, "%s%s =", i ? "\n" : "", key);
		o += (size_t)snprintf(s + o, cap - o, " %u", start + i);
	}
	return s;
}

/* "key = w w w ..." n times, 1000 to a line */
static char *repeat(const char *key, const char *w, unsigned n)
{
	size_t cap = (strlen(key) + 16) * (n / 1000 + 1) + (size_t)n * (strlen(w) + 1);
	char *s = malloc(cap);
	size_t o = 0;

	s[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		if (i % 1000 == 0)
			o += (size_t)snprintf(s + o, cap - o, "%s%s =", i ? "\n" : "", key);
		o += (size_t)snprintf(s + o, cap - o, " %s", w);
	}
	return s;
}

static void test_names(void)
{
	uint32_t id = 12345;
	char name[SG_NAME_MAX];

	OK(sg_user_id("root", &id) == 0 && id == 0, "user root is uid 0");
	id = 12345;
	OK(sg_group_id("root", &id) == 0 && id == 0, "group root is gid 0");
	OK(sg_user_id("no-such-user-sgtest", &id) == -1, "unknown user: -1");
	OK(sg_group_id("no-such-group-sgtest", &id) == -1, "unknown group: -1");
	OK(sg_user_id("", &id) == -1, "empty user name: -1");
	sg_user_name(0, name, sizeof(name));
	STR_EQ(name, "root", "uid 0 is named root");
	sg_group_name(0, name, sizeof(name));
	STR_EQ(name, "root", "gid 0 is named root");
	sg_user_name(4000000000u, name, sizeof(name));
	STR_EQ(name, "", "an unnamed uid has no name");
	sg_group_name(4000000000u, name, sizeof(name));
	STR_EQ(name, "", "an unnamed gid has no name");
	sg_user_name(0, name, 3);
	STR_EQ(name, "ro", "a name is cut to the buffer");
}

static int has_user(const struct sg_config *c, uint32_t id, const char *name)
{
	for (unsigned i = 0; i < c->nusers; i++)
		if (c->users[i].id == id && !strcmp(c->users[i].name, name))
			return 1;
	return 0;
}

static void test_defaults(void)
{
	static const char *const users[] = { "exim", "Debian-exim", "mailnull", "postfix",
					     "mailman", "list" };
	static const char *const groups[] = { "mail", "mailman" };
	struct sg_config cfg;
	char buf[SG_ADDRSTRLEN];
	unsigned nu = 1, ng = 0;

	OK(sg_config_defaults(&cfg) == 0, "defaults build");
	STR_EQ(cfg.source, "(built-in defaults)", "defaults: source");
	OK(cfg.nports == 1 && cfg.ports[0] == 25, "defaults: port 25 only");
	OK(has_user(&cfg, 0, "root"), "defaults: root allowed");
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		struct passwd *pw = getpwnam(users[i]);

		if (pw) {
			nu++;
			OK(has_user(&cfg, pw->pw_uid, users[i]), "defaults: %s allowed (exists here)",
			   users[i]);
		}
	}
	OK(cfg.nusers == nu, "defaults: %u users (root + existing MTA/list accounts)", nu);
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (getgrnam(groups[i]))
			ng++;
	OK(cfg.ngroups == ng, "defaults: %u groups (mail/mailman where they exist)", ng);
	OK(cfg.ndsts == 2, "defaults: two destinations");
	sg_format_prefix(&cfg.dsts[0], buf, sizeof(buf));
	STR_EQ(buf, "127.0.0.0/8", "defaults: 127.0.0.0/8");
	sg_format_prefix(&cfg.dsts[1], buf, sizeof(buf));
	STR_EQ(buf, "::1/128", "defaults: ::1/128");
	OK(cfg.mode == SG_MODE_ENFORCE, "defaults: enforce");
	sg_format_endpoint(&cfg.redirect4, buf, sizeof(buf));
	STR_EQ(buf, "127.0.0.1:25", "defaults: redirect v4");
	sg_format_endpoint(&cfg.redirect6, buf, sizeof(buf));
	STR_EQ(buf, "[::1]:25", "defaults: redirect v6");
	OK(cfg.event_rate == SG_DEFAULT_EVENT_RATE, "defaults: event rate");
	OK(cfg.event_rate_total == SG_DEFAULT_EVENT_RATE_TOTAL, "defaults: global event budget");
	sg_config_free(&cfg);
	OK(cfg.users == NULL && cfg.nusers == 0, "free clears the config");
	sg_config_free(&cfg); /* twice is harmless */

	/* an empty file or one with only comments is the defaults, too */
	good("", &cfg);
	OK(cfg.nports == 1 && cfg.nusers == nu && cfg.ndsts == 2, "empty text: defaults");
	STR_EQ(cfg.source, "t.conf", "source is the file name");
	sg_config_free(&cfg);
	good("# nothing\n\n   \n\t# indented comment\n", &cfg);
	OK(cfg.nports == 1 && cfg.ports[0] == 25 && cfg.nusers == nu, "only comments: defaults");
	sg_config_free(&cfg);
}

static void test_good(void)
{
	struct sg_config cfg;
	char buf[SG_ADDRSTRLEN];

	good("ports = 25, 465 587\n", &cfg);
	OK(cfg.nports == 3 && cfg.ports[0] == 25 && cfg.ports[1] == 465 && cfg.ports[2] == 587,
	   "ports: comma and blank separated");
	OK(cfg.nusers >= 1 && has_user(&cfg, 0, "root"), "other keys keep defaults");
	sg_config_free(&cfg);

	good("ports = 25\nports = 2525\n", &cfg);
	OK(cfg.nports == 2 && cfg.ports[1] == 2525, "a list key may repeat: values add up");
	sg_config_free(&cfg);

	good("ports =\n", &cfg);
	OK(cfg.nports == 0, "'ports =' sets an empty list");
	sg_config_free(&cfg);

	good("allow_users =\nallow_groups=\nallow_destinations =  \n", &cfg);
	OK(cfg.nusers == 0 && cfg.ngroups == 0 && cfg.ndsts == 0, "empty lists stay empty");
	sg_config_free(&cfg);

	good("  ports\t=\t25,,, 26 ,\t27  # trailing comment\r\n", &cfg);
	OK(cfg.nports == 3 && cfg.ports[2] == 27, "blanks, tabs, empty items, CRLF, comments");
	sg_config_free(&cfg);

	good("ports = 65535, 1", &cfg);
	OK(cfg.nports == 2 && cfg.ports[0] == 65535 && cfg.ports[1] == 1,
	   "ports 1 and 65535, last line without newline");
	sg_config_free(&cfg);

	good("allow_users = root, 4000000000, 4294967294\n", &cfg);
	OK(cfg.nusers == 3, "three users");
	OK(has_user(&cfg, 0, "root"), "user by name");
	OK(has_user(&cfg, 4000000000u, ""), "user by number without a name");
	OK(has_user(&cfg, 4294967294u, ""), "largest uid");
	OK(cfg.users[0].line == 1, "users remember their line");
	sg_config_free(&cfg);

	good("allow_users = 0\nallow_groups = 0, 4000000001\n", &cfg);
	OK(cfg.nusers == 1 && has_user(&cfg, 0, ""), "user by number: no NSS lookup at parse time");
	OK(cfg.ngroups == 2 && cfg.groups[0].id == 0 && !cfg.groups[0].name[0] &&
	   cfg.groups[1].id == 4000000001u && !cfg.groups[1].name[0], "groups by number");
	{
		char *t = policy_text(&cfg, 0);

		OK(strstr(t, "allow users:         root(0)\n") != NULL &&
		   strstr(t, "allow groups:        root(0) 4000000001\n") != NULL,
		   "the printer names numbers when it prints");
		free(t);
	}
	OK(cfg.groups[0].line == 2, "groups remember their line");
	sg_config_free(&cfg);

	good("allow_groups = root\n", &cfg);
	OK(cfg.ngroups == 1 && cfg.groups[0].id == 0, "group by name");
	sg_config_free(&cfg);

	good("allow_destinations = 10.0.0.0/8, 2001:db8::/32 192.0.2.1 ::ffff:198.51.100.0/120\n",
	     &cfg);
	OK(cfg.ndsts == 4, "four destinations");
	sg_format_prefix(&cfg.dsts[3], buf, sizeof(buf));
	STR_EQ(buf, "198.51.100.0/24", "a mapped prefix becomes IPv4");
	sg_format_prefix(&cfg.dsts[2], buf, sizeof(buf));
	STR_EQ(buf, "192.0.2.1/32", "a bare address is a host prefix");
	sg_config_free(&cfg);

	good("mode = audit\n", &cfg);
	OK(cfg.mode == SG_MODE_AUDIT, "mode audit");
	sg_config_free(&cfg);
	good("mode=redirect\nredirect_to = 192.0.2.25:587, [2001:db8::25]:26\n", &cfg);
	OK(cfg.mode == SG_MODE_REDIRECT, "mode redirect");
	sg_format_endpoint(&cfg.redirect4, buf, sizeof(buf));
	STR_EQ(buf, "192.0.2.25:587", "redirect v4 endpoint");
	sg_format_endpoint(&cfg.redirect6, buf, sizeof(buf));
	STR_EQ(buf, "[2001:db8::25]:26", "redirect v6 endpoint");
	sg_config_free(&cfg);
	good("redirect_to = ::1\n", &cfg);
	sg_format_endpoint(&cfg.redirect4, buf, sizeof(buf));
	STR_EQ(buf, "127.0.0.1:25", "redirect_to with only v6 keeps the v4 default");
	sg_format_endpoint(&cfg.redirect6, buf, sizeof(buf));
	STR_EQ(buf, "[::1]:25", "redirect v6 default port");
	sg_config_free(&cfg);
	good("mode = enforce\nevent_rate = 0\n", &cfg);
	OK(cfg.mode == SG_MODE_ENFORCE && cfg.event_rate == 0, "mode enforce, event_rate 0");
	sg_config_free(&cfg);
	good("event_rate_total = 0\n", &cfg);
	OK(cfg.event_rate_total == 0 && cfg.event_rate == SG_DEFAULT_EVENT_RATE,
	   "event_rate_total 0: no global budget");
	sg_config_free(&cfg);
	good("event_rate = 100000\n", &cfg);
	OK(cfg.event_rate == 100000, "event_rate at its limit");
	sg_config_free(&cfg);

	/* '#' starts a comment anywhere, also inside a value */
	good("ports = 25 # 26\n#ports = 27\n", &cfg);
	OK(cfg.nports == 1, "comment inside a value line");
	sg_config_free(&cfg);
	/* a line of exactly the limit is fine */
	{
		size_t n = 65536;
		char *t = malloc(n + 2);

		memset(t, ' ', n);
		memcpy(t, "ports = 25", 10);
		t[n] = '\n';
		t[n + 1] = '\0';
		good(t, &cfg);
		sg_config_free(&cfg);
		free(t);
	}
}

static void test_bad(void)
{
	char *t;
	char want[256];

	/* lines and keys */
	bad("foo = 1\n", "1: unknown key 'foo'");
	bad("# c\n\nPorts = 25\n", "3: unknown key 'Ports'");
	bad("allow users = root\n", "1: unknown key 'allow users'");
	bad("ports 25\n", "1: expected 'key = value', got 'ports 25'");
	bad("ports\n", "1: expected 'key = value', got 'ports'");
	bad("= 25\n", "1: missing key before '='");
	bad("ports = 25\n\n  =\n", "3: missing key before '='");
	bad("[section]\n", "1: expected 'key = value', got '[section]'");
	bad("0123456789012345678901234567890123456789 and more\n",
	    "1: expected 'key = value', got '0123456789012345678901234567890123456789'");
	bad("0123456789012345678901234567890123456789 and more = 1\n",
	    "1: unknown key '0123456789012345678901234567890123456789'");
	/* ports */
	bad("ports = 0\n", "1: bad port '0': must be a number from 1 to 65535");
	bad("ports = 65536\n", "1: bad port '65536': must be a number from 1 to 65535");
	bad("ports = -1\n", "1: bad port '-1': must be a number from 1 to 65535");
	bad("ports = +25\n", "1: bad port '+25': must be a number from 1 to 65535");
	bad("ports = smtp\n", "1: bad port 'smtp': must be a number from 1 to 65535");
	bad("ports = 25;26\n", "1: bad port '25;26': must be a number from 1 to 65535");
	bad("ports = 0x19\n", "1: bad port '0x19': must be a number from 1 to 65535");
	bad("ports = 99999999999999999999999\n",
	    "1: bad port '99999999999999999999999': must be a number from 1 to 65535");
	bad("ports = 25, 25\n", "1: duplicate port 25");
	bad("ports = 25\nports = 587, 25\n", "2: duplicate port 25");
	bad("ports = 025 25\n", "1: duplicate port 25");
	t = numbers("ports", 1, SG_MAX_PORTS + 1);
	snprintf(want, sizeof(want), "1: too many ports: at most %d", SG_MAX_PORTS);
	bad(t, want);
	free(t);
	/* users and groups */
	bad("allow_users = root, no-such-user-sgtest\n", "1: unknown user 'no-such-user-sgtest'");
	bad("allow_groups = no-such-group-sgtest\n", "1: unknown group 'no-such-group-sgtest'");
	bad("allow_users = -1\n", "1: unknown user '-1'");
	bad("allow_users = 1e3\n", "1: unknown user '1e3'");
	bad("allow_users = 4294967295\n", "1: user id '4294967295' out of range (0-4294967294)");
	bad("allow_groups = 4294967295\n", "1: group id '4294967295' out of range (0-4294967294)");
	bad("allow_users = 99999999999999999999999\n",
	    "1: user id '99999999999999999999999' out of range (0-4294967294)");
	bad("allow_users = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    "1: user name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is too long (at most 63 characters)");
	bad("allow_groups = gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg\n",
	    "1: group name 'gggggggggggggggggggggggggggggggg...' is too long (at most 63 characters)");
	bad("allow_users = root, 0\n", "1: user root / id 0 is listed twice (also on line 1)");
	bad("allow_users = 0\n# x\nallow_users = root\n",
	    "3: user root / id 0 is listed twice (also on line 1)");
	bad("allow_users = 4000000000 4000000000\n",
	    "1: user id 4000000000 is listed twice (also on line 1)");
	bad("allow_groups = 0\nallow_groups = root\n",
	    "2: group root / id 0 is listed twice (also on line 1)");
	/* destinations */
	bad("allow_destinations = 10.0.0.1/8\n", "1: prefix '10.0.0.1/8' has host bits set after /8");
	bad("allow_destinations = 10.0.0.0/33\n",
	    "1: malformed prefix '10.0.0.0/33': length must be 0-32");
	bad("allow_destinations = mail.example.com\n",
	    "1: malformed prefix 'mail.example.com': 'mail.example.com' is not an IPv4 or IPv6 address");
	bad("allow_destinations = 10.0.0.0/8, 10.0.0.0/8\n", "1: duplicate destination 10.0.0.0/8");
	bad("allow_destinations = 192.0.2.1\nallow_destinations = ::ffff:192.0.2.1/128\n",
	    "2: duplicate destination 192.0.2.1/32");
	bad("allow_destinations = ::1 0::1/128\n", "1: duplicate destination ::1/128");
	{
		size_t cap = 64 + (SG_MAX_PREFIXES + 1) * 20, o;
		char *s = malloc(cap);

		o = (size_t)snprintf(s, cap, "allow_destinations =");
		for (unsigned i = 0; i <= SG_MAX_PREFIXES; i++)
			o += (size_t)snprintf(s + o, cap - o, " 10.%u.%u.0/24", i / 256, i % 256);
		snprintf(want, sizeof(want), "1: too many IPv4 destinations: at most %d",
			 SG_MAX_PREFIXES);
		bad(s, want);
		o = (size_t)snprintf(s, cap, "allow_destinations =");
		for (unsigned i = 0; i <= SG_MAX_PREFIXES; i++)
			o += (size_t)snprintf(s + o, cap - o, " 2001:db8:%x::/48", i);
		snprintf(want, sizeof(want), "1: too many IPv6 destinations: at most %d",
			 SG_MAX_PREFIXES);
		bad(s, want);
		free(s);
	}
	/* scalar keys */
	bad("mode = block\n", "1: bad mode 'block': must be enforce, audit or redirect");
	bad("mode = Enforce\n", "1: bad mode 'Enforce': must be enforce, audit or redirect");
	bad("mode =\n", "1: 'mode' needs a value");
	bad("mode = enforce audit\n", "1: 'mode' takes one value");
	bad("mode = audit\nmode = audit\n", "2: 'mode' is set twice (first on line 1)");
	bad("event_rate = 100001\n", "1: bad event_rate '100001': must be a number from 0 to 100000");
	bad("event_rate = -1\n", "1: bad event_rate '-1': must be a number from 0 to 100000");
	bad("event_rate = 1 2\n", "1: 'event_rate' takes one value");
	/* issue 11: the global budget */
	bad("event_rate_total = 1000001\n",
	    "1: bad event_rate_total '1000001': must be a number from 0 to 1000000");
	bad("event_rate_total = x\n", "1: bad event_rate_total 'x': must be a number from 0 to 1000000");
	bad("event_rate =\n", "1: 'event_rate' needs a value");
	bad("event_rate = 5\nevent_rate = 5\n", "2: 'event_rate' is set twice (first on line 1)");
	bad("redirect_to =\n", "1: 'redirect_to' needs a value");
	bad("redirect_to = 127.0.0.1, 127.0.0.2\n", "1: redirect_to has two IPv4 endpoints");
	bad("redirect_to = ::1 [::2]:25\n", "1: redirect_to has two IPv6 endpoints");
	bad("redirect_to = 127.0.0.1:0\n", "1: malformed endpoint: port '0' must be 1-65535");
	bad("redirect_to = localhost\n",
	    "1: malformed endpoint: 'localhost' is not an IPv4 or IPv6 address");
	bad("redirect_to = [::1\n", "1: malformed endpoint '[::1': missing ']'");
	bad("redirect_to = ::1\nredirect_to = 127.0.0.1\n",
	    "2: 'redirect_to' is set twice (first on line 1)");
	/* the first error wins, and later lines are not looked at */
	bad("ports = 0\nfoo = 1\n", "1: bad port '0': must be a number from 1 to 65535");
	/* line numbers count every line, blank, comment or CRLF */
	bad("# a\r\n\r\n  # b\r\nports = 25\r\n\r\nmode = x\r\n",
	    "6: bad mode 'x': must be enforce, audit or redirect");
	/* a line over the limit */
	{
		size_t n = (1 << 20) + 1;
		char *s = malloc(n + 20);

		memcpy(s, "ports = 25\n", 11);
		memset(s + 11, ' ', n);
		s[11 + n] = '\0';
		bad(s, "2: line longer than 1048576 bytes");
		free(s);
	}
}

static void test_nul_and_limits(void)
{
	static const char nul[] = "ports = 25\nports = 2\0006\n";
	struct sg_config cfg;
	char want[128];
	char *t;

	err[0] = '\0';
	OK(sg_config_parse("t.conf", nul, sizeof(nul) - 1, NULL, &cfg, err, sizeof(err)) == -1,
	   "a NUL byte is refused");
	STR_EQ(err, "t.conf:2: NUL byte in line", "NUL byte message");
	/* the parser reads exactly len bytes: no terminator needed */
	{
		char *raw = malloc(10);

		memcpy(raw, "ports = 26", 10);
		err[0] = '\0';
		OK(sg_config_parse("t.conf", raw, 10, NULL, &cfg, err, sizeof(err)) == 0 &&
		   cfg.nports == 1 && cfg.ports[0] == 26, "text without a terminator");
		sg_config_free(&cfg);
		free(raw);
	}
	/* a long file name and a small error buffer cut the message safely */
	{
		char small[16];

		OK(sg_config_parse("t.conf", "foo = 1", 7, NULL, &cfg, small, sizeof(small)) == -1,
		   "small error buffer");
		STR_EQ(small, "t.conf:1: unkno", "message cut to the buffer");
	}
	/* limits of the sets: exactly at the limit is fine, one more is not */
	t = numbers("ports", 1, SG_MAX_PORTS);
	good(t, &cfg);
	OK(cfg.nports == SG_MAX_PORTS, "%d ports are fine", SG_MAX_PORTS);
	sg_config_free(&cfg);
	free(t);
	/* uid/gid 0 resolve fast (first line of /etc/passwd), so repeating 0
	 * reaches the limit quickly; the limit is checked before duplicates */
	t = repeat("allow_groups", "0", SG_MAX_GIDS + 1);
	snprintf(want, sizeof(want), "%d: too many groups: at most %d", SG_MAX_GIDS / 1000 + 1,
		 SG_MAX_GIDS);
	bad(t, want);
	free(t);
	t = repeat("allow_users", "root", SG_MAX_UIDS + 1);
	snprintf(want, sizeof(want), "%d: too many users: at most %d", SG_MAX_UIDS / 1000 + 1,
		 SG_MAX_UIDS);
	bad(t, want);
	free(t);
	t = repeat("allow_users", "0", SG_MAX_UIDS);
	bad(t, "1: user root / id 0 is listed twice (also on line 1)");
	free(t);
	/* exactly at the limit is fine (the adders status uses, too) */
	memset(&cfg, 0, sizeof(cfg));
	for (unsigned i = 0; i < SG_MAX_UIDS; i++)
		if (sg_config_add_user(&cfg, i, ""))
			break;
	OK(cfg.nusers == SG_MAX_UIDS, "%d users fit", SG_MAX_UIDS);
	OK(sg_config_add_user(&cfg, 1u << 31, "") == -1, "one user more does not");
	for (unsigned i = 0; i < SG_MAX_GIDS; i++)
		if (sg_config_add_group(&cfg, i, "g"))
			break;
	OK(cfg.ngroups == SG_MAX_GIDS && !strcmp(cfg.groups[SG_MAX_GIDS - 1].name, "g"),
	   "%d groups fit", SG_MAX_GIDS);
	OK(sg_config_add_group(&cfg, 1u << 31, "") == -1, "one group more does not");
	sg_config_free(&cfg);
}

static void test_load(void)
{
	char path[] = "/tmp/sg-test-config.XXXXXX";
	struct sg_config cfg;
	char want[512];
	int fd = mkstemp(path);

	OK(fd >= 0, "temp file");
	OK(write(fd, "ports = 26\n", 11) == 11, "write temp config");
	close(fd);
	err[0] = '\0';
	OK(sg_config_load(path, true, NULL, &cfg, err, sizeof(err)) == 0 && cfg.nports == 1 &&
	   cfg.ports[0] == 26, "load reads a file (%s)", err);
	STR_EQ(cfg.source, path, "source is the path");
	sg_config_free(&cfg);
	fd = open(path, O_WRONLY | O_TRUNC);
	OK(write(fd, "ports = 26\nmode = x\n", 20) == 20, "write bad config");
	close(fd);
	err[0] = '\0';
	OK(sg_config_load(path, false, NULL, &cfg, err, sizeof(err)) == -1, "load of a bad file fails");
	snprintf(want, sizeof(want), "%s:2: bad mode 'x': must be enforce, audit or redirect", path);
	STR_EQ(err, want, "load: FILE:LINE message");
	unlink(path);

	err[0] = '\0';
	OK(sg_config_load(path, false, NULL, &cfg, err, sizeof(err)) == 0, "missing file, default path: ok");
	STR_EQ(cfg.source, "(built-in defaults)", "missing file: built-in defaults");
	OK(cfg.nports == 1 && cfg.ports[0] == 25, "missing file: port 25");
	sg_config_free(&cfg);
	err[0] = '\0';
	OK(sg_config_load(path, true, NULL, &cfg, err, sizeof(err)) == -1, "missing file, given: error");
	snprintf(want, sizeof(want), "%s: cannot open config: No such file or directory", path);
	STR_EQ(err, want, "missing file message");
	err[0] = '\0';
	OK(sg_config_load("/tmp", true, NULL, &cfg, err, sizeof(err)) == -1, "a directory is refused");
	STR_EQ(err, "/tmp: not a regular file of at most 16777216 bytes", "directory message");
	/* over the size limit (a sparse file) */
	strcpy(path, "/tmp/sg-test-config.XXXXXX");
	fd = mkstemp(path);
	OK(fd >= 0 && ftruncate(fd, (16 << 20) + 1) == 0, "big sparse file");
	close(fd);
	OK(sg_config_load(path, true, NULL, &cfg, err, sizeof(err)) == -1, "a file over 16 MiB is refused");
	snprintf(want, sizeof(want), "%s: not a regular file of at most 16777216 bytes", path);
	STR_EQ(err, want, "big file message");
	unlink(path);
	OK(sg_config_load("/dev/null", true, NULL, &cfg, err, sizeof(err)) == -1, "a device is refused");
	STR_EQ(err, "/dev/null: not a regular file of at most 16777216 bytes", "device message");
}

static void test_policy(void)
{
	struct sg_config cfg, back;
	struct sg_policy pol;

	good("ports = 1 25 63 64 65535\nmode = redirect\nevent_rate = 7\nevent_rate_total = 77\n"
	     "redirect_to = 192.0.2.5:26 [2001:db8::5]:27\n", &cfg);
	sg_config_to_policy(&cfg, &pol);
	OK(pol.format == SG_FORMAT_VERSION && pol.mode == SG_MODE_REDIRECT && pol.event_rate == 7 &&
	   pol.event_rate_total == 77, "policy: format, mode, rates");
	OK(pol.ports[0] == ((1ULL << 1) | (1ULL << 25) | (1ULL << 63)) && pol.ports[1] == 1 &&
	   pol.ports[1023] == (1ULL << 63), "policy: port bitmap");
	OK(pol.redirect_port4 == 26 && pol.redirect_port6 == 27, "policy: redirect ports");
	memset(&back, 0, sizeof(back));
	sg_policy_to_config(&pol, &back);
	OK(back.nports == 5 && back.ports[0] == 1 && back.ports[4] == 65535, "policy back: ports");
	OK(back.mode == cfg.mode && back.event_rate == 7 && back.event_rate_total == 77 &&
	   !memcmp(&back.redirect4, &cfg.redirect4, sizeof(back.redirect4)) &&
	   !memcmp(&back.redirect6, &cfg.redirect6, sizeof(back.redirect6)),
	   "policy back: mode, rate, redirect");
	sg_config_free(&cfg);
	/* a bitmap with more bits than the limit (a foreign writer) is cut */
	memset(&pol, 0xff, sizeof(pol));
	sg_policy_to_config(&pol, &back);
	OK(back.nports == SG_MAX_PORTS && back.ports[0] == 1, "policy back: at most the limit");
	STR_EQ(sg_mode_name(SG_MODE_AUDIT), "audit", "mode name");
	STR_EQ(sg_mode_name(99), "unknown", "unknown mode name");
}

static void test_print(void)
{
	struct sg_config cfg;
	char *s;

	good("ports = 25, 587\nallow_users = root, 4000000000\nallow_groups =\n"
	     "allow_destinations = 127.0.0.0/8 ::1\n", &cfg);
	s = policy_text(&cfg, 0);
	STR_EQ(s,
	       "mode:                enforce\n"
	       "ports:               25 587\n"
	       "allow users:         root(0) 4000000000\n"
	       "allow groups:        (none)\n"
	       "allow destinations:  127.0.0.0/8 ::1/128\n"
	       "allow user dests:    (none)\n"
	       "allow group dests:   (none)\n"
	       "allow cgroups:       (none)\n"
	       "redirect to:         127.0.0.1:25 [::1]:25 (used in redirect mode)\n"
	       "event rate:          10 per UID per second\n"
	       "event rate total:    1000 per second over all UIDs\n", "policy as text");
	free(s);
	s = policy_text(&cfg, 1);
	STR_EQ(s,
	       "\"mode\":\"enforce\",\"ports\":[25,587],"
	       "\"allow_users\":[{\"uid\":0,\"name\":\"root\"},{\"uid\":4000000000,\"name\":null}],"
	       "\"allow_groups\":[],\"allow_destinations\":[\"127.0.0.0/8\",\"::1/128\"],"
	       "\"allow_user_destinations\":[],\"allow_group_destinations\":[],\"allow_cgroups\":[],"
	       "\"redirect_to\":[\"127.0.0.1:25\",\"[::1]:25\"],\"event_rate\":10,\"event_rate_total\":1000",
	       "policy as JSON");
	free(s);
	sg_config_free(&cfg);
	good("ports =\nallow_users =\nallow_groups = 0\nallow_destinations =\nmode = redirect\n", &cfg);
	s = policy_text(&cfg, 0);
	STR_EQ(s,
	       "mode:                redirect\n"
	       "ports:               (none)\n"
	       "allow users:         (none)\n"
	       "allow groups:        root(0)\n"
	       "allow destinations:  (none)\n"
	       "allow user dests:    (none)\n"
	       "allow group dests:   (none)\n"
	       "allow cgroups:       (none)\n"
	       "redirect to:         127.0.0.1:25 [::1]:25\n"
	       "event rate:          10 per UID per second\n"
	       "event rate total:    1000 per second over all UIDs\n", "empty policy as text");
	free(s);
	sg_config_free(&cfg);

	s = json_of("a\"b\\c\n\t\x01\x7f" "\xc3\xa9");
	STR_EQ(s, "\"a\\\"b\\\\c\\u000a\\u0009\\u0001\\u007f\xc3\xa9\"", "JSON string escaping");
	free(s);
	s = json_of("");
	STR_EQ(s, "\"\"", "empty JSON string");
	free(s);
}

static int parse_opts(const char *path, const char *text, bool lenient, unsigned unpriv,
		      struct sg_config *cfg)
{
	struct sg_config_opts o = { .lenient_names = lenient, .unpriv_port_start = unpriv };

	err[0] = '\0';
	return sg_config_parse(path, text, strlen(text), &o, cfg, err, sizeof(err));
}

/* load/reload: unknown names are skipped and recorded, the rest is kept */
static void test_lenient(void)
{
	struct sg_config cfg, back;
	struct sg_policy pol;
	char buf[SG_SKIPPED_LEN], small[40], *s, *text;
	FILE *f;
	size_t n;

	OK(parse_opts("/etc/smtpguard/smtpguard.conf",
		      "allow_users = root, no-such-user-sgtest\n"
		      "allow_groups = no-such-group-sgtest, 0\n", true, 1024, &cfg) == 0,
	   "lenient: unknown names accepted (%s)", err);
	OK(cfg.nusers == 1 && cfg.users[0].id == 0 && cfg.ngroups == 1 && cfg.groups[0].id == 0,
	   "lenient: the known names are kept");
	OK(cfg.nskipped == 2 && cfg.skipped[0].user && cfg.skipped[0].line == 1 &&
	   !strcmp(cfg.skipped[0].name, "no-such-user-sgtest") && !cfg.skipped[1].user &&
	   cfg.skipped[1].line == 2 && !strcmp(cfg.skipped[1].name, "no-such-group-sgtest"),
	   "lenient: the skipped names are recorded with kind and line");
	sg_config_skipped_summary(&cfg, buf, sizeof(buf));
	STR_EQ(buf, "user no-such-user-sgtest (smtpguard.conf:1), "
		    "group no-such-group-sgtest (smtpguard.conf:2)", "skipped summary");
	f = open_memstream(&text, &n);
	sg_config_warn_skipped(f, &cfg);
	fclose(f);
	STR_EQ(text, "/etc/smtpguard/smtpguard.conf:1: warning: unknown user "
		     "'no-such-user-sgtest' (skipped)\n"
		     "/etc/smtpguard/smtpguard.conf:2: warning: unknown group "
		     "'no-such-group-sgtest' (skipped)\n", "one warning line per skipped name");
	free(text);
	s = policy_text(&cfg, 0);
	OK(strstr(s, "allow groups:        root(0)\nskipped:             user no-such-user-sgtest "
		     "(smtpguard.conf:1), group no-such-group-sgtest (smtpguard.conf:2)\n") != NULL,
	   "text printer: a skipped: line");
	free(s);
	s = policy_text(&cfg, 1);
	OK(strstr(s, ",\"event_rate\":10,\"event_rate_total\":1000,\"skipped\":\"user no-such-user-sgtest "
		     "(smtpguard.conf:1), group no-such-group-sgtest (smtpguard.conf:2)\"") != NULL,
	   "JSON printer: a skipped field");
	free(s);
	/* the kernel keeps the summary; status prints it from there */
	sg_config_to_policy(&cfg, &pol);
	STR_EQ(pol.skipped, buf, "policy: skipped summary stored");
	memset(&back, 0, sizeof(back));
	sg_policy_to_config(&pol, &back);
	sg_config_skipped_summary(&back, small, sizeof(small));
	STR_EQ(small, "user no-such-user-sgtest (smtpguard....", "summary read back, cut to the buffer");
	s = policy_text(&back, 0);
	OK(strstr(s, "skipped:             user no-such-user-sgtest (smtpguard.conf:1), group") != NULL,
	   "status: skipped line from the kernel's copy");
	free(s);
	sg_config_free(&cfg);

	/* strict (check-config) keeps the error; nothing skipped means no
	 * skipped line or field */
	OK(parse_opts("t.conf", "allow_users = no-such-user-sgtest\n", false, 1024, &cfg) == -1,
	   "strict: unknown user refused");
	STR_EQ(err, "t.conf:1: unknown user 'no-such-user-sgtest'", "strict: message");
	OK(parse_opts("t.conf", "allow_users = root\n", true, 1024, &cfg) == 0 && !cfg.nskipped,
	   "lenient: nothing skipped");
	sg_config_skipped_summary(&cfg, buf, sizeof(buf));
	STR_EQ(buf, "", "empty summary");
	s = policy_text(&cfg, 0);
	OK(!strstr(s, "skipped"), "no skipped line when nothing was skipped");
	free(s);
	s = policy_text(&cfg, 1);
	OK(!strstr(s, "skipped"), "no skipped field when nothing was skipped");
	free(s);
	sg_config_to_policy(&cfg, &pol);
	OK(pol.skipped[0] == '\0', "policy: empty skipped");
	sg_config_free(&cfg);
	/* an unknown name still counts as a bad token in other respects */
	OK(parse_opts("t.conf", "allow_users = no-such-user-sgtest, 0, root\n", true, 1024,
		      &cfg) == -1, "lenient: duplicates are still errors");
	STR_EQ(err, "t.conf:1: user root / id 0 is listed twice (also on line 1)",
	       "lenient: duplicate message");
	OK(cfg.skipped == NULL, "nothing left allocated after an error");

	/* many skipped names: the summary ends in "... (N more)", and the
	 * warnings stop after SG_SKIPPED_WARN_MAX lines */
	text = malloc(40 * 30 + 32);
	strcpy(text, "allow_users =");
	for (int i = 0; i < 40; i++)
		sprintf(text + strlen(text), " no-such-user-sgtest%02d", i);
	strcat(text, "\n");
	OK(parse_opts("dir/s.conf", text, true, 1024, &cfg) == 0 && cfg.nskipped == 40,
	   "lenient: 40 unknown names");
	free(text);
	sg_config_skipped_summary(&cfg, buf, sizeof(buf));
	OK(strlen(buf) < sizeof(buf) && !strncmp(buf, "user no-such-user-sgtest00 (s.conf:1), ", 39),
	   "long summary fits");
	n = strlen(buf);
	OK(n > 20 && strstr(buf, ", ... (") && !strcmp(buf + n - 6, " more)"),
	   "long summary ends with '... (N more)': %s", buf + (n > 30 ? n - 30 : 0));
	f = open_memstream(&text, &n);
	sg_config_warn_skipped(f, &cfg);
	fclose(f);
	{
		unsigned lines = 0;

		for (char *p = text; *p; p++)
			lines += *p == '\n';
		OK(lines == SG_SKIPPED_WARN_MAX + 1, "warnings capped at %d lines + 1",
		   SG_SKIPPED_WARN_MAX);
		OK(strstr(text, "dir/s.conf: warning: 20 more unknown names skipped") != NULL,
		   "the last line says how many more");
	}
	free(text);
	/* a summary buffer too small for even one entry */
	sg_config_skipped_summary(&cfg, small, 16);
	STR_EQ(small, "... (40 more)", "tiny buffer");
	sg_config_free(&cfg);
}

/* redirect_to: a port any local user may bind is refused */
static void test_redirect_port(void)
{
	struct sg_config cfg;

	OK(parse_opts("t.conf", "mode = redirect\nredirect_to = 127.0.0.1:2525\n", false, 1024,
		      &cfg) == -1, "redirect_to :2525 refused");
	STR_EQ(err, "t.conf:2: redirect_to port 2525 can be bound by any user "
		    "(>= net.ipv4.ip_unprivileged_port_start = 1024): a local user could "
		    "harvest redirected mail and credentials", "redirect_to :2525 message");
	OK(parse_opts("t.conf", "redirect_to = [::1]:1024\n", true, 1024, &cfg) == -1,
	   "redirect_to at the threshold refused (lenient too)");
	OK(parse_opts("t.conf", "redirect_to = [::1]:1023 127.0.0.1:587\n", false, 1024, &cfg) == 0,
	   "redirect_to below the threshold accepted");
	sg_config_free(&cfg);
	OK(parse_opts("t.conf", "redirect_to = 127.0.0.1:25\n", false, 0, &cfg) == -1,
	   "threshold 0: even port 25 can be bound by anyone");
	STR_EQ(err, "t.conf:1: redirect_to port 25 can be bound by any user "
		    "(>= net.ipv4.ip_unprivileged_port_start = 0): a local user could "
		    "harvest redirected mail and credentials", "threshold 0 message");
	OK(parse_opts("t.conf", "redirect_to = 127.0.0.1:2525\n", false, 3000, &cfg) == 0,
	   "threshold raised to 3000: 2525 accepted");
	sg_config_free(&cfg);
	OK(parse_opts("t.conf", "mode = redirect\n", false, 0, &cfg) == 0,
	   "the built-in redirect target is not judged (only a configured one)");
	sg_config_free(&cfg);
	bad("redirect_to = 127.0.0.1:2525\n", "1: redirect_to port 2525 can be bound by any user "
	    "(>= net.ipv4.ip_unprivileged_port_start = 1024): a local user could harvest "
	    "redirected mail and credentials");
}

int main(void)
{
	test_names();
	test_defaults();
	test_good();
	test_bad();
	test_nul_and_limits();
	test_load();
	test_policy();
	test_print();
	test_lenient();
	test_redirect_port();
	return tap_done();
}
