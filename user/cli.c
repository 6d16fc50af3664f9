// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Command line: `smtpguard [OPTIONS] COMMAND [OPTIONS] [ARG]`. Options may
 * stand before or after the command (GNU getopt permutes argv), so
 * `smtpguard --cgroup X load` and `smtpguard load --cgroup X` are the same.
 */
#include <getopt.h>
#include <string.h>
#include "cli.h"
#include "common.h"
#include "prefix.h"

static const struct {
	const char *name;
	enum sg_cmd cmd;
} commands[] = {
	{ "load", SG_CMD_LOAD },
	{ "unload", SG_CMD_UNLOAD },
	{ "reload", SG_CMD_RELOAD },
	{ "status", SG_CMD_STATUS },
	{ "check-config", SG_CMD_CHECK_CONFIG },
	{ "stats", SG_CMD_STATS },
	{ "log", SG_CMD_LOG },
	{ "monitor", SG_CMD_MONITOR },
	{ "help", SG_CMD_HELP },
	{ "version", SG_CMD_VERSION },
	{ "explain", SG_CMD_EXPLAIN },
	{ "import-csf", SG_CMD_IMPORT_CSF },
};

const char *sg_cmd_name(enum sg_cmd cmd)
{
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		if (commands[i].cmd == cmd)
			return commands[i].name;
	return "?";
}

void sg_print_usage(FILE *out)
{
	fputs("Usage: smtpguard [OPTIONS] COMMAND [OPTIONS]\n"
	      "Refuse outbound SMTP connects except for allowed accounts (eBPF, cgroup v2).\n"
	      "\n"
	      "Commands:\n"
	      "  load                attach at the cgroup v2 root (or --cgroup), fill maps, pin; idempotent\n"
	      "  reload              re-read the config and swap the policy atomically\n"
	      "  unload              detach and unpin everything\n"
	      "  status              whether loaded, the effective policy (with per-account destinations,\n"
	      "                      allowed cgroups, skipped entries) and its limits (exit 3: not loaded)\n"
	      "  check-config [FILE] validate a config and print the effective policy; changes nothing\n"
	      "  stats               counters and top offenders (--json, --prometheus, --user, --reset)\n"
	      "  log                 follow events live, one line each, until interrupted (follows a monitor)\n"
	      "  monitor             the one event reader: syslog, JSON lines to --output; for a service\n"
	      "  explain DEST:PORT   the loaded policy's verdict on one TCP connect, and the deciding rule\n"
	      "  import-csf [FILE]   print CSF's SMTP settings (default " SG_DEFAULT_CSF ") as smtpguard config\n"
	      "\n"
	      "Options:\n"
	      "  -c, --config FILE   config file (default " SG_DEFAULT_CONFIG ")\n"
	      "      --cgroup DIR    cgroup v2 directory to attach to (default: the cgroup v2 root)\n"
	      "      --pin-dir DIR   bpffs directory for pins (default " SG_DEFAULT_PIN_DIR ")\n"
	      "      --json          machine-readable output (status, check-config, stats, log, explain)\n"
	      "      --user USER     explain: the connecting user, name or UID (default: you);\n"
	      "                      log: only this account's events; stats: its counters\n"
	      "      --group GROUP   explain: its group, name or GID (default: --user's primary one, else yours)\n"
	      "      --cgroup-path P explain: its cgroup, relative to the cgroup v2 root\n"
	      "      --prometheus    stats: Prometheus text format (node_exporter textfile collector)\n"
	      "      --top N         stats: list the N busiest offenders (default 10; with\n"
	      "                      --prometheus, per-account series for these N only)\n"
	      "      --reset         stats: clear counters and offender records\n"
	      "      --output FILE   monitor: append one JSON line per event to FILE;\n"
	      "                      stats --prometheus: write FILE atomically (temp file, rename)\n"
	      "      --since-load    log: first the events buffered since load (default: live only)\n"
	      "  -h, --help          show this help\n"
	      "  -V, --version       show the version\n"
	      "\n"
	      "The policy is in the config file, see smtpguard.conf(5); egress_guard = CGROUP...\n"
	      "adds the egress layer for containers with their own network (status, stats).\n"
	      "\n"
	      "Exit codes: 0 ok, 1 runtime failure, 2 usage or config error, 3 not loaded.\n",
	      out);
}

