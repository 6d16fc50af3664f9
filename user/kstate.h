/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Kernel state: the one place that reads what smtpguard left in the kernel
 * (pins, links, attached programs and their maps) and writes a policy into
 * new maps. Every map is checked against the layout this binary was built
 * for before anything reads it, so a map made by another version is refused
 * by name rather than misread. Split along its seams:
 *   kstate_find.c      pins, links and the programs attached to the cgroup
 *   kstate_maps.c      a program's maps by name, layout checks, the policy map
 *   kstate_policy.c    the policy maps: written at load, read back for status
 *   kstate_history.c   stats/offenders/events: found, checked, summed, reset
 *   kstate_offenders.c the offender walk (batch lookup, de-duplicated)
 *   kstate_acct.c      per-account destinations and allowed cgroups (issue 10)
 * Error model: functions return 0 or a negative errno and print their one
 * line (naming the object and the errno text) where the cause is known;
 * commands map that to an exit code. -ENOENT ("not there") is never printed:
 * the command knows what absence means for it.
 */
#ifndef SG_KSTATE_H
#define SG_KSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "config.h"

/* How the programs are attached to the cgroup. */
enum sg_method {
	SG_METHOD_NONE = 0,
	SG_METHOD_LINK,  /* bpf_link, links pinned: only by the test knob, or
			  * left by smtpguard 0.1 (a load migrates it) */
	SG_METHOD_PROG,  /* BPF_PROG_ATTACH + BPF_F_ALLOW_MULTI (+ BPF_F_REPLACE):
			  * the default; the attachment outlives its pins */
};

#define SG_MAX_OURS 8

/* One hook (connect4 or connect6). */
struct sg_link_state {
	bool present;      /* one of our programs is attached */
	int fd;            /* link fd (bpf_link method), or -1 */
	__u32 link_id;     /* 0 with prog_attach */
	__u32 prog_id;     /* the program judging connects */
	__u64 cgroup_id;
	__u32 attach_type;
	/* prog_attach: every program of ours attached to this hook (the
	 * current one and leftovers of an interrupted command) */
	__u32 ours[SG_MAX_OURS];
	unsigned nours;
};

/* issue 14: the egress layer on one of its cgroups. */
struct sg_eg_at {
	char path[SG_PATH_LEN];          /* relative to the cgroup v2 root */
	__u32 sock[SG_MAX_OURS], skb[SG_MAX_OURS]; /* our programs attached there */
	unsigned nsock, nskb;
};

struct sg_eg_kstate {
	char root[SG_PATH_LEN];          /* the cgroup v2 mount */
	__u32 pinned[2];                 /* prog_eg_sock, prog_egress ids, 0: none */
	struct sg_eg_at at[SG_EG_MAX_PATHS * 2]; /* paths of the policy and the pins */
	unsigned n;
};

struct sg_kstate {
	enum sg_method method;
	struct sg_link_state link[2]; /* [0] connect4, [1] connect6 */
	__u32 pinned_prog_id[2];
	__u32 staged_prog_id[2];      /* prog_connectN-new, if any */
	int staging_left;             /* "-new" pins left by an interrupted command */
	bool pins_missing;            /* ours attached, but not under our pins */
	char cgroup_path[SG_PATH_LEN]; /* where prog_attach programs were looked for */
	bool have_policy;
	struct sg_policy policy;
	struct sg_config cfg;         /* rebuilt from the enforcing maps */
	bool unverified;              /* issue 11: the kernel refused listing the
				       * cgroup's programs (CAP_NET_ADMIN): the
				       * pinned programs are taken as attached */
	unsigned maps_read;           /* internal: bit i, allow map i read already
				       * (both programs share them) */
	struct sg_eg_kstate eg;       /* issue 14: the egress layer, if any */
};

/* sg_kstate_read flags. */
#define SG_KREAD_POLICY_ONLY 1u /* the policy map only, not the allow lists
				 * (stats and log read it every time) */

/* Reads the links (or, with prog_attach, the cgroup's attached programs) of
 * the pins in pin_dir and, when loaded, the policy of the attached
 * programs. cg_hint (may be NULL) is the cgroup to search when no pinned
 * program names one: programs of ours stay attached when their pins are
 * removed, and are found there by name and the pin dir in their policy.
 * 0 (loaded or not: see sg_kstate_loaded) or -errno, said. ks is always
 * left fit for sg_kstate_free. */
int sg_kstate_read(const char *pin_dir, const char *cg_hint, unsigned flags,
		   struct sg_kstate *ks);
/* sg_kstate_read as a command asks for it: pin_dir must be accessible (or
 * absent), cgroup is --cgroup or NULL (then the cgroup v2 root is the hint,
 * see sg_kstate_hint). 0 or -errno, said. */
int sg_kstate_read_for(const char *pin_dir, const char *cgroup, unsigned flags,
		       struct sg_kstate *ks);
bool sg_kstate_loaded(const struct sg_kstate *ks);
/* Either hook has a program of ours. */
bool sg_kstate_any(const struct sg_kstate *ks);
void sg_kstate_free(struct sg_kstate *ks);
/* A kstate freed at scope exit (read or not):
 *   _cleanup_kstate_ struct sg_kstate ks = SG_KSTATE_INIT; */
