// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * load and reload: the command flow. Every load builds a complete new
 * program with its own, fully filled policy maps first (loader_bpf.c), and
 * only then swaps it in (loader_attach*.c), so no connect is ever judged by
 * a half-written policy or by none. Counters, offender history and the
 * event buffer are reused from the old load (loader_version.c) so they
 * survive reloads and upgrades.
 *
 * The steps run in order; everything that can refuse comes before the first
 * change (mounting bpffs, creating the pin dir), so a refused command leaves
 * no trace. This file is the one place where a failed step becomes an exit
 * code: the steps themselves say what failed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kfeatures.h"
#include "loader.h"
#include "lock.h"
#include "netcls.h"
#include "sysenv.h"

/* Privileges, kernel features, cgroup BPF. */
static int check_host(struct load_ctx *lc)
{
	int rc;

	/* no capability pre-check: the operations are tried and an EPERM
	 * names what it needs (a reload finds its programs by id, or through
	 * the pins where the kernel refuses that) */
	if ((rc = sg_check_userns()) ||
	    (rc = sg_check_kernel()) ||
	    (rc = sg_features_check(&lc->features)))
		return rc;
	return 0;
}

static int check_pin_name(struct load_ctx *lc)
{
	return sg_check_pin_name(lc->args->pin_dir);
}

static int take_lock(struct load_ctx *lc)
{
	lc->lock_fd = sg_lock();
	return lc->lock_fd < 0 ? lc->lock_fd : 0;
}

/* What is loaded now. Programs of ours whose pins are gone are looked for
 * on --cgroup, else on the cgroup v2 root. */
static int read_old_state(struct load_ctx *lc)
{
	const char *hint = lc->args->cgroup;
	int rc;

	if (!hint) {
		if ((rc = sg_cgroup_root(lc->cg_path, sizeof(lc->cg_path))))
			return rc;
		hint = lc->cg_path;
	}
	/* the kstate module says what went wrong itself; the old allow
	 * lists are not needed (reading 10,000s of entries back would cost a
	 * reload more than filling the new maps) */
	if ((rc = sg_kstate_read(lc->args->pin_dir, hint, SG_KREAD_POLICY_ONLY, &lc->old)))
		return rc;
	lc->was_loaded = lc->old.link[0].present || lc->old.link[1].present;
	return 0;
}

/* The config error is said already; a running enforcement simply keeps its
 * policy, as with reload. */
static int fallback_only_when_unloaded(struct load_ctx *lc)
{
	return lc->mode == SG_LOAD_FALLBACK && lc->was_loaded ? -EALREADY : 0;
}

static int reload_needs_loaded(struct load_ctx *lc)
{
	if (lc->mode != SG_RELOAD || lc->was_loaded)
		return 0;
	sg_err("not loaded (pin dir %s): use 'smtpguard load'", lc->args->pin_dir);
	return -ENOENT;
}

/* Programs already attached there must be findable by id (CAP_SYS_ADMIN),
 * or a load could not tell ours and would attach a second pair. */
static int find_attached(struct load_ctx *lc)
{
	return sg_check_find_attached(lc->cg_fd, lc->cg_path);
}

/* Test knob: attach with bpf_link as smtpguard 0.1 did (the upgrade tests
 * need that state; a link dies with its last pin, so it is not the default). */
static bool force_link(void)
{
	const char *v = getenv("SMTPGUARD_FORCE_LINK");

	return v && *v && strcmp(v, "0");
}

/* prog_attach, not bpf_link: an attachment made with BPF_PROG_ATTACH belongs
 * to the cgroup and stays when every pin is removed or the bpffs unmounted,
 * where a link would die with its last pin. A load over links (smtpguard
 * 0.1) migrates them; the test knob keeps them. */
