// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * issue 14: the egress layer of a load (egress_guard). Nothing of it is
 * opened, loaded or attached when the key names no cgroup: the connect
 * programs and their cost stay as they are.
 *
 * sg_loader_egress_load runs with the other loads, before anything is
 * attached: the object gets the connect programs' policy (the same
 * read-only data), their allow lists, offenders and event buffer (the fds
 * of the skeleton just loaded), and keeps the socket owners and its
 * counters from the previous load. sg_loader_egress_swap runs once the
 * connect hooks are swapped: the new programs are attached to every cgroup
 * (beside the old ones), pinned, and only then are the old ones detached,
 * so no SYN leaves unjudged in between.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cleanup.h"
#include "egress_detach.h"
#include "loader.h"
#include "sysenv.h"

/* The socket owners and the counters outlive reloads: from the pin, else
 * from an old egress program, when the layout is the one of this object. */
static void reuse_kept(struct load_ctx *lc, struct egress_guard_bpf *eg)
{
	const struct {
		enum sg_pin pin;
		struct bpf_map *map;
		const char *base;
	} kept[] = {
		{ SG_PIN_EG_OWNER, eg->maps.sg_eg_owner, "eg_owner" },
		{ SG_PIN_EG_STATS, eg->maps.sg_eg_stats, "eg_stats" },
	};

	for (size_t i = 0; i < ARRAY_LEN(kept); i++) {
		struct sg_map_layout want = { bpf_map__type(kept[i].map), bpf_map__key_size(kept[i].map),
					      bpf_map__value_size(kept[i].map),
					      bpf_map__max_entries(kept[i].map) };
		_cleanup_close_ int fd = sg_pin_open(lc->args->pin_dir, kept[i].pin);

		for (unsigned k = 0; k < lc->old.eg.n && fd < 0; k++)
			if (lc->old.eg.at[k].nskb &&
			    sg_prog_map_open(lc->old.eg.at[k].skb[0], kept[i].base, &fd))
				fd = -1;
		if (fd < 0)
			continue;
		if (sg_kmap_check(fd, &want, NULL) || bpf_map__reuse_fd(kept[i].map, fd))
			sg_warn("pinned map '%s' has another layout: starting it afresh",
				sg_pin_name(kept[i].pin));
	}
}

/* The connect programs' maps, shared. 0 or -errno. */
static int reuse_shared(struct load_ctx *lc, struct egress_guard_bpf *eg)
{
	struct smtpguard_bpf *s = lc->skel;
	struct bpf_map *pairs[][2] = {
		{ eg->maps.sg_allow_uids, s->maps.sg_allow_uids },
		{ eg->maps.sg_allow_gids, s->maps.sg_allow_gids },
		{ eg->maps.sg_allow_dst4, s->maps.sg_allow_dst4 },
		{ eg->maps.sg_allow_dst6, s->maps.sg_allow_dst6 },
		{ eg->maps.sg_acct_dst, s->maps.sg_acct_dst },
		{ eg->maps.sg_cgroups, s->maps.sg_cgroups },
		{ eg->maps.sg_offenders, s->maps.sg_offenders },
		{ eg->maps.sg_events, s->maps.sg_events },
		/* one global event budget for both layers */
		{ eg->maps.sg_budget, s->maps.sg_budget },
	};
	int rc;

	for (size_t i = 0; i < ARRAY_LEN(pairs); i++)
		if ((rc = bpf_map__reuse_fd(pairs[i][0], bpf_map__fd(pairs[i][1])))) {
			sg_err("cannot share map %s with the egress layer: %s",
			       bpf_map__name(pairs[i][1]), strerror(-rc));
			return rc;
		}
	return 0;
}

int sg_loader_egress_load(struct load_ctx *lc)
{
	_cleanup_eg_skel_ struct egress_guard_bpf *eg = NULL;
	int rc;

	if (!lc->cfg->neg)
		return 0;
	if ((rc = sg_cgroup_root(lc->eg_root, sizeof(lc->eg_root))))
		return rc;
	if (!(eg = egress_guard_bpf__open())) {
		rc = -errno;
		sg_err("cannot open the egress BPF object: %s", strerror(-rc));
		return rc;
	}
	memcpy((void *)&eg->rodata->policy, (const void *)&lc->skel->rodata->policy,
	       sizeof(struct sg_policy));
	if ((rc = reuse_shared(lc, eg)))
		return rc;
	reuse_kept(lc, eg);
	if ((rc = egress_guard_bpf__load(eg))) {
		sg_err("the kernel refused the egress BPF programs: %s%s", strerror(-rc),
		       sg_eperm_hint(SG_OP_LOAD, -rc));
		return rc;
	}
	lc->eg_skel = sg_take_ptr(&eg);
	return 0;
}

