// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Issue 11: a monitor's JSON line back into an event (log follows a monitor). */
#include <arpa/inet.h>
#include <stdlib.h>
#include "tap.h"
#include "event_format.h"
#include "event_parse.h"

static struct sg_event sample(void)
{
	struct sg_event e = { .ts_ns = 1, .cgroup_id = 1234567890123ULL, .pid = 4242, .tid = 4243,
			      .uid = 4000000000u, .gid = 1002, .port = 587, .family = 6,
			      .verdict = SG_VERDICT_AUDITED };

	inet_pton(AF_INET6, "2001:db8::2", e.addr);
	memcpy(e.comm, "\xff\xe9" "caf\xc3\xa9 \"\\\x01xxxxx", 16); /* 16 bytes, no NUL */
	return e;
}

static void test_round_trip(void)
{
	struct sg_event e = sample();
	struct sg_attrib a = { .exe = "/usr/bin/php 8", .cwd = "/home/al\xe9/www\n",
			       .cgroup = "/user.slice/user-1001.slice" };
	struct sg_parsed_event pe;
	char line[SG_EVENT_LINE_MAX], again[SG_EVENT_LINE_MAX];

	sg_event_json(&e, "al\"ice", 1700000000.123, &a, line, sizeof(line));
	OK(sg_event_parse(line, &pe) == 0, "a written line parses: %s", line);
	OK(pe.ev.uid == e.uid && pe.ev.gid == e.gid && pe.ev.pid == e.pid && pe.ev.tid == e.tid &&
	   pe.ev.port == e.port && pe.ev.family == 6 && pe.ev.verdict == SG_VERDICT_AUDITED &&
	   pe.ev.cgroup_id == e.cgroup_id, "numbers and names back");
	OK(!memcmp(pe.ev.addr, e.addr, 16), "address back");
	OK(!memcmp(pe.ev.comm, e.comm, 16), "comm back byte for byte (escaped bytes too)");
	STR_EQ(pe.user, "al\"ice", "user back");
	STR_EQ(pe.attrib.exe, a.exe, "exe back");
	STR_EQ(pe.attrib.cwd, a.cwd, "cwd back (a Latin-1 byte and a newline)");
	STR_EQ(pe.attrib.cgroup, a.cgroup, "cgroup back");
	OK(pe.unix_time > 1700000000.122 && pe.unix_time < 1700000000.124, "time back");
	/* the line log prints from it is the monitor's line */
	sg_event_json(&pe.ev, pe.user, pe.unix_time, &pe.attrib, again, sizeof(again));
	STR_EQ(again, line, "written again, the same line");

	e.family = 4;
	memset(e.addr, 0, 16);
	inet_pton(AF_INET, "192.0.2.9", e.addr);
	e.verdict = SG_VERDICT_REDIRECTED;
	sg_event_json(&e, "", 1700000001.5, NULL, line, sizeof(line));
	OK(sg_event_parse(line, &pe) == 0 && pe.ev.family == 4 && pe.user[0] == '\0' &&
	   pe.ev.verdict == SG_VERDICT_REDIRECTED && !pe.attrib.exe[0] && !pe.attrib.cgroup[0] &&
	   !memcmp(pe.ev.addr, e.addr, 16), "IPv4, null user and attribution");
}

static void test_bad_lines(void)
{
	struct sg_parsed_event pe;
	static const char *const bad[] = {
		"", "{", "}", "not json", "{\"ts\":1700000000.5,\"family\":\"ipv4\"",
		"{\"ts\":1700000000.5,\"family\":\"ipv4\",}", "{\"ts\":1700000000.5 \"family\":\"ipv4\"}",
		"{\"ts\":1700000000.5,\"family\":\"ipv4\"} trailing", "{\"comm\":\"\\q\"}",
		"{\"comm\":\"\\u00zz\"}", "{\"uid\":1}", "[1,2]",
		"{\"ts\":1700000000.5,\"family\":\"ipv4\",\"cut\":\"abc",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		OK(sg_event_parse(bad[i], &pe) == -1, "rejected: '%s'", bad[i]);
	OK(sg_event_parse(" {\"ts\":1700000000.5, \"family\":\"ipv4\", \"new_key\":[\"x\"]}", &pe) == -1,
	   "an array value is not ours: rejected");
	OK(sg_event_parse(" {\"ts\":1700000000.5, \"family\":\"ipv4\", \"new_key\":true}\n", &pe) == 0,
	   "an unknown key of a newer writer is ignored; blanks around are fine");
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	test_round_trip();
	test_bad_lines();
	return tap_done();
}
