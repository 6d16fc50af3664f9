// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * load and reload. Every load builds a complete new program with its own,
 * fully filled policy maps first, and only then swaps it in: with
 * BPF_LINK_UPDATE when links are already pinned (one pointer swap per hook,
 * no detach, so no connect is ever judged by a half-written policy or by
 * none), or by creating and pinning the links on a first load. Counters,
 * offender history and the event ring buffer are reused from their pins so
 * they survive reloads and upgrades.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "commands.h"
#include "common.h"
#include "kstate.h"
#include "lock.h"
#include "pins.h"
#include "smtpguard.skel.h"
#include "sysenv.h"

static const enum bpf_attach_type hook_type[2] = {
	BPF_CGROUP_INET4_CONNECT, BPF_CGROUP_INET6_CONNECT,
};

struct load_ctx {
	const struct sg_args *args;
	const struct sg_config *cfg;
	char err[SG_ERRLEN];
	char cg_path[SG_PATH_LEN];
	int cg_fd;
	struct sg_kstate old;
	bool was_loaded;
	struct smtpguard_bpf *skel;
	bool reused[SG_PIN_COUNT];
};

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* The verifier log comes at WARN level: show it, hide the chatter. */
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !getenv("SMTPGUARD_DEBUG")))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static struct bpf_map *history_map(struct smtpguard_bpf *skel, enum sg_pin pin)
{
	switch (pin) {
	case SG_PIN_STATS: return skel->maps.stats;
	case SG_PIN_OFFENDERS: return skel->maps.offenders;
	case SG_PIN_EVENTS: return skel->maps.events;
	default: return NULL;
	}
}

/* A pinned history map is reused only if its layout is what this program
 * expects; an older format is replaced (and said so) rather than guessed. */
static void reuse_history_maps(struct load_ctx *lc)
{
	for (enum sg_pin pin = SG_PIN_STATS; pin <= SG_PIN_EVENTS; pin++) {
		struct bpf_map *map = history_map(lc->skel, pin);
		struct bpf_map_info info;
		__u32 len = sizeof(info);
		int fd = sg_pin_open(lc->args->pin_dir, pin);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.type == bpf_map__type(map) &&
		    info.key_size == bpf_map__key_size(map) &&
		    info.value_size == bpf_map__value_size(map) &&
		    info.max_entries == bpf_map__max_entries(map) &&
		    !bpf_map__reuse_fd(map, fd))
			lc->reused[pin] = true;
		else
			sg_warn("pinned map '%s' has an older layout: starting it afresh",
				sg_pin_name(pin));
		close(fd);
	}
}

static int check_same_cgroup(struct load_ctx *lc)
{
	struct stat st;

	if (fstat(lc->cg_fd, &st)) {
		snprintf(lc->err, sizeof(lc->err), "cannot stat %s: %s", lc->cg_path, strerror(errno));
		return SG_EXIT_RUNTIME;
	}
	/* On cgroup v2 the directory's inode number is the cgroup id. */
	if ((__u64)st.st_ino != lc->old.link[0].cgroup_id) {
		snprintf(lc->err, sizeof(lc->err),
			 "already loaded on another cgroup (%s, id %llu) with pin dir %s: "
			 "unload first or use another --pin-dir",
			 lc->old.have_policy ? lc->old.policy.cgroup_path : "?",
			 (unsigned long long)lc->old.link[0].cgroup_id, lc->args->pin_dir);
		return SG_EXIT_USAGE;
	}
	return 0;
}

