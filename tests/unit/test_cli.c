// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests: command-line parsing (cli.c), every bad-input message. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "cli.h"
#include "common.h"

static char err[512];
static struct sg_args a;

/* argv from a NULL-terminated list; argv[0] is "smtpguard" */
static int run(const char *first, ...)
{
	static char *argv[32];
	int argc = 0;
	va_list ap;
	const char *s;

	argv[argc++] = "smtpguard";
	va_start(ap, first);
	for (s = first; s; s = va_arg(ap, const char *))
		argv[argc++] = (char *)s;
	va_end(ap);
	argv[argc] = NULL;
	err[0] = '\0';
	return sg_parse_args(argc, argv, &a, err, sizeof(err));
}

#define GOOD(cmd_, ...)                                                      \
	do {                                                                 \
		int rc_ = run(__VA_ARGS__, NULL);                            \
		OK(rc_ == 0 && a.cmd == (cmd_), "accepted: %s (%s)", #__VA_ARGS__, err); \
	} while (0)

#define BAD(msg_, ...)                                                       \
	do {                                                                 \
		int rc_ = run(__VA_ARGS__, NULL);                            \
		OK(rc_ == SG_EXIT_USAGE, "refused with exit 2: %s", #__VA_ARGS__); \
		STR_EQ(err, msg_, "message: %s", #__VA_ARGS__);              \
	} while (0)

int main(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	/* commands and defaults */
	GOOD(SG_CMD_LOAD, "load");
	STR_EQ(a.config, SG_DEFAULT_CONFIG, "default config");
	OK(!a.config_given, "config not given");
	STR_EQ(a.pin_dir, SG_DEFAULT_PIN_DIR, "default pin dir");
	OK(a.cgroup == NULL, "default cgroup: the root");
	OK(a.top == SG_DEFAULT_TOP && !a.json && !a.prometheus && !a.reset, "other defaults");
	GOOD(SG_CMD_UNLOAD, "unload");
	GOOD(SG_CMD_RELOAD, "reload");
	GOOD(SG_CMD_STATUS, "status");
	GOOD(SG_CMD_CHECK_CONFIG, "check-config");
	OK(!a.config_given, "check-config without FILE: default config");
	GOOD(SG_CMD_STATS, "stats");
	GOOD(SG_CMD_LOG, "log");
	GOOD(SG_CMD_MONITOR, "monitor");
	GOOD(SG_CMD_HELP, "help");
	GOOD(SG_CMD_HELP, "--help");
	GOOD(SG_CMD_HELP, "-h");
	GOOD(SG_CMD_HELP, "load", "--help");
	GOOD(SG_CMD_HELP, "--version", "--help");
	GOOD(SG_CMD_VERSION, "version");
	GOOD(SG_CMD_VERSION, "--version");
	GOOD(SG_CMD_VERSION, "-V");
	GOOD(SG_CMD_VERSION, "status", "-V");

	/* options before or after the command mean the same */
	GOOD(SG_CMD_LOAD, "--cgroup", "/sys/fs/cgroup/x", "load");
	STR_EQ(a.cgroup, "/sys/fs/cgroup/x", "--cgroup before the command");
	GOOD(SG_CMD_LOAD, "load", "--cgroup", "/sys/fs/cgroup/x");
	STR_EQ(a.cgroup, "/sys/fs/cgroup/x", "--cgroup after the command");
	GOOD(SG_CMD_LOAD, "load", "--cgroup=/cg", "--pin-dir=/sys/fs/bpf/t", "--config=/c");
	STR_EQ(a.cgroup, "/cg", "--cgroup=DIR");
	STR_EQ(a.pin_dir, "/sys/fs/bpf/t", "--pin-dir=DIR");
	STR_EQ(a.config, "/c", "--config=FILE");
	OK(a.config_given, "config given");
	GOOD(SG_CMD_LOAD, "-c", "/c2", "load");
	STR_EQ(a.config, "/c2", "-c FILE");
	GOOD(SG_CMD_LOAD, "-c/c3", "load");
	STR_EQ(a.config, "/c3", "-cFILE");
	GOOD(SG_CMD_LOAD, "load", "--pin", "/p");
	STR_EQ(a.pin_dir, "/p", "unambiguous abbreviation --pin");
	GOOD(SG_CMD_CHECK_CONFIG, "check-config", "/etc/x.conf");
	STR_EQ(a.config, "/etc/x.conf", "check-config FILE");
	OK(a.config_given, "check-config FILE: must exist");
	GOOD(SG_CMD_CHECK_CONFIG, "--json", "check-config", "/etc/x.conf");
	OK(a.json, "check-config --json");
	GOOD(SG_CMD_CHECK_CONFIG, "check-config", "--", "-odd-name");
	STR_EQ(a.config, "-odd-name", "check-config -- FILE");
	GOOD(SG_CMD_STATUS, "status", "--json");
	OK(a.json, "status --json");
	GOOD(SG_CMD_STATS, "stats", "--json", "--top", "3", "--reset");
	OK(a.json && a.top == 3 && a.reset, "stats --json --top 3 --reset");
	GOOD(SG_CMD_STATS, "stats", "--prometheus", "--top=0");
	OK(a.prometheus && a.top == 0, "stats --prometheus --top=0");
	GOOD(SG_CMD_STATS, "stats", "--prometheus", "--output", "/tmp/x.prom");
	OK(a.output && !strcmp(a.output, "/tmp/x.prom"), "stats --prometheus --output FILE");
	GOOD(SG_CMD_STATS, "stats", "--user", "alice", "--json");
	OK(a.user && !strcmp(a.user, "alice") && a.json, "stats --user NAME --json");
	GOOD(SG_CMD_STATS, "stats", "--top", "100000");
	OK(a.top == 100000, "--top at its limit");
	GOOD(SG_CMD_STATS, "stats", "--top", "5", "--top", "6");
	OK(a.top == 6, "--top: the last one counts");
	GOOD(SG_CMD_LOG, "log", "--json");
	GOOD(SG_CMD_STATUS, "status", "--json", "--json");
	/* parsing again starts afresh */
	GOOD(SG_CMD_UNLOAD, "unload");
	OK(!a.json && a.cgroup == NULL, "a second parse does not keep old options");

	/* bad command lines: exact messages */
	/* issue 11: monitor --output, log --since-load and --user */
	GOOD(SG_CMD_MONITOR, "monitor", "--output", "/var/log/x.json");
	STR_EQ(a.output, "/var/log/x.json", "--output FILE");
	GOOD(SG_CMD_LOG, "log", "--since-load", "--user", "alice", "--json");
	OK(a.since_load && a.json && !strcmp(a.user, "alice"), "log --since-load --user alice --json");
	GOOD(SG_CMD_LOG, "--user=1001", "log");
	STR_EQ(a.user, "1001", "--user=UID before the command");
	GOOD(SG_CMD_LOG, "log");
	OK(!a.since_load && !a.user && !a.output, "log: live, every user, by default");
	BAD("--output applies only to 'monitor' and 'stats --prometheus'", "log", "--output", "/x");
	BAD("--since-load applies only to 'log'", "monitor", "--since-load");
	BAD("--user applies only to 'explain', 'log' and 'stats'", "load", "--user", "alice");
	BAD("option '--user' given twice", "log", "--user", "a", "--user", "b");
	BAD("option '--output' needs a non-empty value", "monitor", "--output", "");
	BAD("option '--user' needs a value", "log", "--user");
	BAD("option '--since-load' takes no value", "log", "--since-load=1");
	BAD("no command given (try --help)", "--json");
	BAD("no command given (try --help)", "--pin-dir", "/x");
	BAD("unknown command 'lod' (try --help)", "lod");
	BAD("unknown command 'LOAD' (try --help)", "LOAD");
	BAD("unknown command '' (try --help)", "");
	BAD("unknown command 'lo?ad' (try --help)", "lo\nad"); /* stays one line */
	BAD("unknown command 'load2' (try --help)", "--cgroup", "/x", "load2");
	BAD("unexpected argument 'status' (try --help)", "load", "status");
	BAD("unexpected argument 'extra' (try --help)", "unload", "extra");
	BAD("unexpected argument 'b' (try --help)", "check-config", "a", "b");
	BAD("check-config takes either FILE or --config, not both",
	    "check-config", "--config", "/a", "/b");
	BAD("check-config: FILE must not be empty", "check-config", "");
	BAD("unknown option '--bogus' (try --help)", "load", "--bogus");
	BAD("unknown option '--bogus' (try --help)", "--bogus=1", "load");
	BAD("unknown option '--c' (try --help)", "--c", "x", "load"); /* ambiguous */
	BAD("unknown option '-x' (try --help)", "-x", "load");
	BAD("unknown option '-x' (try --help)", "load", "-x");
	/* an unknown short option inside a cluster is named as itself */
	BAD("unknown option '-x' (try --help)", "load", "-xh");
	BAD("unknown option '-x' (try --help)", "--json", "-xV", "status");
	BAD("unknown option '-x' (try --help)", "-hx", "load");
	BAD("unknown option '-q' (try --help)", "-Vqh");
	BAD("option '--json' takes no value", "status", "--json=yes");
	BAD("option '--help' takes no value", "--help=1");
	BAD("option '--reset' takes no value", "stats", "--reset=1");
	BAD("option '--config' needs a value", "load", "--config");
	BAD("option '-c' needs a value", "load", "-c");
	BAD("option '-c' needs a value", "load", "-hc");
	BAD("option '--cgroup' needs a value", "load", "--cgroup");
	BAD("option '--pin-dir' needs a value", "status", "--pin-dir");
	BAD("option '--top' needs a value", "stats", "--top");
	BAD("option '--config' given twice", "--config", "/a", "load", "-c", "/b");
	BAD("option '--cgroup' given twice", "--cgroup", "/a", "load", "--cgroup", "/a");
	BAD("option '--pin-dir' given twice", "--pin-dir=/a", "--pin-dir=/b", "load");
	BAD("option '--config' needs a non-empty value", "--config", "", "load");
	BAD("option '--config' needs a non-empty value", "--config=", "load");
	BAD("option '--cgroup' needs a non-empty value", "load", "--cgroup", "");
	BAD("option '--pin-dir' needs a non-empty value", "status", "--pin-dir=");
	BAD("--top takes a number from 0 to 100000", "stats", "--top", "100001");
	BAD("--top takes a number from 0 to 100000", "stats", "--top", "-1");
	BAD("--top takes a number from 0 to 100000", "stats", "--top", "ten");
	BAD("--top takes a number from 0 to 100000", "stats", "--top", "");
	BAD("--top takes a number from 0 to 100000", "stats", "--top", "99999999999999999999999");
	BAD("--json does not apply to 'load'", "load", "--json");
	BAD("--json does not apply to 'unload'", "--json", "unload");
	BAD("--json does not apply to 'reload'", "reload", "--json");
	BAD("--json does not apply to 'monitor'", "monitor", "--json");
	BAD("--prometheus applies only to 'stats'", "status", "--prometheus");
	BAD("--reset applies only to 'stats'", "log", "--reset");
	BAD("--top applies only to 'stats'", "status", "--top", "3");
	BAD("--json and --prometheus exclude each other", "stats", "--json", "--prometheus");
	BAD("--user applies only to 'explain', 'log' and 'stats'", "status", "--user", "alice");
	BAD("--output applies only to 'monitor' and 'stats --prometheus'", "stats", "--output", "/x");
	BAD("--output applies only to 'monitor' and 'stats --prometheus'", "status", "--output", "/x");
	BAD("--user does not go with --prometheus", "stats", "--user", "1", "--prometheus");
	BAD("option '--user' needs a non-empty value", "stats", "--user=");
	/* the error buffer bounds the message */
	{
		static char *argv[] = { "smtpguard", "a-very-long-command-name-indeed", NULL };
		char small[12];

		OK(sg_parse_args(2, argv, &a, small, sizeof(small)) == SG_EXIT_USAGE &&
		   !strcmp(small, "unknown com"), "message cut to a small buffer");
	}
	/* no arguments at all */
	{
		static char *argv[] = { "smtpguard", NULL };

		OK(sg_parse_args(1, argv, &a, err, sizeof(err)) == SG_EXIT_USAGE &&
		   !strcmp(err, "no command given (try --help)"), "no arguments");
	}

	STR_EQ(sg_cmd_name(SG_CMD_CHECK_CONFIG), "check-config", "command name");
	STR_EQ(sg_cmd_name(SG_CMD_NONE), "?", "no command name");
	f = open_memstream(&buf, &len);
	sg_print_usage(f);
	fclose(f);
	OK(!strncmp(buf, "Usage: smtpguard [OPTIONS] COMMAND [OPTIONS]\n", 45), "usage line");
	OK(strstr(buf, "Exit codes: 0 ok, 1 runtime failure, 2 usage or config error, 3 not loaded.\n")
	   != NULL, "usage names the exit codes");
	free(buf);
	return tap_done();
}