#define SG_KSTATE_INIT { .link = { { .fd = -1 }, { .fd = -1 } } }
#define _cleanup_kstate_ __attribute__((cleanup(sg_kstate_free)))
const char *sg_method_name(enum sg_method m);
/* The cgroup where programs whose pins are gone are looked for: cgroup
 * (--cgroup) when given, else the cgroup v2 root, written into root.
 * 0 or -errno, said; -ENOTDIR: cgroup is not a cgroup v2 directory. */
int sg_kstate_hint(const char *cgroup, char *root, size_t rootlen, const char **hint);
/* The exit code for what a kstate function returned: -ENOENT not loaded,
 * -ENOTDIR a usage error (--cgroup), other errors runtime. */
int sg_kstate_exit(int rc);

/* Writes users, groups and destinations of cfg into the given map fds. */
int sg_fill_policy_maps(const struct sg_config *cfg, int uids_fd, int gids_fd,
			int dst4_fd, int dst6_fd, char *err, size_t errlen);

/* issue 10 (kstate_acct.c). Writes cfg's per-account destinations and
 * allowed cgroups into new maps. 0 or -1 with err. */
int sg_fill_acct_maps(const struct sg_config *cfg, int acct_fd, int cgroups_fd,
		      char *err, size_t errlen);
/* Readers of those maps into cfg->acct / cfg->cgroups (the allow-map
 * table of kstate_policy.c calls them; kind is unused). */
void sg_kstate_read_acct(int fd, struct sg_config *cfg, int kind);
void sg_kstate_read_cgroups(int fd, struct sg_config *cfg, int kind);
/*
 * Questions about the LOADED policy, for `explain` and other evaluators.
 * ks must come from sg_kstate_read without SG_KREAD_POLICY_ONLY (which
 * fills ks->cfg.acct and ks->cfg.cgroups from the attached program's maps,
 * not from any config file, and ks->policy).
 *
 * sg_kstate_acct_allows: does allow_user_destinations (group false, id a
 * uid) or allow_group_destinations (group true, id a gid) allow a connect
 * to addr (family 4: 4 bytes, an IPv4-mapped IPv6 address must be given
 * as IPv4 as the program judges it; family 6: 16 bytes) on port? Returns
 * the entry that decides (its dst, port 0 = every guarded port, and config
 * line; name "" - look it up with sg_format_acct), or NULL. Like the
 * program it answers only for guarded ports; the program asks this after
 * allow_destinations, allow_users and allow_groups, and the uid before the
 * gid.
 *
 * sg_kstate_cgroup_allows: given the cgroup ids of a process's cgroup and
 * all its ancestors (ids[0..n), any order; sg_cgroup_ancestry makes them
 * from a path), the allow_cgroups entry that allows it (path, line, id,
 * level), or NULL. The program asks this last, after the account
 * destinations.
 *
 * sg_cgroup_ancestry: the ids of root+"/a", root+"/a/b", ... for path
 * "/a/b" (root: the cgroup v2 mount point, e.g. from sg_cgroup_root), at
 * most max. 0, or -errno (not said) when one does not exist.
 */
const struct sg_acct_dst *sg_kstate_acct_allows(const struct sg_kstate *ks, bool group,
						uint32_t id, uint8_t family,
						const uint8_t *addr, uint16_t port);
const struct sg_cgroup_entry *sg_kstate_cgroup_allows(const struct sg_kstate *ks,
						      const uint64_t *ids, unsigned n);
int sg_cgroup_ancestry(const char *root, const char *path, uint64_t *ids, unsigned max,
		       unsigned *n);

/* Reads the value of a policy map (the programs' .rodata, pinned as
 * "policy") into pol, zero-filled past what the map holds. Returns how many
 * bytes the map's value has (0 on error), so callers can tell an older,
 * shorter layout from the current one. */
__u32 sg_read_policy_map(int fd, struct sg_policy *pol);
/* Is a map called name the map "sg_<base>" (or, as smtpguard 0.1 named
 * it, "<base>")? */
bool sg_map_is(const char *name, const char *base);
/* The attach type of hook 0 (connect4) or 1 (connect6). */
__u32 sg_hook_type(int hook);

/* The layout a map must have. max_entries 0: any. */
struct sg_map_layout {
	__u32 type, key_size, value_size, max_entries;
};
/* Checks fd against want; where names the map in the message ("pinned map
 * 'stats' in DIR"), NULL for no message. 0, or -EPROTO said with the first
 * field that differs. */
int sg_kmap_check(int fd, const struct sg_map_layout *want, const char *where);

/* History maps: counters, offenders, events. */
enum sg_hist { SG_HIST_STATS, SG_HIST_OFFENDERS, SG_HIST_EVENTS, SG_HIST_COUNT };
#define SG_HIST_BIT(h) (1u << (h))
#define SG_HIST_QUIET  (1u << 8) /* say nothing (a reader that said it once) */

