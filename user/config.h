/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The config file and the policy it describes (see smtpguard.conf(5)). */
#ifndef SG_CONFIG_H
#define SG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "smtpguard.h"
#include "names.h"
#include "prefix.h"

#define SG_DEFAULT_EVENT_RATE 10

struct sg_ident {
	uint32_t id;
	char name[SG_NAME_MAX]; /* "" when the id has no name */
	unsigned line;          /* config line it came from (0: default) */
};

/* An allow_users/allow_groups name that did not resolve at load or reload
 * (lenient_names): skipped, warned about and shown by status. */
struct sg_skipped {
	bool user;             /* user, else group */
	unsigned line;
	char name[SG_NAME_MAX];
};

struct sg_config {
	char source[256];      /* file it came from, or "(built-in defaults)" */
	uint16_t ports[SG_MAX_PORTS];
	unsigned nports;
	struct sg_ident *users;
	unsigned nusers;
	struct sg_ident *groups;
	unsigned ngroups;
	struct sg_prefix *dsts;
	unsigned ndsts;
	uint32_t mode;         /* enum sg_mode */
	struct sg_endpoint redirect4, redirect6;
	uint32_t event_rate;   /* events per UID per second */
	struct sg_skipped *skipped; /* names skipped by a lenient parse */
	unsigned nskipped;
	/* the summary read back from the kernel (status), when skipped is
	 * not known entry by entry */
	char skipped_text[SG_SKIPPED_LEN];
	/* issue 14: egress_guard, normal paths below the cgroup v2 root ("/"
	 * for all), with their config lines; none: the layer is off */
	char eg_paths[SG_EG_MAX_PATHS][SG_PATH_LEN];
	unsigned eg_lines[SG_EG_MAX_PATHS];
	unsigned neg;
};

/* How strict a parse is. NULL options: strict names, threshold 1024. */
struct sg_config_opts {
	/* load/reload: an unknown user or group name is skipped and recorded
	 * in cfg->skipped instead of failing the parse (a name removed by a
	 * hosting panel, or LDAP not reachable at boot, must not leave the
	 * host unenforced). check-config stays strict. */
	bool lenient_names;
	/* net.ipv4.ip_unprivileged_port_start: a redirect_to port at or above
	 * it can be bound by any local user, who would then receive the
	 * redirected mail and its SMTP AUTH credentials. Read from /proc by
	 * the caller (sg_unpriv_port_start()), so the parser stays pure. */
	unsigned unpriv_port_start;
};

/*
 * Parses config text. Keys not in the text keep their built-in default.
 * On error returns -1 with "FILE:LINE: what is wrong" in err.
 */
int sg_config_parse(const char *path, const char *text, size_t len,
		    const struct sg_config_opts *opts, struct sg_config *cfg,
		    char *err, size_t errlen);

/*
 * Reads and parses path. A missing file at the default path (must_exist
 * false) yields the built-in defaults. -1 with a one-line message in err.
 */
int sg_config_load(const char *path, bool must_exist, const struct sg_config_opts *opts,
		   struct sg_config *cfg, char *err, size_t errlen);

/* "FILE:LINE: warning: unknown user 'x' (skipped)" for each skipped name
 * (the first SG_SKIPPED_WARN_MAX, then one line with how many more). */
#define SG_SKIPPED_WARN_MAX 20
void sg_config_warn_skipped(FILE *out, const struct sg_config *cfg);
/* "user x (smtpguard.conf:3), group y (smtpguard.conf:4)", ending in
 * "... (N more)" when it does not fit in len; "" when nothing was skipped.
 * This is what the kernel keeps for status (sg_policy.skipped). */
void sg_config_skipped_summary(const struct sg_config *cfg, char *buf, size_t len);

/* Built-in defaults: port 25; root and the MTA/list-manager accounts that
 * exist here; groups mail and mailman where they exist; loopback. */
int sg_config_defaults(struct sg_config *cfg);
void sg_config_free(struct sg_config *cfg);

/* Adders shared by the parser and by status (which rebuilds a config from
 * the kernel maps). Return -1 when a limit is hit. */
int sg_config_add_user(struct sg_config *cfg, uint32_t uid, const char *name);
int sg_config_add_group(struct sg_config *cfg, uint32_t gid, const char *name);
int sg_config_add_dst(struct sg_config *cfg, const struct sg_prefix *p);

/* The non-set part of the policy, as the BPF program reads it. */
void sg_config_to_policy(const struct sg_config *cfg, struct sg_policy *pol);
/* The reverse, for status. */
void sg_policy_to_config(const struct sg_policy *pol, struct sg_config *cfg);

const char *sg_mode_name(uint32_t mode);

#endif
