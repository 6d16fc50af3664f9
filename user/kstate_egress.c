// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * issue 14: finding the egress layer (part of the kernel-state module, see
 * kstate.h). Its programs are attached with BPF_PROG_ATTACH to each cgroup
 * of egress_guard, so like the connect programs they outlive their pins:
 * the cgroups are named by the connect programs' policy and by the pinned
 * egress program's own, and a program there is ours when it is pinned, or
 * has our name and uses the offenders map of the connect programs (history
 * maps are shared by both layers and kept across reloads).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "cleanup.h"
#include "common.h"
#include "egress_paths.h"
#include "kstate.h"
#include "pins.h"
#include "sysenv.h"

static const char *const prog_names[2] = { "sg_eg_sock", "sg_egress" };

__u32 sg_eg_hook_type(int i)
{
	return i ? BPF_CGROUP_INET_EGRESS : BPF_CGROUP_INET_SOCK_CREATE;
}

bool sg_kstate_eg_any(const struct sg_kstate *ks)
{
	for (unsigned i = 0; i < ks->eg.n; i++)
		if (ks->eg.at[i].nsock || ks->eg.at[i].nskb)
			return true;
	return false;
}

static __u32 fd_id(int fd)
{
	struct bpf_prog_info info; /* the id is at the same place in map info */
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) ? info.id : 0;
}

/* The id of the offenders map the connect programs use (pinned or theirs). */
static __u32 offenders_id(const char *pin_dir, const struct sg_kstate *ks)
{
	_cleanup_close_ int fd = sg_pin_open(pin_dir, SG_PIN_OFFENDERS);

	for (int i = 0; i < 2 && fd < 0; i++)
		if (ks->link[i].present && sg_prog_map_open(ks->link[i].prog_id, "offenders", &fd))
			fd = -1;
	return fd_id(fd);
}

static bool looks_ours(__u32 id, int hook, const struct sg_kstate *ks, __u32 shared)
{
	struct bpf_prog_info info;
	__u32 map_ids[16], len = sizeof(info), n;
	_cleanup_close_ int fd = -1;

	if (id == ks->eg.pinned[hook])
		return true;
	if (!shared || (fd = bpf_prog_get_fd_by_id(id)) < 0)
		return false;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = ARRAY_LEN(map_ids);
	info.map_ids = (__u64)(unsigned long)map_ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || strcmp(info.name, prog_names[hook]))
		return false;
	n = info.nr_map_ids < ARRAY_LEN(map_ids) ? info.nr_map_ids : ARRAY_LEN(map_ids);
	for (__u32 i = 0; i < n; i++)
		if (map_ids[i] == shared)
			return true;
	return false;
}

/* The id of the owner map of egress program id (which sock_create programs
 * of ours share), 0 when none. */
static __u32 owner_map_id(__u32 id)
{
	_cleanup_close_ int fd = -1;

	return sg_prog_map_open(id, "eg_owner", &fd) ? 0 : fd_id(fd);
}

/* Our programs on one cgroup (a cgroup that is gone has none): egress
 * programs by the offenders map they share with the connect programs,
 * then sock_create programs by the owner map they share with those. */
static int read_at(const struct sg_kstate *ks, __u32 offenders, struct sg_eg_at *at)
{
	char full[SG_PATH_LEN * 2];
	_cleanup_close_ int cg = -1;

	snprintf(full, sizeof(full), "%s%s", ks->eg.root, at->path);
	cg = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0)
		return errno == ENOENT ? 0 : sg_kstate_err(errno, "cannot open cgroup %s", full);
	for (int h = 1; h >= 0; h--) {
		__u32 ids[64], cnt = ARRAY_LEN(ids), flags = 0;
		__u32 *ours = h ? at->skb : at->sock;
		unsigned *n = h ? &at->nskb : &at->nsock;
		__u32 shared = h ? offenders : 0;

		if (!h && at->nskb)
			shared = owner_map_id(at->skb[0]);
		else if (!h && ks->eg.pinned[1])
			shared = owner_map_id(ks->eg.pinned[1]);
		if (bpf_prog_query(cg, sg_eg_hook_type(h), 0, &flags, ids, &cnt))
			return sg_kstate_find_err(errno, "cannot list the %s programs of cgroup %s",
						  h ? "egress" : "sock_create", full);
		for (__u32 i = 0; i < cnt && *n < SG_MAX_OURS; i++)
			if (looks_ours(ids[i], h, ks, shared))
				ours[(*n)++] = ids[i];
	}
	return 0;
}

