// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests: the pure parts of the environment audit — /etc/subuid and
 * /etc/subgid lines and ranges, the search for an id in them (exact ends,
 * overlaps), and the supplementary-members warning line.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "config_audit.h"

static int line(const char *s, struct sg_subid_range *r)
{
	return sg_subid_parse_line(s, strlen(s), r);
}

static void test_lines(void)
{
	struct sg_subid_range r;

	OK(line("alice:100000:65536", &r) == 1 && !strcmp(r.owner, "alice") &&
	   r.start == 100000 && r.count == 65536, "name:start:count");
	OK(line("1001:165536:65536\r", &r) == 1 && !strcmp(r.owner, "1001") && r.start == 165536,
	   "numeric owner, CR at the end");
	OK(line("  bob:0:1  ", &r) == 1 && !strcmp(r.owner, "bob") && r.start == 0 && r.count == 1,
	   "blanks around the line");
	OK(line("x:4294967295:1", &r) == 1 && r.start == 4294967295u, "largest start");
	OK(line("", &r) == 0, "empty line");
	OK(line("   \t", &r) == 0, "blank line");
	OK(line("# alice:1:2", &r) == 0, "comment");
	OK(line("alice", &r) == -1, "no colon");
	OK(line("alice:100000", &r) == -1, "one colon");
	OK(line(":100000:65536", &r) == -1, "empty owner");
	OK(line("alice::65536", &r) == -1, "empty start");
	OK(line("alice:100000:", &r) == -1, "empty count");
	OK(line("alice:100000:0", &r) == -1, "count 0");
	OK(line("alice:-1:5", &r) == -1, "negative start");
	OK(line("alice:4294967296:1", &r) == -1, "start over 32 bits");
	OK(line("alice:1:2:3", &r) == -1, "three colons");
	OK(line("alice:0x10:2", &r) == -1, "hex");
	OK(line("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:1:2", &r) == -1,
	   "owner name too long");
	/* len is honoured: no terminator needed */
	OK(sg_subid_parse_line("carol:5:6XYZ", 9, &r) == 1 && r.count == 6, "length honoured");
}

static void test_ranges(void)
{
	const char *text =
		"# subordinate ids\n"
		"alice:100000:65536\n"
		"bogus line\n"
		"bob:165536:65536\n"
		"\n"
		"carol:2000:1\n"       /* a single id, exactly an allowed one */
		"wide:1000:100000\n"   /* overlaps carol and alice */
		"last:4294901760:65536"; /* no final newline, up to 2^32 - 1 */
	const struct sg_subid_range *h;
	struct sg_subid_range *r = NULL;
	unsigned n = 0;

	OK(sg_subid_parse(text, strlen(text), &r, &n) == 0 && n == 5, "5 ranges, bad lines skipped");
	OK(r[0].start == 1000 && r[1].start == 2000 && r[4].start == 4294901760u,
	   "sorted by start");
	h = sg_subid_find(r, n, 0);
	OK(h == NULL, "root (0) is in no range");
	h = sg_subid_find(r, n, 999);
	OK(h == NULL, "just below the first range");
	h = sg_subid_find(r, n, 1000);
	OK(h && !strcmp(h->owner, "wide"), "first id of a range");
	h = sg_subid_find(r, n, 2000);
	OK(h && (!strcmp(h->owner, "carol") || !strcmp(h->owner, "wide")), "overlapping ranges");
	h = sg_subid_find(r, n, 2001);
	OK(h && !strcmp(h->owner, "wide"), "after a one-id range, inside a wider earlier one");
	h = sg_subid_find(r, n, 100999);
	OK(h && !strcmp(h->owner, "alice"), "wide ends at 100999, alice holds it too");
	h = sg_subid_find(r, n, 165535);
	OK(h && !strcmp(h->owner, "alice"), "last id of alice");
	h = sg_subid_find(r, n, 165536);
	OK(h && !strcmp(h->owner, "bob"), "first id of bob");
	h = sg_subid_find(r, n, 231072);
	OK(h == NULL, "one past bob");
	h = sg_subid_find(r, n, 4294967295u);
	OK(h && !strcmp(h->owner, "last"), "the largest id");
	free(r);

	OK(sg_subid_parse("", 0, &r, &n) == 0 && n == 0, "empty file");
	OK(sg_subid_find(r, n, 5) == NULL, "no ranges: nothing found");
	free(r);
	/* one range far below, a long one covering much later ids */
	text = "a:10:1000000\nb:20:1\nc:30:1\nd:40:1\n";
	OK(sg_subid_parse(text, strlen(text), &r, &n) == 0 && n == 4, "4 ranges");
	h = sg_subid_find(r, n, 500000);
	OK(h && !strcmp(h->owner, "a"), "found through later, shorter ranges");
	h = sg_subid_find(r, n, 1000010);
	OK(h == NULL, "one past the long range");
	free(r);
}

static void test_members_line(void)
{
	const char *names[] = { "alice", "bob", "carol", "dave", "eve" };
	char buf[512];

	sg_audit_members_line("mail", 8, names, 2, 2, buf, sizeof(buf));
	STR_EQ(buf, "group mail (8) has supplementary members that are not allowed: alice, bob; "
		    "'sg mail' or 'newgrp mail' makes it their primary group, so they pass",
	       "two members");
	sg_audit_members_line("mail", 8, names, 5, 12, buf, sizeof(buf));
	STR_EQ(buf, "group mail (8) has supplementary members that are not allowed: alice, bob, "
		    "carol, dave, eve and 7 more; 'sg mail' or 'newgrp mail' makes it their "
		    "primary group, so they pass", "five shown and 7 more");
	sg_audit_members_line("mail", 8, names, 5, 12, buf, 40);
	OK(strlen(buf) == 39, "a short buffer is cut, not overrun");
}

static void test_port_start(void)
{
	unsigned v = sg_unpriv_port_start();

	OK(v <= 65536, "ip_unprivileged_port_start read (%u)", v);
}

int main(void)
{
	test_lines();
	test_ranges();
	test_members_line();
	test_port_start();
	return tap_done();
}
