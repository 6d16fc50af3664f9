// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* smtpguard: parse the command line, read the config, run one command. */
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"
#include "commands.h"
#include "common.h"
#include "config.h"
#include "config_audit.h"
#include "egress_paths.h"
#include "mountinfo.h"
#include "readfile.h"
#include "policy_print.h"
#include "sysenv.h"

static int check_config(const struct sg_args *args, const struct sg_config *cfg)
{
	struct sg_json j;

	if (args->json) {
		sg_json_to_file(&j, stdout);
		sg_json_open(&j, '{');
		sg_json_kstr(&j, "source", cfg->source);
		sg_policy_json(&j, cfg);
		/* issue 10: the conf.d drop-ins read after it, when there are any */
		if (cfg->nfiles > 1) {
			sg_json_key(&j, "drop_ins");
			sg_json_open(&j, '[');
			for (unsigned i = 1; i < cfg->nfiles; i++)
				sg_json_string(&j, cfg->files[i]);
			sg_json_close(&j, ']');
		}
		sg_json_close(&j, '}');
		putchar('\n');
	} else {
		printf("%-20s %s: OK\n", "config:", cfg->source);
		for (unsigned i = 1; cfg->files && i < cfg->nfiles; i++)
			printf("%-20s %s\n", i == 1 ? "drop-ins:" : "", cfg->files[i]);
		sg_print_policy_text(stdout, cfg);
	}
	return SG_EXIT_OK;
}

/* A first load with an unusable config (at boot, say) must not leave the
 * host open: enforce the built-in default and still exit 2, so the unit is
 * marked failed while the host is protected. Something loaded already keeps
 * its policy (a reload with a bad config does the same). */
static int load_default(const struct sg_args *args)
{
	struct sg_config def = { 0 };
	int rc;

	/* Where nothing can be loaded (no privilege, no kernel support), the
	 * config error is all there is to say. */
	if (!sg_in_initial_userns() || sg_probe_kernel())
		return SG_EXIT_USAGE;
	if (sg_config_defaults(&def)) {
		sg_err("cannot build the built-in default policy");
		return SG_EXIT_RUNTIME;
	}
	rc = sg_cmd_load(args, &def, SG_LOAD_FALLBACK);
	sg_config_free(&def);
	if (rc == SG_EXIT_OK) {
		sg_err("the config is unusable: enforcing the built-in default policy instead");
		return SG_EXIT_USAGE;
	}
	return rc;
}

/* issue 14: egress_guard cgroups that do not exist are an error for
 * check-config and skipped, with a warning, by load and reload (as unknown
 * users are). Found read-only in mountinfo: check-config changes nothing;
 * with no cgroup v2 mounted, check-config cannot tell and says nothing. */
static int resolve_egress(struct sg_config *cfg, bool strict)
{
	char root[SG_PATH_LEN], err[SG_ERRLEN];
	char *mi;
	int root_ok = 1, rc;

	if (!cfg->neg)
		return 0;
	mi = sg_read_text("/proc/self/mountinfo", SG_MAX_MOUNTINFO, NULL);
	rc = mi ? sg_find_mount(mi, "cgroup2", root, sizeof(root), &root_ok) : -1;
	free(mi);
	if (rc)
		return 0;
	if (sg_eg_resolve(cfg, root, strict, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sg_config cfg = { 0 };
	char err[SG_ERRLEN];
	struct sg_args args;
	int rc;

	if (sg_parse_args(argc, argv, &args, err, sizeof(err))) {
		sg_err("%s", err);
		return SG_EXIT_USAGE;
	}
	switch (args.cmd) {
	case SG_CMD_HELP:
		sg_print_usage(stdout);
		return SG_EXIT_OK;
	case SG_CMD_VERSION:
		printf("smtpguard %s (map format %d)\n", SG_VERSION, SG_FORMAT_VERSION);
		return SG_EXIT_OK;
	case SG_CMD_UNLOAD:
		return sg_cmd_unload(&args);
	case SG_CMD_STATUS:
		return sg_cmd_status(&args);
	case SG_CMD_STATS:
		return sg_cmd_stats(&args);
	case SG_CMD_LOG:
		return sg_cmd_log(&args);
	case SG_CMD_MONITOR:
		return sg_cmd_monitor(&args);
	case SG_CMD_EXPLAIN:
		return sg_cmd_explain(&args);
	case SG_CMD_IMPORT_CSF:
		return sg_cmd_import_csf(&args);
	default:
		break;
	}

	/* load, reload, check-config: the config must be valid before the
	 * kernel is touched at all. An unknown name is skipped by load and
	 * reload (a stale name must not leave the host unenforced) but stays
	 * an error for check-config (CI of a config repo stays strict). */
	struct sg_config_opts opts = {
		.lenient_names = args.cmd != SG_CMD_CHECK_CONFIG,
		.unpriv_port_start = sg_unpriv_port_start(),
	};
	if (sg_config_load(args.config, args.config_given, &opts, &cfg, err, sizeof(err)) ||
	    sg_config_resolve_cgroups_here(&cfg, opts.lenient_names, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		sg_config_free(&cfg);
		return args.cmd == SG_CMD_LOAD ? load_default(&args) : SG_EXIT_USAGE;
	}
	if (resolve_egress(&cfg, args.cmd == SG_CMD_CHECK_CONFIG)) {
		sg_config_free(&cfg);
		return SG_EXIT_USAGE;
	}
	if (args.cmd == SG_CMD_CHECK_CONFIG) {
		rc = check_config(&args, &cfg);
	} else {
		sg_config_warn_skipped(stderr, &cfg);
		sg_config_audit(args.config, &cfg);
		rc = sg_cmd_load(&args, &cfg, args.cmd == SG_CMD_RELOAD ? SG_RELOAD : SG_LOAD);
	}
	sg_config_free(&cfg);
	return rc;
}
