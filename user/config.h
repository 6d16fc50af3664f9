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
#define SG_DEFAULT_EVENT_RATE_TOTAL 1000 /* issue 11: over all UIDs */

struct sg_ident {
	uint32_t id;
	char name[SG_NAME_MAX]; /* "" when the id has no name */
	unsigned line;          /* config line it came from (0: default) */
	unsigned file;          /* in cfg->files (0: the main file) */
};

/* An allow_users/allow_groups name that did not resolve at load or reload
 * (lenient_names): skipped, warned about and shown by status. */
struct sg_skipped {
	bool user;             /* user, else group (or cgroup) */
	bool cgroup;           /* issue 10: an allow_cgroups path (user false) */
	unsigned line;
	unsigned file;         /* in cfg->files */
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
	unsigned file;         /* in cfg->files */
};

/* issue 10: one allow_cgroups entry (config_cgroup.c). */
struct sg_cgroup_entry {
	char path[SG_PATH_LEN]; /* relative to the cgroup v2 root, "/a/b" */
	unsigned line;
	unsigned file;         /* in cfg->files */
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
	uint32_t event_rate_total; /* events per second over all UIDs; 0: no budget */
	struct sg_skipped *skipped; /* names skipped by a lenient parse */
	unsigned nskipped;
	/* the summary read back from the kernel (status), when skipped is
	 * not known entry by entry */
	char skipped_text[SG_SKIPPED_LEN];
	/* issue 10: the files parsed, main file first, then conf.d's in order
	 * (sg_ident.file and sg_skipped.file index it); NULL when none */
	char **files;
	unsigned nfiles;
	/* issue 10: where dsts[i] was written (explain names it); line 0 for
	 * a default or an entry read back from the kernel */
	struct sg_where { unsigned line, file; } *dst_where;
	/* issue 10 */
	struct sg_acct_dst *acct;   /* per-account destinations, in file order */
	unsigned nacct;
	struct sg_cgroup_entry *cgroups;
	unsigned ncgroups;
	uint32_t cgroup_levels;     /* bit L: an entry at level L (resolved) */
	/* issue 14: egress_guard, normal paths below the cgroup v2 root ("/"
	 * for all), with their config lines; none: the layer is off */
	char eg_paths[SG_EG_MAX_PATHS][SG_PATH_LEN];
	unsigned eg_lines[SG_EG_MAX_PATHS];
	unsigned eg_files[SG_EG_MAX_PATHS]; /* in files */
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

/* issue 10: one text of a config split over files (main file, conf.d). */
struct sg_config_text {
	const char *path;
	const char *text;
	size_t len;
};

/*
 * Parses texts as one config, in order: list keys add up across files, a
 * scalar key may be set once in all of them. Errors name the file they are
 * in ("FILE:LINE: what", "... (first at OTHER:LINE)").
 */
int sg_config_parse_texts(const struct sg_config_text *texts, unsigned n,
			  const struct sg_config_opts *opts, struct sg_config *cfg,
			  char *err, size_t errlen);

/*
 * Reads and parses path, then the *.conf files of conf.d beside it (see
 * confd.h). A missing file at the default path (must_exist false) counts as
 * an empty one: the built-in defaults (and whatever conf.d adds). A missing
 * conf.d is none. -1 with a one-line message in err.
 */
int sg_config_load(const char *path, bool must_exist, const struct sg_config_opts *opts,
		   struct sg_config *cfg, char *err, size_t errlen);

/* The file an entry came from ("" when not known). */
const char *sg_config_file(const struct sg_config *cfg, unsigned file);
/* Where an earlier entry (file, line) is, seen from file here: "on line 3"
 * in the same file, "at /etc/smtpguard/conf.d/a.conf:3" else. */
void sg_config_also_at(const struct sg_config *cfg, unsigned here, unsigned file,
		       unsigned line, char *buf, size_t len);

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
int sg_config_skip(struct sg_config *cfg, const char *name, unsigned line, unsigned file,
		   bool user, bool cgroup);

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
 * the offending entry's index in *bad and what is wrong in msg. */
int sg_config_check_acct(const struct sg_config *cfg, unsigned *bad, char *msg, size_t len);
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
			 unsigned file, char *msg, size_t len);
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