static int open_and_load(struct load_ctx *lc)
{
	struct sg_policy pol;
	int err;

	lc->skel = smtpguard_bpf__open();
	if (!lc->skel) {
		snprintf(lc->err, sizeof(lc->err), "cannot open the BPF object: %s", strerror(errno));
		return SG_EXIT_RUNTIME;
	}
	sg_config_to_policy(lc->cfg, &pol);
	snprintf(pol.loader_version, sizeof(pol.loader_version), "%s", SG_VERSION);
	snprintf(pol.cgroup_path, sizeof(pol.cgroup_path), "%s", lc->cg_path);
	memcpy((void *)&lc->skel->rodata->policy, &pol, sizeof(pol));
	reuse_history_maps(lc);

	err = smtpguard_bpf__load(lc->skel);
	if (err) {
		snprintf(lc->err, sizeof(lc->err), "the kernel refused the BPF programs: %s",
			 strerror(-err));
		return SG_EXIT_RUNTIME;
	}
	if (sg_fill_policy_maps(lc->cfg, bpf_map__fd(lc->skel->maps.allow_uids),
				bpf_map__fd(lc->skel->maps.allow_gids),
				bpf_map__fd(lc->skel->maps.allow_dst4),
				bpf_map__fd(lc->skel->maps.allow_dst6), lc->err, sizeof(lc->err)))
		return SG_EXIT_RUNTIME;
	return 0;
}

static int pin_one(struct load_ctx *lc, enum sg_pin pin, int fd)
{
	int rc = sg_pin_replace(lc->args->pin_dir, pin, fd);

	if (rc) {
		snprintf(lc->err, sizeof(lc->err), "cannot pin %s in %s: %s", sg_pin_name(pin),
			 lc->args->pin_dir, strerror(-rc));
		return SG_EXIT_RUNTIME;
	}
	return 0;
}

/* Programs and policy maps first: once the links point at the new program,
 * the pins already describe it. */
static int pin_objects(struct load_ctx *lc)
{
	struct smtpguard_bpf *s = lc->skel;
	const struct {
		enum sg_pin pin;
		int fd;
	} objs[] = {
		{ SG_PIN_PROG4, bpf_program__fd(s->progs.sg_connect4) },
		{ SG_PIN_PROG6, bpf_program__fd(s->progs.sg_connect6) },
		{ SG_PIN_UIDS, bpf_map__fd(s->maps.allow_uids) },
		{ SG_PIN_GIDS, bpf_map__fd(s->maps.allow_gids) },
		{ SG_PIN_DST4, bpf_map__fd(s->maps.allow_dst4) },
		{ SG_PIN_DST6, bpf_map__fd(s->maps.allow_dst6) },
		{ SG_PIN_POLICY, bpf_map__fd(s->maps.rodata) },
		{ SG_PIN_STATS, bpf_map__fd(s->maps.stats) },
		{ SG_PIN_OFFENDERS, bpf_map__fd(s->maps.offenders) },
		{ SG_PIN_EVENTS, bpf_map__fd(s->maps.events) },
	};
	int rc;

	for (size_t i = 0; i < ARRAY_LEN(objs); i++) {
		if (lc->reused[objs[i].pin])
			continue;
		if ((rc = pin_one(lc, objs[i].pin, objs[i].fd)))
			return rc;
	}
	return 0;
}

/* Swap the program under each existing link, or attach and pin new links. */
static int attach(struct load_ctx *lc)
{
	int prog_fd[2] = { bpf_program__fd(lc->skel->progs.sg_connect4),
			   bpf_program__fd(lc->skel->progs.sg_connect6) };
	int new_link[2] = { -1, -1 }, rc = 0;

	for (int i = 0; i < 2 && !rc; i++) {
		struct sg_link_state *l = &lc->old.link[i];

		if (l->present && l->attach_type == hook_type[i]) {
			if (bpf_link_update(l->fd, prog_fd[i], NULL) == 0)
				continue;
			if (errno != ENOLINK) {
				snprintf(lc->err, sizeof(lc->err), "cannot update the %s link: %s",
					 i ? "connect6" : "connect4", strerror(errno));
				rc = SG_EXIT_RUNTIME;
				break;
			}
		}
		new_link[i] = bpf_link_create(prog_fd[i], lc->cg_fd, hook_type[i], NULL);
		if (new_link[i] < 0) {
			snprintf(lc->err, sizeof(lc->err), "cannot attach to %s (%s): %s",
				 lc->cg_path, i ? "connect6" : "connect4", strerror(errno));
			rc = SG_EXIT_RUNTIME;
		}
	}
	for (int i = 0; i < 2 && !rc; i++)
		if (new_link[i] >= 0)
			rc = pin_one(lc, i ? SG_PIN_LINK6 : SG_PIN_LINK4, new_link[i]);
	/* Unpinned new links die with these fds: a failed first load leaves
	 * nothing attached. */
	for (int i = 0; i < 2; i++)
		if (new_link[i] >= 0)
			close(new_link[i]);
	return rc;
}

