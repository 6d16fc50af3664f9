/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Audit of the environment a valid config is loaded into: ways around the
 * policy that the config itself cannot show. Warnings only (sg_warn), never
 * fatal: the policy is still better enforced than not.
 */
#ifndef SG_CONFIG_AUDIT_H
#define SG_CONFIG_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"

/* One line of /etc/subuid or /etc/subgid: "owner:start:count". */
struct sg_subid_range {
	char owner[SG_NAME_MAX]; /* a name or a numeric id, as written */
	uint32_t start;
	uint32_t count;
	uint64_t max_end;        /* largest start + count of this and earlier
				  * ranges once sorted (for the search) */
};

/* Parses one line (no newline needed; len bytes). 1 with *r set for a range,
 * 0 for a blank or comment line, -1 for a malformed one. */
int sg_subid_parse_line(const char *line, size_t len, struct sg_subid_range *r);

/* Parses a whole file's text into *out (sorted by start; free() it),
 * skipping malformed lines as newuidmap does. 0, or -1 when out of memory. */
int sg_subid_parse(const char *text, size_t len, struct sg_subid_range **out, unsigned *n);

/* The range of a sorted list that contains id, or NULL. */
const struct sg_subid_range *sg_subid_find(const struct sg_subid_range *r, unsigned n,
					   uint32_t id);

/* "group mail (8) has supplementary members that are not allowed: a, b and
 * 3 more; ..." for the first nnames of total names. */
void sg_audit_members_line(const char *group, uint32_t gid, const char *const *names,
			   unsigned nnames, unsigned total, char *buf, size_t len);

/* How many non-allowed members a group line names before "and N more". */
#define SG_AUDIT_MEMBERS_SHOWN 5

/* net.ipv4.ip_unprivileged_port_start, or 1024 (the Linux default) when it
 * cannot be read. */
unsigned sg_unpriv_port_start(void);

/*
 * load/reload: warns (one line each) when the config file at path, its
 * directory, conf.d beside it or a drop-in in it (cfg->files) is writable
 * by anyone but root, when an allowed UID/GID lies in
 * a subordinate id range (/etc/subuid, /etc/subgid; test knobs
 * SMTPGUARD_SUBUID_FILE, SMTPGUARD_SUBGID_FILE), and when an allowed group
 * has supplementary members that are not allowed.
 */
void sg_config_audit(const char *path, const struct sg_config *cfg);

#endif
