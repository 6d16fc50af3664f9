// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * load and reload. Every load builds a complete new program with its own,
 * fully filled policy maps first, and only then swaps it in, so no connect
 * is ever judged by a half-written policy or by none. Counters, offender
 * history and the event ring buffer are reused from their pins (or, when the
 * pins are gone, from the attached program) so they survive reloads and
 * upgrades.
 *
 * The programs are attached with BPF_PROG_ATTACH + BPF_F_ALLOW_MULTI and the
 * programs themselves are pinned: such an attachment belongs to the cgroup,
 * so removing the pins or unmounting the bpffs does not end enforcement (a
 * bpf_link would die with its last pin). A reload pins the new program at a
 * staging name, attaches it in place of the old one (BPF_F_REPLACE, one
 * atomic swap, where the kernel has it (5.6); else attach first and detach
 * the old one after: for a moment both judge, and a connect must pass both),
 * and only then renames the pin. So every program of ours that is attached
 * is pinned under some name or recorded with its pin dir, and a kill -9 at
 * any point leaves nothing the next command cannot find.
 *
 * Links (BPF_LINK_CREATE, swapped with BPF_LINK_UPDATE) are made only with
 * the SMTPGUARD_FORCE_LINK test knob; a load over links left by smtpguard 0.1
 * migrates them to prog_attach.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "commands.h"
#include "common.h"
#include "kfeatures.h"
#include "kstate.h"
#include "lock.h"
#include "netcls.h"
#include "pins.h"
#include "smtpguard.skel.h"
#include "sysenv.h"

static const enum bpf_attach_type hook_type[2] = {
	BPF_CGROUP_INET4_CONNECT, BPF_CGROUP_INET6_CONNECT,
};

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* kernel-internal, but bpf() can return it */
#endif

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
	enum sg_method method;  /* how this load attaches */
	bool stage_progs;       /* prog_attach update: pin programs at staging names */
	__u32 features;         /* SG_FEAT_* chosen by sg_features_check */
};

/* Test knob: attach with bpf_link as smtpguard 0.1 did (the upgrade tests
 * need that state; a link dies with its last pin, so it is not the default). */
static bool force_link(void)
{
	const char *v = getenv("SMTPGUARD_FORCE_LINK");

	return v && *v && strcmp(v, "0");
}

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
	case SG_PIN_STATS: return skel->maps.sg_stats;
	case SG_PIN_OFFENDERS: return skel->maps.sg_offenders;
	case SG_PIN_EVENTS: return skel->maps.sg_events;
	default: return NULL;
	}
}

/* The format version recorded by the smtpguard that made the pins: from the
 * attached program's policy, else the pinned policy map; 0 when unknown. */
static __u32 pinned_format(struct load_ctx *lc)
{
	struct sg_policy pol;
	__u32 format = 0;
	int fd;

	if (lc->old.have_policy)
		return lc->old.policy.format;
	fd = sg_pin_open(lc->args->pin_dir, SG_PIN_POLICY);
	if (fd < 0)
		return 0;
	/* format is the first field of every version's sg_policy */
	if (sg_read_policy_map(fd, &pol) >= sizeof(pol.format))
		format = pol.format;
	close(fd);
	return format;
}

/* The map named name that the attached program of hook uses: where the
 * pins are gone, counters and history are taken from the program itself. */
