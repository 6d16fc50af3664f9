/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Private to the loader (loader*.c): the state one load or reload carries
 * from step to step. Helpers return 0 or a negative errno and say their one
 * line where the cause is known; loader.c alone turns a failed step into an
 * SG_EXIT_* code.
 */
#ifndef SG_LOADER_H
#define SG_LOADER_H

#include <stdbool.h>
#include <linux/types.h>
#include "cleanup.h"
#include "cli.h"
#include "commands.h"
#include "common.h"
#include "config.h"
#include "kstate.h"
#include "pins.h"
#include "smtpguard.skel.h"
#include "egress_guard.skel.h"

/* What attaching did to one hook, so that it can be committed, or put back
 * when the other hook fails. */
struct sg_hook_swap {
	bool done;        /* the new program judges this hook */
	bool replaced;    /* prog_attach: swapped with BPF_F_REPLACE (else beside the old) */
	bool updated;     /* bpf_link: the old link now runs the new program */
	bool update_failed; /* bpf_link: updating the old link is what failed */
	int old_prog;     /* the program judging before (to put it back), or -1 */
	int new_link;     /* bpf_link: a link made by this load, not pinned yet, or -1 */
};

struct load_ctx {
	const struct sg_args *args;
	const struct sg_config *cfg;
	enum sg_load_mode mode;
	char cg_path[SG_PATH_LEN];
	int cg_fd;
	__u64 cg_id;                  /* on cgroup v2, the directory's inode */
	int lock_fd;
	struct sg_kstate old;         /* what was loaded before this command */
	bool was_loaded;
	struct smtpguard_bpf *skel;
	__u32 features;               /* SG_FEAT_* chosen by sg_features_check */
	enum sg_method method;        /* how this load attaches */
	bool reused[SG_PIN_COUNT];    /* history maps taken over from the old load */
	bool staged[SG_PIN_COUNT];    /* pinned at the staging name, to be committed */
	struct sg_hook_swap swap[2];  /* [0] connect4, [1] connect6 */
	/* issue 14: the egress layer, when egress_guard names cgroups */
	struct egress_guard_bpf *eg_skel;
	char eg_root[SG_PATH_LEN];    /* the cgroup v2 mount its paths are below */
};

/* One attach strategy. hook: make the new program judge hook i (0 or
 * -errno; not said, the caller says it together with what it undid). undo:
 * put hook i back as it was (0 or -errno). finish: once both hooks judge
 * with the new programs, the old ones go (warnings only) and new links are
 * pinned (0 or -errno, said). */
struct sg_attach_ops {
	int (*hook)(struct load_ctx *lc, int i);
	int (*undo)(struct load_ctx *lc, int i);
	int (*finish)(struct load_ctx *lc);
};

extern const struct sg_attach_ops sg_attach_prog; /* loader_attach_prog.c */
extern const struct sg_attach_ops sg_attach_link; /* loader_attach_link.c */

/* loader_attach.c: both hooks swapped, or neither (a failure of the second
 * puts the first back); one line says what happened. 0 or -errno. */
int sg_loader_attach(struct load_ctx *lc);
const char *sg_hook_name(int i);
int sg_new_prog_fd(const struct load_ctx *lc, int i);

/* loader_bpf.c: opens the skeleton, writes the policy into it, loads it and
 * fills its policy maps. 0 or -errno (said). */
int sg_loader_load_bpf(struct load_ctx *lc);
void sg_loader_libbpf_quiet(void);

/* loader_version.c: before skel is loaded, takes over the pinned history
 * maps (counters, offenders, events) when their format and layout are
 * skel's; marks them in lc->reused. */
void sg_loader_reuse_history(struct load_ctx *lc, struct smtpguard_bpf *skel);

/* loader_cgroup.c: the cgroup of this load, opened. 0, SG_EXIT_USAGE for
 * a cgroup named from outside that cannot be used, or a negative errno;
 * said. */
int sg_loader_open_cgroup(struct load_ctx *lc);
/* 0, or -EEXIST (said) when the old load is on another cgroup. */
int sg_loader_same_cgroup(struct load_ctx *lc);

/* loader_pin.c */
/* Pins every new object: on a reload at staging names, so the pins keep
 * describing the old load until both hooks are swapped. 0 or -errno (said). */
int sg_loader_pin(struct load_ctx *lc);
/* Pins one object at its name now. 0 or -errno (said). */
int sg_loader_pin_now(struct load_ctx *lc, enum sg_pin pin, int fd);
/* Renames the staged pins over the old ones. 0 or -errno (said). */
int sg_loader_commit_pins(struct load_ctx *lc);
/* After a failure with nothing new left attached: a reload drops its staged
 * pins (the old ones stay); a first load removes every pin and the dir. */
void sg_loader_unpin(struct load_ctx *lc);

/* issue 14, loader_egress.c: loads the egress layer (nothing when
 * egress_guard is empty), and attaches it beside the old one, pins it and
 * detaches the old one (or only the old one when the key went). 0 or
 * -errno (said). */
int sg_loader_egress_load(struct load_ctx *lc);
int sg_loader_egress_swap(struct load_ctx *lc);

/* loader_report.c: the one-line report of a successful load. */
void sg_loader_report(const struct load_ctx *lc);

/* Release a skeleton at scope exit, as _cleanup_close_ does an fd. */
static inline void sg_skel_destroyp(struct smtpguard_bpf **skel)
{
	if (*skel)
		smtpguard_bpf__destroy(*skel);
}
#define _cleanup_skel_ __attribute__((cleanup(sg_skel_destroyp)))

static inline void sg_eg_skel_destroyp(struct egress_guard_bpf **skel)
{
	if (*skel)
		egress_guard_bpf__destroy(*skel);
}
#define _cleanup_eg_skel_ __attribute__((cleanup(sg_eg_skel_destroyp)))

#endif