struct sg_history {
	int fd[SG_HIST_COUNT];   /* -1 when not asked for */
	__u32 id[SG_HIST_COUNT]; /* map ids (a reader notices a new map) */
	bool events_perf;        /* events is a perf event array, not a ring buffer */
	bool have_policy;        /* of the attached programs */
	struct sg_policy policy;
	bool attached;           /* issue 11: a program of ours is attached */
};

/* Opens the history maps in which (SG_HIST_BIT()s), from their pins or,
 * when the pins are gone, from the attached program, each checked against
 * this binary's layout, and the attached programs' policy (mode, clock).
 * 0; -ENOENT when a map is neither pinned nor attached (not said); else
 * -errno, said. h is always left fit for sg_history_close. The caller
 * holds the command lock (shared or exclusive). */
int sg_kstate_open_history(const char *pin_dir, const char *cg_hint, unsigned which,
			   struct sg_history *h);
void sg_history_close(struct sg_history *h);
/* For the loader, which reuses history maps: map k from its pin or, when
 * that is gone, from program prog_id (0: pins only), NOT layout-checked
 * (the loader compares it with the map it is about to create and starts it
 * afresh, said, when it differs). 0 with *fd, -ENOENT, or -errno (said). */
int sg_kstate_history_map(const char *pin_dir, __u32 prog_id, enum sg_hist k, int *fd);

/* Counters summed over CPUs. 0 or -errno, said. */
int sg_history_counters(const struct sg_history *h, struct sg_stats sum[SG_FAM_COUNT]);

struct sg_offender_kv {
	__u32 uid;
	struct sg_offender rec;
};
/* Every offender record, at most max, each UID once (the LRU map may evict
 * and insert while it is walked). *out is malloc'ed. 0 or -errno, said. */
int sg_history_offenders(int fd, unsigned max, struct sg_offender_kv **out, unsigned *n);
/* Zeroes the counters and deletes every offender record. 0 or -errno, said. */
int sg_history_reset(const struct sg_history *h);

/* issue 14 (kstate_egress.c): the egress layer's programs on the cgroups
 * named by the policy (ks->policy.egress_guard) and by the pinned egress
 * program; ours by pin, or by name and the offenders map they share with
 * the connect programs. Called by sg_kstate_read. 0 or -errno, said. */
int sg_kstate_read_egress(const char *pin_dir, struct sg_kstate *ks);
/* Any egress program of ours attached anywhere. */
bool sg_kstate_eg_any(const struct sg_kstate *ks);
/* The egress attach types: 0 sock_create, 1 cgroup_skb egress. */
__u32 sg_eg_hook_type(int i);
/* The egress counters summed over CPUs, from the pin or the attached
 * program. 0; -ENOENT when the layer has none; -errno said. */
int sg_kstate_eg_counters(const char *pin_dir, const struct sg_kstate *ks,
			  struct sg_eg_stats sum[SG_FAM_COUNT]);
/* Zeroes them (stats --reset); 0 when the layer has none. 0 or -errno, said. */
int sg_kstate_eg_reset(const char *pin_dir, const struct sg_kstate *ks);

/* Module-internal (kstate_*.c only). */
/* Says "<fmt>: <strerror(e)>" and returns -e. */
int sg_kstate_err_op(int e, int op, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* ... with no hint; with what finding programs by id, or reading pins,
 * needs on EPERM/EACCES (enum sg_op of sysenv.h). */
#define sg_kstate_err(e, ...)      sg_kstate_err_op(e, -1, __VA_ARGS__)
#define sg_kstate_find_err(e, ...) sg_kstate_err_op(e, SG_OP_FIND, __VA_ARGS__)
#define sg_kstate_pin_err(e, ...)  sg_kstate_err_op(e, SG_OP_PIN, __VA_ARGS__)
#define sg_kstate_query_err(e, ...) sg_kstate_err_op(e, SG_OP_QUERY, __VA_ARGS__)
int sg_prog_map_ids(__u32 prog_id, __u32 *ids, __u32 max, __u32 *n);
/* Issue 11: bpf_prog/map_get_fd_by_id, falling back to the pins in the dir
 * set by sg_kstate_pin_fallback (sg_kstate_read sets it) when the kernel
 * refuses the lookup by id (kstate_pinned.c). fd, or -1 with errno. */
void sg_kstate_pin_fallback(const char *pin_dir);
int sg_kstate_prog_fd(__u32 id);
int sg_kstate_map_fd(__u32 id);
/* Calls fn with each map (fd, name) of ids / of program prog_id that still
 * exists, until fn returns non-zero; returns that, or -errno (said). */
int sg_maps_each(const __u32 *ids, __u32 n, int (*fn)(int fd, const char *name, void *ctx),
		 void *ctx);
int sg_prog_maps_each(__u32 prog_id, int (*fn)(int fd, const char *name, void *ctx), void *ctx);
int sg_prog_map_open(__u32 prog_id, const char *base, int *fd);
bool sg_map_is_rodata(const char *name);
int sg_read_prog_policy(__u32 prog_id, struct sg_kstate *ks, bool policy_only);
bool sg_policy_names_pin_dir(const __u32 *map_ids, __u32 n, const char *pin_dir);

#endif
