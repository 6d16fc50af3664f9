// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests of the stats report (text, JSON, Prometheus) and of event
 * lines: pure formatting, fed with hand-made records. */
#include <arpa/inet.h>
#include <stdlib.h>
#include "event_format.h"
#include "stats_report.h"
#include "tap.h"

static char *capture(void (*fn)(FILE *, struct sg_report *), struct sg_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, r);
	fclose(f);
	return buf;
}

static struct sg_event sample_event(void)
{
	struct sg_event e = { .ts_ns = 1, .cgroup_id = 77, .pid = 4242, .tid = 4243,
			      .uid = 1001, .gid = 1002, .port = 25, .family = 4,
			      .verdict = SG_VERDICT_REFUSED };

	inet_pton(AF_INET, "203.0.113.9", e.addr);
	memcpy(e.comm, "php-fpm", 8);
	return e;
}

static void test_event_line(void)
{
	struct sg_event e = sample_event();
	char buf[1024];

	sg_event_line(&e, "alice", NULL, buf, sizeof(buf));
	STR_EQ(buf, "refused uid=1001(alice) pid=4242 comm=php-fpm dst=203.0.113.9:25 "
		    "family=ipv4 gid=1002 tid=4243 cgroup=77", "event line with a user name");
	sg_event_line(&e, "", NULL, buf, sizeof(buf));
	OK(strstr(buf, "refused uid=1001 pid=4242 ") == buf, "event line without a name: %s", buf);

	e.family = 6;
	e.verdict = SG_VERDICT_REDIRECTED;
	inet_pton(AF_INET6, "2001:db8::2", e.addr);
	memcpy(e.comm, "a b=c\"\\\x01xxxxxxxxxxxx", 16); /* no NUL: all 16 bytes used */
	sg_event_line(&e, NULL, NULL, buf, sizeof(buf));
	STR_EQ(buf, "redirected uid=1001 pid=4242 comm=a?b?c???xxxxxxxx dst=[2001:db8::2]:25 "
		    "family=ipv6 gid=1002 tid=4243 cgroup=77",
	       "IPv6 destination in brackets; unsafe comm bytes and a 16-byte comm handled");
}

/* issue 10: attribution fields, best effort */
static void test_event_attrib(void)
{
	struct sg_event e = sample_event();
	struct sg_attrib a = { .exe = "/usr/sbin/php-fpm8.2", .cwd = "/home/alice/my site",
			       .cgroup = "/system.slice/php-fpm.service" };
	char buf[SG_EVENT_LINE_MAX];

	sg_event_line(&e, "alice", &a, buf, sizeof(buf));
	STR_EQ(buf, "refused uid=1001(alice) pid=4242 comm=php-fpm dst=203.0.113.9:25 "
		    "family=ipv4 gid=1002 tid=4243 cgroup=77 cgroup_path=/system.slice/php-fpm.service "
		    "exe=/usr/sbin/php-fpm8.2 cwd=/home/alice/my\\x20site",
	       "event line with attribution; a blank in a path escaped");
	a.exe[0] = '\0';
	strcpy(a.cwd, "/x=\"\xc3\xa9\n");
	sg_event_line(&e, "alice", &a, buf, sizeof(buf));
	OK(strstr(buf, " cgroup_path=/system.slice/php-fpm.service cwd=/x\\x3d\\x22\\xc3\\xa9\\x0a") &&
	   !strstr(buf, "exe="), "unknown exe left out; unsafe bytes escaped: %s", buf);
	sg_event_json(&e, "alice", 1700000000.5, &a, buf, sizeof(buf));
	OK(strstr(buf, "\"cgroup\":\"/system.slice/php-fpm.service\",\"exe\":null,"
		       "\"cwd\":\"/x=\\\"\xc3\xa9\\u000a\"}") != NULL, "JSON attribution: %s", buf);
	memset(a.cwd, 'x', sizeof(a.cwd) - 1);
	memset(a.exe, 0xff, sizeof(a.exe) - 1);
	memset(a.cgroup, '"', sizeof(a.cgroup) - 1);
	sg_event_json(&e, "alice", 1700000000.5, &a, buf, sizeof(buf));
	OK(buf[strlen(buf) - 1] == '}', "the longest attribution fits SG_EVENT_LINE_MAX");
	sg_event_line(&e, "alice", &a, buf, sizeof(buf));
	OK(strlen(buf) < sizeof(buf) - 1 && buf[strlen(buf) - 1] == 'x', "and in a text line");
}

