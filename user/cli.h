/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Command-line parsing: pure, so it can be unit-tested and fuzzed. */
#ifndef SG_CLI_H
#define SG_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define SG_DEFAULT_CONFIG  "/etc/smtpguard/smtpguard.conf"
#define SG_DEFAULT_PIN_DIR "/sys/fs/bpf/smtpguard"

enum sg_cmd {
	SG_CMD_NONE = 0,
	SG_CMD_LOAD,
	SG_CMD_UNLOAD,
	SG_CMD_RELOAD,
	SG_CMD_STATUS,
	SG_CMD_CHECK_CONFIG,
	SG_CMD_STATS,
	SG_CMD_LOG,
	SG_CMD_MONITOR,
	SG_CMD_HELP,
	SG_CMD_VERSION,
	/* issue 10 */
	SG_CMD_EXPLAIN,
	SG_CMD_IMPORT_CSF,
};

struct sg_args {
	enum sg_cmd cmd;
	const char *config;     /* config file; SG_DEFAULT_CONFIG if not given */
	bool config_given;      /* --config or check-config FILE: must exist */
	const char *cgroup;     /* NULL: the cgroup v2 root */
	const char *pin_dir;
	bool json;        /* status, check-config, stats, log */
	bool prometheus;  /* stats: Prometheus text exposition format */
	bool reset;       /* stats: clear counters and offenders */
	unsigned top;     /* stats: how many offenders to list (default 10) */
	/* issue 10 */
	const char *user;        /* explain, log, stats: --user NAME|UID, or NULL */
	const char *group;       /* explain --group NAME|GID, or NULL */
	const char *cgroup_path; /* explain --cgroup-path PATH, or NULL */
	const char *target;      /* explain DEST:PORT */
	const char *csf_file;    /* import-csf [FILE] (default SG_DEFAULT_CSF) */
	/* issue 11 */
	const char *output; /* monitor: append one JSON line per event here;
			     * stats --prometheus: write FILE atomically */
	bool since_load;  /* log: the events buffered since load first */
};

#define SG_DEFAULT_CSF "/etc/csf/csf.conf"

#define SG_DEFAULT_TOP 10
#define SG_MAX_TOP     100000

/* Parses argv (options before or after the command). Returns 0, or
 * SG_EXIT_USAGE with a one-line message in err. */
int sg_parse_args(int argc, char **argv, struct sg_args *args, char *err, size_t errlen);
void sg_print_usage(FILE *out);
const char *sg_cmd_name(enum sg_cmd cmd);

#endif