static int eg_prog_fd(const struct load_ctx *lc, int h)
{
	return bpf_program__fd(h ? lc->eg_skel->progs.sg_egress : lc->eg_skel->progs.sg_eg_sock);
}

/* Detaches what this load attached (after a failure). */
static void undo_attached(struct load_ctx *lc, int *cgs, unsigned n, int last_hooks)
{
	for (unsigned i = 0; i < n; i++)
		for (int h = 0; h < (i + 1 == n ? last_hooks : 2); h++)
			if (bpf_prog_detach2(eg_prog_fd(lc, h), cgs[i], sg_eg_hook_type(h)))
				sg_warn("cannot detach the new egress programs from %s%s again: %s",
					lc->eg_root, lc->cfg->eg_paths[i], strerror(errno));
}

/* Both programs on every cgroup, or none. 0 or -errno (said). */
static int attach_all(struct load_ctx *lc)
{
	int cgs[SG_EG_MAX_PATHS], rc = 0;
	unsigned i;
	int h = 0;

	for (i = 0; i < lc->cfg->neg && !rc; i++) {
		char full[SG_PATH_LEN * 2];

		snprintf(full, sizeof(full), "%s%s", lc->eg_root, lc->cfg->eg_paths[i]);
		if ((cgs[i] = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			rc = -errno;
			sg_err("cannot open egress_guard cgroup %s: %s", full, strerror(-rc));
			break;
		}
		for (h = 0; h < 2 && !rc; h++) {
			LIBBPF_OPTS(bpf_prog_attach_opts, opts, .flags = BPF_F_ALLOW_MULTI);

			if (bpf_prog_attach_opts(eg_prog_fd(lc, h), cgs[i], sg_eg_hook_type(h), &opts)) {
				rc = -errno;
				sg_err("cannot attach the egress layer to %s (%s): %s%s", full,
				       h ? "egress" : "sock_create", strerror(-rc),
				       sg_eperm_hint(SG_OP_ATTACH, -rc));
				break;
			}
			sg_test_pause();
		}
	}
	if (rc) {
		/* cgs[i - 1] is open; h hooks of it attached */
		undo_attached(lc, cgs, i, h);
		sg_err("the egress layer keeps its old programs%s",
		       lc->was_loaded ? "; the connect hooks run the new policy" : "");
	}
	while (i > 0)
		if (cgs[--i] >= 0)
			close(cgs[i]);
	return rc;
}

int sg_loader_egress_swap(struct load_ctx *lc)
{
	__u32 keep[2] = { 0, 0 };
	int rc, detached = 0;

	if (lc->eg_skel) {
		const struct {
			enum sg_pin pin;
			int fd;
		} objs[] = {
			{ SG_PIN_EG_SOCK, eg_prog_fd(lc, 0) },
			{ SG_PIN_EG_SKB, eg_prog_fd(lc, 1) },
			{ SG_PIN_EG_OWNER, bpf_map__fd(lc->eg_skel->maps.sg_eg_owner) },
			{ SG_PIN_EG_STATS, bpf_map__fd(lc->eg_skel->maps.sg_eg_stats) },
		};

		if ((rc = attach_all(lc)))
			return rc;
		/* attached programs are found by name even unpinned */
		for (size_t i = 0; i < ARRAY_LEN(objs); i++)
			if ((rc = sg_loader_pin_now(lc, objs[i].pin, objs[i].fd)))
				return rc;
		for (int h = 0; h < 2; h++) {
			struct bpf_prog_info info;
			__u32 len = sizeof(info);

			memset(&info, 0, sizeof(info));
			if (!bpf_obj_get_info_by_fd(eg_prog_fd(lc, h), &info, &len))
				keep[h] = info.id;
		}
	}
	/* the old programs go; a failure leaves them judging with the old
	 * policy beside the new ones: stricter, never looser */
	if (sg_eg_detach(&lc->old, keep, &detached))
		sg_warn("some old egress programs stay attached: run 'smtpguard load' again");
	if (!lc->eg_skel)
		sg_eg_unpin(lc->args->pin_dir);
	return 0;
}