static void remove_all_pins(const char *dir)
{
	for (enum sg_pin pin = 0; pin < SG_PIN_COUNT; pin++)
		sg_pin_remove(dir, pin);
	rmdir(dir);
}

static void report(struct load_ctx *lc)
{
	const struct sg_config *c = lc->cfg;

	printf("smtpguard: %s (%s) on %s: %u port%s, %u user%s, %u group%s, %u destination%s\n",
	       lc->was_loaded ? "policy updated" : "loaded", sg_mode_name(c->mode), lc->cg_path,
	       c->nports, c->nports == 1 ? "" : "s", c->nusers, c->nusers == 1 ? "" : "s",
	       c->ngroups, c->ngroups == 1 ? "" : "s", c->ndsts, c->ndsts == 1 ? "" : "s");
}

static int load(struct load_ctx *lc, bool reload)
{
	int rc;

	if ((rc = sg_check_privileges(lc->err, sizeof(lc->err))) ||
	    (rc = sg_check_kernel(lc->err, sizeof(lc->err))))
		return rc;
	if (sg_lock(lc->err, sizeof(lc->err)) < 0)
		return SG_EXIT_RUNTIME;
	if ((rc = sg_prepare_pin_dir(lc->args->pin_dir, lc->err, sizeof(lc->err))))
		return rc;
	if (sg_read_kstate(lc->args->pin_dir, &lc->old, lc->err, sizeof(lc->err)))
		return SG_EXIT_RUNTIME;
	lc->was_loaded = lc->old.link[0].present || lc->old.link[1].present;

	if (reload && !lc->was_loaded) {
		snprintf(lc->err, sizeof(lc->err), "not loaded (pin dir %s): use 'smtpguard load'",
			 lc->args->pin_dir);
		return SG_EXIT_NOT_LOADED;
	}
	/* reload keeps the cgroup it is on unless told otherwise */
	if ((rc = sg_open_cgroup(lc->args->cgroup ? lc->args->cgroup
				 : (reload && lc->old.have_policy) ? lc->old.policy.cgroup_path : NULL,
				 lc->cg_path, sizeof(lc->cg_path), &lc->cg_fd, lc->err, sizeof(lc->err))))
		return rc;
	if (lc->old.link[0].present && (rc = check_same_cgroup(lc)))
		return rc;

	if ((rc = open_and_load(lc)) || (rc = pin_objects(lc)) || (rc = attach(lc))) {
		if (!lc->was_loaded)
			remove_all_pins(lc->args->pin_dir);
		return rc;
	}
	report(lc);
	return 0;
}

int sg_cmd_load(const struct sg_args *args, const struct sg_config *cfg, bool reload)
{
	struct load_ctx lc = { .args = args, .cfg = cfg, .cg_fd = -1 };
	int rc;

	libbpf_set_print(libbpf_print);
	lc.old.link[0].fd = lc.old.link[1].fd = -1;
	rc = load(&lc, reload);
	if (rc)
		sg_err("%s", lc.err);
	smtpguard_bpf__destroy(lc.skel);
	sg_kstate_free(&lc.old);
	if (lc.cg_fd >= 0)
		close(lc.cg_fd);
	return rc;
}
