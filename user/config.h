/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The config file and the policy it describes (see smtpguard.conf(5)). */
#ifndef SG_CONFIG_H
#define SG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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
};

/*
 * Parses config text. Keys not in the text keep their built-in default.
 * On error returns -1 with "FILE:LINE: what is wrong" in err.
 */
int sg_config_parse(const char *path, const char *text, size_t len,
		    struct sg_config *cfg, char *err, size_t errlen);

/*
 * Reads and parses path. A missing file at the default path (must_exist
 * false) yields the built-in defaults. -1 with a one-line message in err.
 */
int sg_config_load(const char *path, bool must_exist, struct sg_config *cfg,
		   char *err, size_t errlen);

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