/* Adds the paths of a space-separated list, each once. */
static void add_paths(struct sg_eg_kstate *eg, const char *list, size_t len)
{
	struct sg_config tmp;

	memset(&tmp, 0, sizeof(tmp));
	sg_eg_split(list, len, &tmp);
	for (unsigned i = 0; i < tmp.neg && eg->n < ARRAY_LEN(eg->at); i++) {
		unsigned k;

		for (k = 0; k < eg->n && strcmp(eg->at[k].path, tmp.eg_paths[i]); k++)
			;
		if (k == eg->n)
			snprintf(eg->at[eg->n++].path, sizeof(eg->at[0].path), "%s", tmp.eg_paths[i]);
	}
}

static int rodata_paths(int fd, const char *name, void *ctx)
{
	struct sg_policy pol;

	if (!sg_map_is_rodata(name))
		return 0;
	if (sg_read_policy_map(fd, &pol))
		add_paths(ctx, pol.egress_guard, sizeof(pol.egress_guard));
	return 1;
}

/* The paths recorded in the pinned egress program's policy. */
static void pinned_prog_paths(__u32 prog_id, struct sg_eg_kstate *eg)
{
	if (prog_id)
		sg_prog_maps_each(prog_id, rodata_paths, eg);
}

int sg_kstate_read_egress(const char *pin_dir, struct sg_kstate *ks)
{
	struct sg_eg_kstate *eg = &ks->eg;
	__u32 offenders;
	int rc = 0;

	for (int h = 0; h < 2; h++) {
		_cleanup_close_ int fd = sg_pin_open(pin_dir, h ? SG_PIN_EG_SKB : SG_PIN_EG_SOCK);

		eg->pinned[h] = fd_id(fd);
	}
	if (ks->have_policy)
		add_paths(eg, ks->policy.egress_guard, sizeof(ks->policy.egress_guard));
	pinned_prog_paths(eg->pinned[1], eg);
	if (!eg->n)
		return 0;
	if (sg_cgroup_root(eg->root, sizeof(eg->root)))
		return -ENODEV;
	offenders = offenders_id(pin_dir, ks);
	for (unsigned i = 0; i < eg->n && !rc; i++)
		rc = read_at(ks, offenders, &eg->at[i]);
	return rc;
}

/* The egress counters map, from the pin or the attached program, checked:
 * fd, -ENOENT (none), or -errno (said). */
static int open_eg_stats(const char *pin_dir, const struct sg_kstate *ks)
{
	_cleanup_close_ int fd = sg_pin_open(pin_dir, SG_PIN_EG_STATS);
	int rc;

	for (unsigned i = 0; i < ks->eg.n && fd < 0; i++)
		if (ks->eg.at[i].nskb && sg_prog_map_open(ks->eg.at[i].skb[0], "eg_stats", &fd))
			fd = -1;
	if (fd < 0)
		return -ENOENT;
	rc = sg_kmap_check(fd, &(struct sg_map_layout){ BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32),
			   sizeof(struct sg_eg_stats), SG_FAM_COUNT }, "map 'eg_stats'");
	return rc ? rc : sg_take_fd(&fd);
}

/* The summing and zeroing of the connect counters serve: the same ten
 * per-CPU counters, and no offenders map (fd -1: nothing to walk). */
_Static_assert(sizeof(struct sg_eg_stats) == sizeof(struct sg_stats), "same shape");

int sg_kstate_eg_counters(const char *pin_dir, const struct sg_kstate *ks,
			  struct sg_eg_stats sum[SG_FAM_COUNT])
{
	struct sg_history h = { .fd = { -1, -1, -1 } };
	struct sg_stats raw[SG_FAM_COUNT];
	int rc;

	if ((h.fd[SG_HIST_STATS] = open_eg_stats(pin_dir, ks)) < 0)
		return h.fd[SG_HIST_STATS];
	rc = sg_history_counters(&h, raw);
	close(h.fd[SG_HIST_STATS]);
	if (!rc)
		memcpy(sum, raw, sizeof(raw));
	return rc;
}

int sg_kstate_eg_reset(const char *pin_dir, const struct sg_kstate *ks)
{
	struct sg_history h = { .fd = { -1, -1, -1 } };
	int rc;

	if ((h.fd[SG_HIST_STATS] = open_eg_stats(pin_dir, ks)) < 0)
		return h.fd[SG_HIST_STATS] == -ENOENT ? 0 : h.fd[SG_HIST_STATS];
	rc = sg_history_reset(&h);
	close(h.fd[SG_HIST_STATS]);
	return rc;
}