static void test_event_json(void)
{
	struct sg_event e = sample_event();
	char buf[2048];

	memcpy(e.comm, "q\"\\\x7f", 5);
	sg_event_json(&e, "al\"ice", 1700000000.5, NULL, buf, sizeof(buf));
	OK(strstr(buf, "\"user\":\"al\\\"ice\"") != NULL, "user name escaped: %s", buf);
	OK(strstr(buf, "\"comm\":\"q\\\"\\\\\\u007f\"") != NULL, "comm escaped");
	OK(strstr(buf, "\"dst\":\"203.0.113.9:25\",\"addr\":\"203.0.113.9\",\"port\":25,"
		       "\"family\":\"ipv4\",\"cgroup_id\":77,") != NULL, "destination fields");
	OK(strstr(buf, "\"cgroup\":null,\"exe\":null,\"cwd\":null}") != NULL,
	   "no attribution: null fields");
	OK(strstr(buf, "\"ts\":1700000000.500,") != NULL, "timestamp in seconds");
	sg_event_json(&e, "", 0, NULL, buf, sizeof(buf));
	OK(strstr(buf, "\"user\":null") != NULL, "no name is null");

	/* a name set with prctl: any bytes; invalid UTF-8 as escaped bytes */
	memcpy(e.comm, "\xff\xe9" "caf\xc3\xa9\xed\xa0\x80xxxxxx", 16);
	sg_event_json(&e, "\xe9t\xc3\xa9", 1700000000.9996, NULL, buf, sizeof(buf));
	OK(strstr(buf, "\"comm\":\"\\u00ff\\u00e9caf\xc3\xa9\\u00ed\\u00a0\\u0080xxxxxx\"") != NULL,
	   "comm: valid UTF-8 kept, other bytes escaped: %s", buf);
	OK(strstr(buf, "\"user\":\"\\u00e9t\xc3\xa9\"") != NULL, "user name escaped the same way");
	OK(strstr(buf, "\"time\":\"2023-11-14T22:13:21.000+0000\",\"ts\":1700000001.000,") != NULL,
	   "time and ts rounded alike: %s", buf);
}

static void test_time(void)
{
	char buf[64];

	sg_iso_time(1700000000.4567, buf, sizeof(buf));
	STR_EQ(buf, "2023-11-14T22:13:20.457+0000", "ISO time rounded to the millisecond");
	sg_wall_time(1700000000.9, buf, sizeof(buf));
	STR_EQ(buf, "2023-11-14 22:13:20", "table time to the second");
	sg_wall_time(0, buf, sizeof(buf));
	STR_EQ(buf, "-", "no time is -");
}

static struct sg_report sample_report(struct sg_offender_row *rows)
{
	struct sg_report r = { .rows = rows, .nrows = 3, .top = 2, .mode = "enforce" };

	r.fam[0].seen = 10;
	r.fam[0].refused = 7;
	r.fam[1].refused = 2;
	memset(rows, 0, 3 * sizeof(*rows));
	rows[0] = (struct sg_offender_row){ .uid = 1001, .user = "alice",
					    .rec = { .count = 5, .last_ns = 10, .last_port = 25,
						     .last_family = 4 } };
	rows[1] = (struct sg_offender_row){ .uid = 1002, .user = "bo\"b\\",
					    .rec = { .count = 9, .last_ns = 5, .last_port = 25,
						     .last_family = 4 } };
	rows[2] = (struct sg_offender_row){ .uid = 1003,
					    .rec = { .count = 1, .last_ns = 99, .last_port = 587,
						     .last_family = 6 } };
	return r;
}

static void test_sorting_and_top(void)
{
	struct sg_offender_row rows[3];
	struct sg_report r = sample_report(rows);
	char *out;

	sg_report_sort_busiest(&r);
	OK(rows[0].uid == 1002 && rows[1].uid == 1001 && rows[2].uid == 1003,
	   "busiest first");
	out = capture(sg_report_text, &r);
	OK(strstr(out, "refused                             7              2              9") != NULL,
	   "text totals per family and overall");
	OK(strstr(out, "Most recent offenders:\n") != NULL, "a most-recent table");
	OK(strstr(strstr(out, "Most recent offenders:"), "1003") != NULL,
	   "newest offender listed first among recent ones");
	OK(strstr(out, "(3 offenders in all; --top N shows more)") != NULL, "says when --top cut");
	free(out);
}

