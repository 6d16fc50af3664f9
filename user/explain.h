/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Issue 10: `smtpguard explain`, the decision. Pure: fed a typed view of the
 * loaded policy (struct sg_config as kstate rebuilds it from the kernel
 * maps) and one connect, it returns the verdict and the one rule that
 * decides it, taking the steps in exactly the order of the BPF program
 * (bpf/smtpguard.bpf.c):
 *   1. stream socket to a guarded port?     no: allowed ("port N not guarded")
 *   2. destination in allow_destinations?  (an IPv4-mapped IPv6 address is
 *      judged as IPv4; the longest matching prefix is named, as the LPM
 *      trie finds it)
 *   3. UID in allow_users?
 *   4. GID in allow_groups?
 *   5. the mode: enforce refused, audit audited, redirect redirected.
 * Further allow steps (per-account destinations, allow_cgroups: see
 * explain_acct.h) plug in as struct sg_ex_extra, each placed after one of
 * the built-in steps in the order the kernel uses, without touching this
 * logic.
 */
#ifndef SG_EXPLAIN_H
#define SG_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"

enum sg_ex_verdict { SG_EX_ALLOWED, SG_EX_REFUSED, SG_EX_AUDITED, SG_EX_REDIRECTED };

/* The built-in steps, in the kernel's order. */
enum sg_ex_step { SG_EX_PORT, SG_EX_DST, SG_EX_UID, SG_EX_GID, SG_EX_MODE };

/* One connect to judge. */
struct sg_ex_query {
	struct sg_endpoint dst;      /* as asked: ::ffff:a.b.c.d stays family 6 */
	uint32_t uid, gid;
	char user[SG_NAME_MAX];      /* names for the text, "" when none */
	char group[SG_NAME_MAX];
	const char *cgroup_path;     /* --cgroup-path as given, or NULL */
	uint64_t cgroup_id;          /* its cgroup id (inode), 0 when none */
};

/*
 * An allow step besides the built-in ones. judge gets the destination as the
 * kernel judges it (IPv4 in the first 4 bytes of addr for a mapped one) and
 * returns 1 when it allows the connect, with the rule in text (e.g.
 * "allow_user_destinations alice 192.0.2.10/32:587", "allow_cgroups
 * /system.slice/postfix.service"), or 0 with why not in text, which then
 * joins the refusal's reasons ("" to add nothing).
 */
struct sg_ex_extra {
	const char *name;            /* the step's name in --json ("user_destination") */
	enum sg_ex_step after;       /* runs right after this step (SG_EX_DST..SG_EX_GID) */
	int (*judge)(void *ctx, const struct sg_ex_query *q, const uint8_t *addr,
		     uint8_t family, char *text, size_t len);
	void *ctx;
};

/* What decided an allow, so the command can find its config line. */
enum sg_ex_entry { SG_EX_ENTRY_NONE, SG_EX_ENTRY_DST, SG_EX_ENTRY_UID, SG_EX_ENTRY_GID,
		   SG_EX_ENTRY_ACCT, SG_EX_ENTRY_CGROUP };

struct sg_ex_result {
	enum sg_ex_verdict verdict;
	const char *step;            /* "port", "destination", "user", "group", "mode"
				      * or an extra step's name */
	char rule[1024];
	bool mapped;                 /* an IPv4-mapped IPv6 address judged as IPv4 */
	enum sg_ex_entry entry;
	struct sg_prefix prefix;     /* SG_EX_ENTRY_DST: the matching prefix */
	uint32_t id;                 /* SG_EX_ENTRY_UID/GID */
	struct sg_endpoint redirect; /* SG_EX_REDIRECTED: where it goes */
	/* set by the caller whose extra step allowed (explain_acct.h) */
	const struct sg_acct_dst *acct;        /* SG_EX_ENTRY_ACCT */
	const struct sg_cgroup_entry *cgroup;  /* SG_EX_ENTRY_CGROUP */
};

/* Judges q by pol (ports, mode, redirect and the allow lists) and the extra
 * steps (may be NULL). Always fills r. */
void sg_explain(const struct sg_config *pol, const struct sg_ex_query *q,
		const struct sg_ex_extra *extra, unsigned nextra, struct sg_ex_result *r);

const char *sg_ex_verdict_name(enum sg_ex_verdict v);

/* Does prefix p contain the address addr of family fam? */
bool sg_prefix_contains(const struct sg_prefix *p, const uint8_t *addr, uint8_t fam);

/* "DEST:PORT" for explain: a port is required, IPv6 in brackets. 0 or -1
 * with a one-line message in err. */
int sg_ex_parse_target(const char *s, struct sg_endpoint *e, char *err, size_t errlen);

#endif
