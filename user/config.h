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
	bool user;             /* user, else group (or cgroup) */
	bool cgroup;           /* issue 10: an allow_cgroups path (user false) */
	unsigned line;
	char name[SG_PATH_LEN];
};

/* issue 10: one DEST of allow_user_destinations / allow_group_destinations
 * (config_acct.c). */
struct sg_acct_dst {
	bool group;            /* a gid, else a uid */
	uint32_t id;
	char name[SG_NAME_MAX]; /* "" when given as a number */
	struct sg_prefix dst;  /* IPv4-mapped prefixes are IPv4 already */
	uint16_t port;         /* 0: every guarded port */
	unsigned line;
};

/* issue 10: one allow_cgroups entry (config_cgroup.c). */
struct sg_cgroup_entry {
	char path[SG_PATH_LEN]; /* relative to the cgroup v2 root, "/a/b" */
	unsigned line;
	uint64_t id;           /* cgroup id, once resolved (0 before) */
	uint32_t level;        /* level in the hierarchy, once resolved */
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
	/* issue 10 */
	struct sg_acct_dst *acct;   /* per-account destinations, in file order */
	unsigned nacct;
	struct sg_cgroup_entry *cgroups;
	unsigned ncgroups;
	uint32_t cgroup_levels;     /* bit L: an entry at level L (resolved) */
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

/* Makes room in the malloc'ed array *arrp of n elements of size elem for
 * one more, doubling at powers of two. 0 or -1 (out of memory). */
int sg_grow(void *arrp, unsigned n, size_t elem);
/* Records a skipped name or cgroup path (cfg->skipped). -1 at the limit. */
int sg_config_skip(struct sg_config *cfg, const char *name, unsigned line, bool user,
		   bool cgroup);

/* Adders shared by the parser and by status (which rebuilds a config from
 * the kernel maps). Return -1 when a limit is hit. */
int sg_config_add_user(struct sg_config *cfg, uint32_t uid, const char *name);
int sg_config_add_group(struct sg_config *cfg, uint32_t gid, const char *name);
int sg_config_add_dst(struct sg_config *cfg, const struct sg_prefix *p);

/* issue 10 (config_acct.c): parses a DEST, "PREFIX" or "PREFIX:PORT"
 * ("192.0.2.0/24:587", "192.0.2.10", "[2001:db8::/48]:587", "2001:db8::/48");
 * *port 0 when none. 0 or -1 with err. */
int sg_parse_acct_dst(const char *s, struct sg_prefix *p, uint16_t *port,
		      char *err, size_t errlen);
/* Appends an entry; -1 at SG_MAX_ACCT_DSTS or out of memory. */
int sg_config_add_acct(struct sg_config *cfg, const struct sg_acct_dst *a);
/* Trie entries cfg needs: a port-less DEST counts once per guarded port. */
unsigned long sg_config_acct_keys(const struct sg_config *cfg);
/* After the whole file is read (ports known): every DEST port must be a
 * guarded port, and the entries must fit SG_MAX_ACCT_KEYS. 0, or -1 with
 * the offending entry's line in *line and what is wrong in msg. */
int sg_config_check_acct(const struct sg_config *cfg, unsigned *line, char *msg, size_t len);
/* "alice 192.0.2.10/32:587" (the name looked up when a number has none) */
void sg_format_acct(const struct sg_acct_dst *a, char *buf, size_t len);

/* The entry of arr[n] the kernel's trie matches for a connect by uid (or
 * gid, group) id to addr (4 or 16 bytes; IPv4-mapped given as IPv4) on a
 * guarded port: the longest prefix for that account, family and port (a
 * port-less entry covers every guarded port), the later of equal ones.
 * NULL when none. */
const struct sg_acct_dst *sg_acct_match(const struct sg_acct_dst *arr, unsigned n, bool group,
					uint32_t id, uint8_t family, const uint8_t *addr,
					uint16_t port);

/* issue 10 (config_cgroup.c): appends an allow_cgroups path after checking
 * its syntax (absolute, not "/", no "." or ".." part, no duplicate). 0 or -1
 * with what is wrong in msg. */
int sg_config_add_cgroup(struct sg_config *cfg, const char *path, unsigned line,
			 char *msg, size_t len);
/* Finds each allow_cgroups path under the cgroup v2 root mounted at root
 * (root_is_slash: the mount shows the hierarchy's root, see mountinfo.h;
 * NULL root: no cgroup v2 mounted) and records its id and level. A path
 * that does not exist is skipped (cfg->skipped) when lenient, else an error
 * "FILE:LINE: ..." in err. 0 or -1. */
int sg_config_resolve_cgroups(struct sg_config *cfg, const char *root, bool root_is_slash,
			      bool lenient, char *err, size_t errlen);
/* Finds the cgroup v2 mount from /proc/self/mountinfo (never mounts one)
 * and resolves cfg's cgroups there (sg_config_resolve_cgroups). */
int sg_config_resolve_cgroups_here(struct sg_config *cfg, bool lenient, char *err,
				   size_t errlen);

/* The non-set part of the policy, as the BPF program reads it. */
void sg_config_to_policy(const struct sg_config *cfg, struct sg_policy *pol);
/* The reverse, for status. */
void sg_policy_to_config(const struct sg_policy *pol, struct sg_config *cfg);

const char *sg_mode_name(uint32_t mode);

#endif