static void test_json(void)
{
	struct sg_offender_row rows[3];
	struct sg_report r = sample_report(rows);
	char *out = capture(sg_report_json, &r);

	OK(strstr(out, "\"ipv4\":{\"seen\":10,\"allowed_dst\":0,\"allowed_uid\":0,\"allowed_gid\":0,"
		       "\"allowed_acct_dst\":0,\"allowed_cgroup\":0,\"refused\":7,") != NULL, "JSON counters use the BTF field names");
	OK(strstr(out, "\"offenders_total\":3") != NULL, "offender total");
	OK(strstr(out, "\"user\":\"bo\\\"b\\\\\"") != NULL, "user names escaped");
	OK(strstr(out, "1003") == NULL, "only the top 2 listed");
	free(out);

	memcpy(rows[0].rec.last_comm, "a\xff\xc3\xa9", 5);
	r.top = 3;
	out = capture(sg_report_json, &r);
	OK(strstr(out, "\"last_comm\":\"a\\u00ff\xc3\xa9\"}") != NULL, "last_comm escaped: %s", out);
	OK(strstr(out, "\"uid\":1003,\"user\":null,") != NULL, "no name is null");
	OK(out[strlen(out) - 1] == '\n', "ends with a newline");
	free(out);
}

static void test_prometheus(void)
{
	struct sg_offender_row rows[3];
	struct sg_report r = sample_report(rows);
	char *out;

	r.version = "1.2\"x";
	r.format = 7;
	r.now_unix = 1700000000.5;
	out = capture(sg_report_prometheus, &r);
	OK(strstr(out, "smtpguard_loaded 0\n") != NULL, "not loaded is a value");
	OK(strstr(out, "smtpguard_build_info{version=\"1.2\\\"x\",format=\"7\"} 1\n") != NULL,
	   "build info, label escaped: %s", out);
	OK(strstr(out, "smtpguard_report_timestamp_seconds 1700000000.500\n") != NULL,
	   "report time");
	OK(strstr(out, "smtpguard_connects_total") == NULL && strstr(out, "policy_info") == NULL,
	   "nothing else when not loaded");
	free(out);

	r.loaded = true;
	out = capture(sg_report_prometheus, &r);
	OK(strstr(out, "smtpguard_connects_total{verdict=\"refused\",family=\"ipv4\"} 7\n"
		       "smtpguard_connects_total{verdict=\"refused\",family=\"ipv6\"} 2\n") != NULL,
	   "one connects metric with verdict and family labels");
	OK(strstr(out, "# TYPE smtpguard_connects_total counter\n") != NULL &&
	   strstr(strstr(out, "# TYPE smtpguard_connects_total") + 1, "# TYPE smtpguard_connects_total") == NULL,
	   "declared once");
	OK(strstr(out, "smtpguard_policy_info{mode=\"enforce\"} 1\n") != NULL, "policy mode");
	OK(strstr(out, "smtpguard_offender_attempts_total{uid=\"1002\",user=\"bo\\\"b\\\\\"} 9\n") != NULL,
	   "label values escaped");
	OK(strstr(out, "uid=\"1003\"") == NULL, "per-user series only for the top N");
	OK(out[strlen(out) - 1] == '\n', "ends with a newline");
	free(out);

	snprintf(rows[0].user, sizeof(rows[0].user), "a\xff\xc3\xa9\n");
	out = capture(sg_report_prometheus, &r);
	OK(strstr(out, "user=\"a\xef\xbf\xbd\xc3\xa9\\n\"}") != NULL,
	   "invalid UTF-8 replaced, valid kept, newline escaped");
	free(out);
}

static void test_one_table_when_same(void)
{
	struct sg_offender_row rows[3];
	struct sg_report r = sample_report(rows);
	char *out;

	r.nrows = 1;
	out = capture(sg_report_text, &r);
	OK(strstr(out, "Offenders (busiest and most recent):") != NULL &&
	   strstr(out, "Most recent offenders") == NULL, "one table when both orders agree");
	free(out);
}

static void test_user(void)
{
	struct sg_offender_row rows[3];
	struct sg_report r = sample_report(rows);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	sg_report_user_text(f, &r, 1002, "bob");
	fclose(f);
	OK(strstr(out, "uid:               1002 (bob)\n") && strstr(out, "attempts:          9\n"),
	   "one account in text: %s", out);
	free(out);
	f = open_memstream(&out, &len);
	sg_report_user_json(f, &r, 4242, "");
	fclose(f);
	STR_EQ(out, "{\"uid\":4242,\"user\":null,\"count\":0}\n", "an account with no record");
	free(out);
	f = open_memstream(&out, &len);
	sg_report_user_json(f, &r, 1003, "");
	fclose(f);
	OK(strstr(out, "\"uid\":1003,") && strstr(out, "\"count\":1,"), "its record: %s", out);
	free(out);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	test_event_line();
	test_event_json();
	test_event_attrib();
	test_time();
	test_sorting_and_top();
	test_json();
	test_prometheus();
	test_one_table_when_same();
	test_user();
	return tap_done();
}