enum { OPT_CGROUP = 256, OPT_PIN_DIR, OPT_JSON, OPT_PROMETHEUS, OPT_RESET, OPT_TOP,
       OPT_USER, OPT_GROUP, OPT_CGROUP_PATH, OPT_OUTPUT, OPT_SINCE_LOAD };

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "pin-dir", required_argument, NULL, OPT_PIN_DIR },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "prometheus", no_argument, NULL, OPT_PROMETHEUS },
	{ "reset", no_argument, NULL, OPT_RESET },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "user", required_argument, NULL, OPT_USER },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "cgroup-path", required_argument, NULL, OPT_CGROUP_PATH },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "since-load", no_argument, NULL, OPT_SINCE_LOAD },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* The message quotes what the user typed: control characters become '?'
 * so an error stays one line. */
static int fail(char *err, size_t errlen, const char *fmt, const char *what)
{
	char safe[256];
	size_t i;

	for (i = 0; what[i] && i + 1 < sizeof(safe); i++)
		safe[i] = ((unsigned char)what[i] < 0x20 || what[i] == 0x7f) ? '?' : what[i];
	safe[i] = '\0';
	snprintf(err, errlen, fmt, safe);
	return SG_EXIT_USAGE;
}

static int set_once(const char **slot, const char *val, const char *opt,
		    char *err, size_t errlen)
{
	if (*slot)
		return fail(err, errlen, "option '%s' given twice", opt);
	if (!*val)
		return fail(err, errlen, "option '%s' needs a non-empty value", opt);
	*slot = val;
	return 0;
}

/*
 * The option getopt stopped at, as written: a long option up to any '=', or
 * "-X" for a short one. A short option can sit inside a cluster ("-hx"),
 * where argv[optind - 1] is not the one at fault (it may even be argv[0]).
 * optopt is 0 for an unknown long option and the option's value for a long
 * one given a value it takes none of or missing one; of the short options
 * only -c can fail, and then its cluster is argv[optind - 1].
 */
static const char *bad_opt(char **argv, char *buf, size_t len)
{
	const char *w = argv[optind - 1];

	if (optopt == 0 || optopt >= 256 || optopt == 'h' || optopt == 'V' ||
	    (optopt == 'c' && !strncmp(w, "--", 2)))
		snprintf(buf, len, "%.*s", (int)strcspn(w, "="), w);
	else
		snprintf(buf, len, "-%c", optopt);
	return buf;
}

/* What getopt collects besides the fields of sg_args. */
struct opt_state {
	const char *config;
	bool help, version, top_given;
};

/* One option; 0 or -1 with err. */
static int take_option(int c, char **argv, struct sg_args *a, struct opt_state *o,
		       char *err, size_t errlen)
{
	unsigned long long top;
	char optname[64];

	switch (c) {
	case 'c':
		return set_once(&o->config, optarg, "--config", err, errlen);
	case OPT_CGROUP:
		return set_once(&a->cgroup, optarg, "--cgroup", err, errlen);
	case OPT_PIN_DIR:
		return set_once(&a->pin_dir, optarg, "--pin-dir", err, errlen);
	case OPT_USER:
		return set_once(&a->user, optarg, "--user", err, errlen);
	case OPT_GROUP:
		return set_once(&a->group, optarg, "--group", err, errlen);
	case OPT_CGROUP_PATH:
		return set_once(&a->cgroup_path, optarg, "--cgroup-path", err, errlen);
	case OPT_OUTPUT:
		return set_once(&a->output, optarg, "--output", err, errlen);
	case OPT_JSON:
		a->json = true;
		return 0;
	case OPT_PROMETHEUS:
		a->prometheus = true;
		return 0;
	case OPT_RESET:
	case OPT_SINCE_LOAD:
		*(c == OPT_RESET ? &a->reset : &a->since_load) = true;
		return 0;
	case OPT_TOP:
		if (sg_parse_uint(optarg, SG_MAX_TOP, &top))
			return fail(err, errlen, "--top takes a number from 0 to %s", "100000");
		a->top = (unsigned)top;
		o->top_given = true;
		return 0;
	case 'h':
		o->help = true;
		return 0;
	case 'V':
		o->version = true;
		return 0;
	case ':':
		return fail(err, errlen, "option '%s' needs a value",
			    bad_opt(argv, optname, sizeof(optname)));
	default:
		bad_opt(argv, optname, sizeof(optname));
		if (optopt && optname[1] == '-')
			return fail(err, errlen, "option '%s' takes no value", optname);
		return fail(err, errlen, "unknown option '%s' (try --help)", optname);
	}
}