static int choose_method(struct load_ctx *lc)
{
	lc->method = force_link() ? SG_METHOD_LINK : SG_METHOD_PROG;
	if (lc->method == SG_METHOD_LINK && lc->old.method == SG_METHOD_PROG) {
		sg_err("SMTPGUARD_FORCE_LINK: loaded with prog_attach already; unload first");
		return -EEXIST;
	}
	return 0;
}

/* Mounting bpffs is the first change: the pin dir's parent can only be
 * checked on it. */
static int mount_bpffs(struct load_ctx *lc)
{
	return sg_mount_bpffs(lc->args->pin_dir);
}

static int check_pin_dir(struct load_ctx *lc)
{
	return sg_check_pin_dir(lc->args->pin_dir);
}

static int make_pin_dir(struct load_ctx *lc)
{
	return sg_make_pin_dir(lc->args->pin_dir);
}

/* Staging names left by an interrupted command go first (their programs,
 * if attached, are known by id in lc->old). */
static int pin(struct load_ctx *lc)
{
	sg_pin_staging_left(lc->args->pin_dir, true);
	return sg_loader_pin(lc);
}

/* A step returns 0, a negative errno (its line said; the table's exit code
 * applies) or, where the same step can fail by the user's hand or the
 * host's (the cgroup), its own SG_EXIT_* code. */
static const struct load_step {
	int (*run)(struct load_ctx *lc);
	int exit_code;
} steps[] = {
	{ check_host,                  SG_EXIT_RUNTIME },
	{ check_pin_name,              SG_EXIT_USAGE },
	{ take_lock,                   SG_EXIT_RUNTIME },
	{ read_old_state,              SG_EXIT_RUNTIME },
	{ fallback_only_when_unloaded, SG_EXIT_USAGE },
	{ reload_needs_loaded,         SG_EXIT_NOT_LOADED },
	{ sg_loader_open_cgroup,       SG_EXIT_RUNTIME },
	{ sg_loader_same_cgroup,       SG_EXIT_USAGE },
	{ find_attached,               SG_EXIT_RUNTIME },
	{ choose_method,               SG_EXIT_USAGE },
	{ mount_bpffs,                 SG_EXIT_RUNTIME },
	{ check_pin_dir,               SG_EXIT_USAGE },
	{ make_pin_dir,                SG_EXIT_RUNTIME },
	{ sg_loader_load_bpf,          SG_EXIT_RUNTIME },
	{ sg_loader_egress_load,       SG_EXIT_RUNTIME }, /* issue 14 */
	{ pin,                         SG_EXIT_RUNTIME },
	{ sg_loader_attach,            SG_EXIT_RUNTIME },
	{ sg_loader_commit_pins,       SG_EXIT_RUNTIME },
	{ sg_loader_egress_swap,       SG_EXIT_RUNTIME }, /* issue 14 */
};

static void load_ctx_done(struct load_ctx *lc)
{
	for (int i = 0; i < 2; i++) {
		sg_closep(&lc->swap[i].old_prog);
		sg_closep(&lc->swap[i].new_link);
	}
	sg_skel_destroyp(&lc->skel);
	sg_eg_skel_destroyp(&lc->eg_skel);
	sg_kstate_free(&lc->old);
	sg_closep(&lc->cg_fd);
	sg_closep(&lc->lock_fd);
}

int sg_cmd_load(const struct sg_args *args, const struct sg_config *cfg,
		enum sg_load_mode mode)
{
	__attribute__((cleanup(load_ctx_done))) struct load_ctx lc = {
		.args = args, .cfg = cfg, .mode = mode, .cg_fd = -1, .lock_fd = -1,
		.old.link = { { .fd = -1 }, { .fd = -1 } },
		.swap = { { .old_prog = -1, .new_link = -1 }, { .old_prog = -1, .new_link = -1 } },
	};

	sg_loader_libbpf_quiet();
	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		int rc = steps[i].run(&lc);

		if (rc)
			return rc > 0 ? rc : steps[i].exit_code;
	}
	sg_loader_report(&lc);
	sg_warn_netcls();
	return SG_EXIT_OK;
}
