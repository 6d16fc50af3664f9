/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Kernel state: writing a policy into maps, and reading back what the
 * attached programs actually enforce (for status, load, unload). */
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
};

/* Writes users, groups and destinations of cfg into the given map fds. */
int sg_fill_policy_maps(const struct sg_config *cfg, int uids_fd, int gids_fd,
			int dst4_fd, int dst6_fd, char *err, size_t errlen);

/* Reads the links (or, with prog_attach, the cgroup's attached programs) of
 * the pins in pin_dir and, when loaded, the policy of the attached
 * programs. cg_hint (may be NULL) is the cgroup to search when no pinned
 * program names one: programs of ours stay attached when their pins are
 * removed, and are found there by name and the pin dir in their policy.
 * Returns 0 (loaded or not: see sg_kstate_loaded) or -1 with err. */
int sg_read_kstate(const char *pin_dir, const char *cg_hint, struct sg_kstate *ks,
		   char *err, size_t errlen);
bool sg_kstate_loaded(const struct sg_kstate *ks);
void sg_kstate_free(struct sg_kstate *ks);
const char *sg_method_name(enum sg_method m);

/* Reads the value of a policy map (the programs' .rodata, pinned as
 * "policy") into pol, zero-filled past what the map holds. Returns how many
 * bytes the map's value has (0 on error), so callers can tell an older,
 * shorter layout from the current one. */
__u32 sg_read_policy_map(int fd, struct sg_policy *pol);

/* Fills li from a link fd. 0 or -1. */
int sg_link_state(int fd, struct sg_link_state *li);

/* prog_attach: the programs of ours attached to cgroup cg_fd at hook i,
 * recognised by id (pinned or staged) or by name and shared stats map. */
void sg_find_ours(int cg_fd, int hook, const struct sg_kstate *ks, __u32 stats_map_id,
		  const char *pin_dir, struct sg_link_state *li);
/* Is a map called name the map "sg_<base>" (or, as smtpguard 0.1 named
 * it, "<base>")? */
bool sg_map_is(const char *name, const char *base);
/* The attach type of hook 0 (connect4) or 1 (connect6). */
__u32 sg_hook_type(int hook);

#endif