static int attached_map_fd(struct load_ctx *lc, const char *name)
{
	__u32 map_ids[16], len;
	struct bpf_prog_info info;
	int pfd = -1, fd = -1;

	for (int i = 0; i < 2 && pfd < 0; i++)
		if (lc->old.link[i].present)
			pfd = bpf_prog_get_fd_by_id(lc->old.link[i].prog_id);
	if (pfd < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = ARRAY_LEN(map_ids);
	info.map_ids = (__u64)(unsigned long)map_ids;
	len = sizeof(info);
	if (!bpf_obj_get_info_by_fd(pfd, &info, &len))
		for (__u32 i = 0; i < info.nr_map_ids && i < ARRAY_LEN(map_ids) && fd < 0; i++) {
			struct bpf_map_info minfo;
			__u32 mlen = sizeof(minfo);
			int mfd = bpf_map_get_fd_by_id(map_ids[i]);

			if (mfd < 0)
				continue;
			memset(&minfo, 0, sizeof(minfo));
			if (!bpf_obj_get_info_by_fd(mfd, &minfo, &mlen) &&
			    sg_map_is(minfo.name, name + 3 * !strncmp(name, "sg_", 3)))
				fd = mfd;
			else
				close(mfd);
		}
	close(pfd);
	return fd;
}

/* A pinned history map is reused only if it was written by the same map
 * format and its layout is what this program expects; anything else is
 * replaced (and said so) rather than guessed. */
static void reuse_history_maps(struct load_ctx *lc)
{
	__u32 format = pinned_format(lc);

	for (enum sg_pin pin = SG_PIN_STATS; pin <= SG_PIN_EVENTS; pin++) {
		struct bpf_map *map = history_map(lc->skel, pin);
		struct bpf_map_info info;
		__u32 len = sizeof(info);
		int fd = sg_pin_open(lc->args->pin_dir, pin);

		if (fd < 0 && lc->old.pins_missing)
			fd = attached_map_fd(lc, bpf_map__name(map));
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (format && format != SG_FORMAT_VERSION)
			sg_warn("pinned map '%s' was written with map format %u, this is format %u: "
				"starting it afresh", sg_pin_name(pin), format, SG_FORMAT_VERSION);
		else if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
			 info.type == bpf_map__type(map) &&
			 info.key_size == bpf_map__key_size(map) &&
			 info.value_size == bpf_map__value_size(map) &&
			 info.max_entries == bpf_map__max_entries(map) &&
			 !bpf_map__reuse_fd(map, fd))
			lc->reused[pin] = true;
		else
			sg_warn("pinned map '%s' has a different layout (type %u, key %u, value %u, "
				"entries %u): starting it afresh", sg_pin_name(pin), info.type,
				info.key_size, info.value_size, info.max_entries);
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
	__u64 old_id = lc->old.link[lc->old.link[0].present ? 0 : 1].cgroup_id;

	if ((__u64)st.st_ino != old_id) {
		snprintf(lc->err, sizeof(lc->err),
			 "already loaded on another cgroup (%s, id %llu) with pin dir %s: "
			 "unload first or use another --pin-dir",
			 lc->old.have_policy ? lc->old.policy.cgroup_path : "?",
			 (unsigned long long)old_id, lc->args->pin_dir);
		return SG_EXIT_USAGE;
	}
	return 0;
}

/* Room for n entries, at least 64 (an empty hash map may not have 0). */
static __u32 policy_map_size(unsigned n)
{
	return n < 64 ? 64 : n;
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
	snprintf(pol.pin_dir, sizeof(pol.pin_dir), "%s", lc->args->pin_dir);
	sg_features_apply(lc->skel, &pol, lc->features);
	memcpy((void *)&lc->skel->rodata->policy, &pol, sizeof(pol));
	/* Policy maps are made anew by every load: size them to this policy,
	 * not to the limit, so creating them costs little (a hash map
	 * allocates its buckets for max_entries up front). */
	bpf_map__set_max_entries(lc->skel->maps.sg_allow_uids, policy_map_size(lc->cfg->nusers));
	bpf_map__set_max_entries(lc->skel->maps.sg_allow_gids, policy_map_size(lc->cfg->ngroups));
	reuse_history_maps(lc);

	err = smtpguard_bpf__load(lc->skel);
	if (err) {
		snprintf(lc->err, sizeof(lc->err), "the kernel refused the BPF programs: %s%s",
			 strerror(-err), sg_eperm_hint(SG_OP_LOAD, -err));
		return SG_EXIT_RUNTIME;
	}
	if (sg_fill_policy_maps(lc->cfg, bpf_map__fd(lc->skel->maps.sg_allow_uids),
				bpf_map__fd(lc->skel->maps.sg_allow_gids),
				bpf_map__fd(lc->skel->maps.sg_allow_dst4),
				bpf_map__fd(lc->skel->maps.sg_allow_dst6), lc->err, sizeof(lc->err)))
		return SG_EXIT_RUNTIME;
	return 0;
}

static int pin_one(struct load_ctx *lc, enum sg_pin pin, int fd)
{
	bool stage = lc->stage_progs && (pin == SG_PIN_PROG4 || pin == SG_PIN_PROG6);
	int rc = stage ? sg_pin_stage(lc->args->pin_dir, pin, fd)
		       : sg_pin_replace(lc->args->pin_dir, pin, fd);

	if (rc) {
		snprintf(lc->err, sizeof(lc->err), "cannot pin %s in %s: %s%s", sg_pin_name(pin),
			 lc->args->pin_dir, strerror(-rc), sg_eperm_hint(SG_OP_PIN, -rc));
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
		{ SG_PIN_UIDS, bpf_map__fd(s->maps.sg_allow_uids) },
		{ SG_PIN_GIDS, bpf_map__fd(s->maps.sg_allow_gids) },
		{ SG_PIN_DST4, bpf_map__fd(s->maps.sg_allow_dst4) },
		{ SG_PIN_DST6, bpf_map__fd(s->maps.sg_allow_dst6) },
		{ SG_PIN_POLICY, bpf_map__fd(s->maps.rodata) },
		{ SG_PIN_STATS, bpf_map__fd(s->maps.sg_stats) },
		{ SG_PIN_OFFENDERS, bpf_map__fd(s->maps.sg_offenders) },
		{ SG_PIN_EVENTS, bpf_map__fd(s->maps.sg_events) },
	};
	int rc;

	for (size_t i = 0; i < ARRAY_LEN(objs); i++) {
		/* a reused map keeps its pin; one taken over from the
		 * attached program (pins gone) is pinned again */
		if (lc->reused[objs[i].pin] && sg_pin_exists(lc->args->pin_dir, objs[i].pin))
			continue;
		if ((rc = pin_one(lc, objs[i].pin, objs[i].fd)))
			return rc;
	}
	return 0;
}

static int prog_fd_of(struct load_ctx *lc, int hook)
{
	return bpf_program__fd(hook ? lc->skel->progs.sg_connect6 : lc->skel->progs.sg_connect4);
}

/* Detaches the program with this id from hook of the cgroup (prog_attach). */
static int detach_prog_id(int cg_fd, int hook, __u32 id)
{
	int fd = bpf_prog_get_fd_by_id(id), rc;

	if (fd < 0)
		return -errno;
	rc = bpf_prog_detach2(fd, cg_fd, hook_type[hook]) ? -errno : 0;
	close(fd);
	return rc;
}

/* prog_attach: attach the new program of each hook in place of ours. */
static int attach_prog(struct load_ctx *lc)
{
	bool attached[2] = { false, false };
	int rc = 0;

	for (int i = 0; i < 2 && !rc; i++) {
		struct sg_link_state *l = &lc->old.link[i];
		LIBBPF_OPTS(bpf_prog_attach_opts, opts, .flags = BPF_F_ALLOW_MULTI);
		__u32 replaced = 0;

		if (l->present && l->nours == 1) {
			int old_fd = bpf_prog_get_fd_by_id(l->ours[0]);

			if (old_fd >= 0) {
				LIBBPF_OPTS(bpf_prog_attach_opts, ropts,
					    .flags = BPF_F_ALLOW_MULTI | BPF_F_REPLACE,
					    .replace_prog_fd = old_fd);

				/* one atomic swap (Linux 5.6+) */
				if (!bpf_prog_attach_opts(prog_fd_of(lc, i), lc->cg_fd,
							  hook_type[i], &ropts))
					replaced = l->ours[0];
				sg_test_pause();
				close(old_fd);
			}
		}
		if (!replaced &&
		    bpf_prog_attach_opts(prog_fd_of(lc, i), lc->cg_fd, hook_type[i], &opts)) {
			snprintf(lc->err, sizeof(lc->err), "cannot attach to %s (%s): %s%s",
				 lc->cg_path, i ? "connect6" : "connect4", strerror(errno),
				 sg_eperm_hint(SG_OP_ATTACH, errno));
			rc = SG_EXIT_RUNTIME;
			break;
		}
		attached[i] = true;
		sg_test_pause();
		/* The new program judges now; the old ones (and leftovers of an
		 * interrupted command) go. Until they do, a connect must pass
		 * both: stricter for a moment, never looser. */
		for (unsigned k = 0; k < l->nours; k++) {
			int e;

			if (l->ours[k] == replaced)
				continue;
			if ((e = detach_prog_id(lc->cg_fd, i, l->ours[k])) && e != -ENOENT)
				sg_warn("cannot detach old %s program %u: %s",
					i ? "connect6" : "connect4", l->ours[k], strerror(-e));
			sg_test_pause();
		}
		if (lc->stage_progs && (rc = sg_pin_commit(lc->args->pin_dir,
							     i ? SG_PIN_PROG6 : SG_PIN_PROG4))) {
			snprintf(lc->err, sizeof(lc->err), "cannot pin %s in %s: %s",
				 sg_pin_name(i ? SG_PIN_PROG6 : SG_PIN_PROG4), lc->args->pin_dir,
				 strerror(-rc));
			rc = SG_EXIT_RUNTIME;
		}
	}
	/* A failed first load leaves nothing attached. */
	if (rc && !lc->was_loaded)
		for (int i = 0; i < 2; i++)
			if (attached[i])
				bpf_prog_detach2(prog_fd_of(lc, i), lc->cg_fd, hook_type[i]);
	return rc;
}

static bool link_unsupported(int err)
{
	return err == EINVAL || err == EOPNOTSUPP || err == ENOTSUPP || err == ENOSYS;
}

/* Swap the program under each existing link, or attach and pin new links. */
static int attach(struct load_ctx *lc)
{
	int new_link[2] = { -1, -1 }, rc = 0;

	if (lc->method == SG_METHOD_PROG) {
		if ((rc = attach_prog(lc)) || lc->old.method != SG_METHOD_LINK)
			return rc;
		/* Migrating from links (smtpguard 0.1): the new programs judge
		 * now, so the old links go. */
		for (int i = 0; i < 2; i++) {
			if (lc->old.link[i].fd >= 0 && bpf_link_detach(lc->old.link[i].fd) &&
			    errno != ENOLINK)
				sg_warn("cannot detach the old %s link: %s; removing its pin",
					i ? "connect6" : "connect4", strerror(errno));
			sg_pin_remove(lc->args->pin_dir, i ? SG_PIN_LINK6 : SG_PIN_LINK4);
		}
		return 0;
	}
	for (int i = 0; i < 2 && !rc; i++) {
		struct sg_link_state *l = &lc->old.link[i];

		if (l->present && l->attach_type == hook_type[i]) {
			if (bpf_link_update(l->fd, prog_fd_of(lc, i), NULL) == 0) {
				sg_test_pause();
				continue;
			}
			if (errno != ENOLINK) {
				snprintf(lc->err, sizeof(lc->err), "cannot update the %s link: %s",
					 i ? "connect6" : "connect4", strerror(errno));
				rc = SG_EXIT_RUNTIME;
				break;
			}
		}
		new_link[i] = bpf_link_create(prog_fd_of(lc, i), lc->cg_fd, hook_type[i], NULL);
		if (new_link[i] < 0 && i == 0 && !lc->was_loaded && link_unsupported(errno)) {
			/* No bpf_link for cgroups (before Linux 5.7): the
			 * programs are pinned already, attach them directly. */
			lc->method = SG_METHOD_PROG;
			return attach_prog(lc);
		}
		if (new_link[i] < 0) {
			snprintf(lc->err, sizeof(lc->err), "cannot attach to %s (%s): %s%s",
				 lc->cg_path, i ? "connect6" : "connect4", strerror(errno),
				 sg_eperm_hint(SG_OP_ATTACH, errno));
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

	printf("smtpguard: %s (%s) on %s%s: %u port%s, %u user%s, %u group%s, %u destination%s\n",
	       lc->was_loaded ? "policy updated" : "loaded", sg_mode_name(c->mode), lc->cg_path,
	       lc->method == SG_METHOD_LINK ? " (bpf_link)" : "",
	       c->nports, c->nports == 1 ? "" : "s", c->nusers, c->nusers == 1 ? "" : "s",
	       c->ngroups, c->ngroups == 1 ? "" : "s", c->ndsts, c->ndsts == 1 ? "" : "s");
}

static int load(struct load_ctx *lc, enum sg_load_mode mode)
{
	int rc;

	/* reload finds its cgroup in the loaded program's policy, by id */
	if ((rc = (mode == SG_RELOAD ? sg_check_privileges
				     : sg_check_userns)(lc->err, sizeof(lc->err))) ||
	    (rc = sg_check_kernel(lc->err, sizeof(lc->err))) ||
	    (rc = sg_features_check(&lc->features, lc->err, sizeof(lc->err))) ||
	    (rc = sg_check_pin_name(lc->args->pin_dir, lc->err, sizeof(lc->err))))
		return rc;
	if (sg_lock(lc->err, sizeof(lc->err)) < 0)
		return SG_EXIT_RUNTIME;
	/* Everything that can refuse comes before the first change (mounting
	 * bpffs, creating the pin dir): a refused command leaves no trace. */
	/* Where to look for programs of ours whose pins are gone. */
	if (!lc->args->cgroup && (rc = sg_cgroup_root(lc->cg_path, sizeof(lc->cg_path),
						     lc->err, sizeof(lc->err))))
		return rc;
	if (sg_read_kstate(lc->args->pin_dir, lc->args->cgroup ? lc->args->cgroup : lc->cg_path,
			   &lc->old, lc->err, sizeof(lc->err)))
		return SG_EXIT_RUNTIME;
	lc->was_loaded = lc->old.link[0].present || lc->old.link[1].present;

	bool reload = mode == SG_RELOAD;

	/* The config error is said already; a running enforcement simply
	 * keeps its policy, as with reload. */
	if (mode == SG_LOAD_FALLBACK && lc->was_loaded)
		return SG_EXIT_USAGE;
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
	if ((lc->was_loaded && (rc = check_same_cgroup(lc))) ||
	    (rc = sg_check_find_attached(lc->cg_fd, lc->cg_path, lc->err, sizeof(lc->err))))
		return rc;
	/* prog_attach, not bpf_link: an attachment made with BPF_PROG_ATTACH
	 * belongs to the cgroup and stays when every pin is removed or the
	 * bpffs unmounted, where a link would die with its last pin. A load
	 * over links (smtpguard 0.1) migrates them; the test knob keeps them. */
	lc->method = force_link() ? SG_METHOD_LINK : SG_METHOD_PROG;
	if (lc->method == SG_METHOD_LINK && lc->old.method == SG_METHOD_PROG) {
		snprintf(lc->err, sizeof(lc->err), "SMTPGUARD_FORCE_LINK: loaded with prog_attach "
			 "already; unload first");
		return SG_EXIT_USAGE;
	}
	if ((rc = sg_prepare_pin_dir(lc->args->pin_dir, lc->err, sizeof(lc->err))))
		return rc;
	lc->stage_progs = lc->method == SG_METHOD_PROG && lc->was_loaded;

	if ((rc = open_and_load(lc)))
		return rc;
	/* Staging names left by an interrupted command (their programs, if
	 * attached, are known by id in lc->old). */
	sg_pin_staging_left(lc->args->pin_dir, true);
	if ((rc = pin_objects(lc)) || (rc = attach(lc))) {
		if (!lc->was_loaded)
			remove_all_pins(lc->args->pin_dir);
		return rc;
	}
	report(lc);
	sg_warn_netcls();
	return 0;
}

int sg_cmd_load(const struct sg_args *args, const struct sg_config *cfg,
		enum sg_load_mode mode)
{
	struct load_ctx lc = { .args = args, .cfg = cfg, .cg_fd = -1 };
	int rc;

	libbpf_set_print(libbpf_print);
	lc.old.link[0].fd = lc.old.link[1].fd = -1;
	rc = load(&lc, mode);
	if (rc && lc.err[0])
		sg_err("%s", lc.err);
	smtpguard_bpf__destroy(lc.skel);
	sg_kstate_free(&lc.old);
	if (lc.cg_fd >= 0)
		close(lc.cg_fd);
	return rc;
}