/* The command word and, for check-config, its FILE. */
static int take_words(int argc, char **argv, struct sg_args *a, struct opt_state *o,
		      char *err, size_t errlen)
{
	if (optind < argc) {
		const char *word = argv[optind++];

		for (size_t i = 0; i < ARRAY_LEN(commands); i++)
			if (!strcmp(word, commands[i].name))
				a->cmd = commands[i].cmd;
		if (a->cmd == SG_CMD_NONE)
			return fail(err, errlen, "unknown command '%s' (try --help)", word);
	}
	if (a->cmd == SG_CMD_CHECK_CONFIG && optind < argc) {
		if (o->config)
			return fail(err, errlen, "%s", "check-config takes either FILE or --config, not both");
		if (!*argv[optind])
			return fail(err, errlen, "%s", "check-config: FILE must not be empty");
		o->config = argv[optind++];
	}
	/* issue 10: explain's DEST:PORT (required), import-csf's FILE */
	if (a->cmd == SG_CMD_EXPLAIN && optind < argc)
		a->target = argv[optind++];
	if (a->cmd == SG_CMD_IMPORT_CSF && optind < argc) {
		if (!*argv[optind])
			return fail(err, errlen, "%s", "import-csf: FILE must not be empty");
		a->csf_file = argv[optind++];
	}
	if (optind < argc)
		return fail(err, errlen, "unexpected argument '%s' (try --help)", argv[optind]);
	return 0;
}

/* Options that apply only to some commands, and defaults. */
static int check_combination(struct sg_args *a, const struct opt_state *o, char *err,
			     size_t errlen)
{
	if (a->cmd == SG_CMD_NONE)
		return fail(err, errlen, "%s", "no command given (try --help)");
	if (a->json && a->cmd != SG_CMD_STATUS && a->cmd != SG_CMD_CHECK_CONFIG &&
	    a->cmd != SG_CMD_STATS && a->cmd != SG_CMD_LOG && a->cmd != SG_CMD_EXPLAIN)
		return fail(err, errlen, "--json does not apply to '%s'", sg_cmd_name(a->cmd));
	if ((a->prometheus || a->reset || o->top_given) && a->cmd != SG_CMD_STATS)
		return fail(err, errlen, "--%s applies only to 'stats'",
			    a->prometheus ? "prometheus" : a->reset ? "reset" : "top");
	if (a->user && a->cmd != SG_CMD_EXPLAIN && a->cmd != SG_CMD_LOG && a->cmd != SG_CMD_STATS)
		return fail(err, errlen, "%s", "--user applies only to 'explain', 'log' and 'stats'");
	if ((a->group || a->cgroup_path) && a->cmd != SG_CMD_EXPLAIN)
		return fail(err, errlen, "--%s applies only to 'explain'",
			    a->group ? "group" : "cgroup-path");
	if (a->cmd == SG_CMD_EXPLAIN && !a->target)
		return fail(err, errlen, "%s", "explain needs DEST:PORT (try --help)");
	if (!a->csf_file)
		a->csf_file = SG_DEFAULT_CSF;
	if (a->output && a->cmd != SG_CMD_MONITOR && !(a->cmd == SG_CMD_STATS && a->prometheus))
		return fail(err, errlen, "%s",
			    "--output applies only to 'monitor' and 'stats --prometheus'");
	if (a->since_load && a->cmd != SG_CMD_LOG)
		return fail(err, errlen, "%s", "--since-load applies only to 'log'");
	if (a->prometheus && a->json)
		return fail(err, errlen, "%s", "--json and --prometheus exclude each other");
	if (a->user && (a->prometheus || a->reset))
		return fail(err, errlen, "--user does not go with --%s",
			    a->prometheus ? "prometheus" : "reset");
	if (!o->top_given)
		a->top = SG_DEFAULT_TOP;
	a->config_given = o->config != NULL;
	a->config = o->config ? o->config : SG_DEFAULT_CONFIG;
	if (!a->pin_dir)
		a->pin_dir = SG_DEFAULT_PIN_DIR;
	return 0;
}

int sg_parse_args(int argc, char **argv, struct sg_args *a, char *err, size_t errlen)
{
	struct opt_state o = { 0 };
	int c, rc;

	memset(a, 0, sizeof(*a));
	optind = 0; /* full re-initialisation: parse may run more than once */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:hV", long_opts, NULL)) != -1)
		if ((rc = take_option(c, argv, a, &o, err, errlen)))
			return rc;
	if ((rc = take_words(argc, argv, a, &o, err, errlen)))
		return rc;
	if (o.help || a->cmd == SG_CMD_HELP) {
		a->cmd = SG_CMD_HELP;
		return 0;
	}
	if (o.version || a->cmd == SG_CMD_VERSION) {
		a->cmd = SG_CMD_VERSION;
		return 0;
	}
	return check_combination(a, &o, err, errlen);
}
