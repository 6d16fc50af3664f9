// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The history maps (counters, offenders, events) for stats, log and
 * monitor: found under their pins or, with the pins gone, through the
 * attached program; checked against this binary's layout before anything
 * reads them (part of the kernel-state module, see kstate.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cleanup.h"
#include "common.h"
#include "kstate.h"
#include "pins.h"

static const enum sg_pin hist_pin[SG_HIST_COUNT] = {
	[SG_HIST_STATS] = SG_PIN_STATS,
	[SG_HIST_OFFENDERS] = SG_PIN_OFFENDERS,
	[SG_HIST_EVENTS] = SG_PIN_EVENTS,
};

/* The layouts bpf/smtpguard.bpf.c declares; events is a ring buffer, or a
 * perf event array with one __u32 slot per CPU (SG_FEAT_PERFBUF). */
static const struct sg_map_layout hist_layout[SG_HIST_COUNT] = {
	[SG_HIST_STATS] = { BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32), sizeof(struct sg_stats),
			    SG_FAM_COUNT },
	[SG_HIST_OFFENDERS] = { BPF_MAP_TYPE_LRU_HASH, sizeof(__u32), sizeof(struct sg_offender),
				0 },
	[SG_HIST_EVENTS] = { BPF_MAP_TYPE_RINGBUF, 0, 0, SG_EVENTS_BYTES },
};
static const struct sg_map_layout perf_layout = {
	BPF_MAP_TYPE_PERF_EVENT_ARRAY, sizeof(__u32), sizeof(__u32), 0
};

/* History map k: its pin, else the map of program prog_id (0: none);
 * where names it for messages. fd, -ENOENT (neither), or -errno (said
 * unless quiet). */
static int locate(const char *pin_dir, __u32 prog_id, enum sg_hist k, bool quiet,
		  char *where, size_t wlen)
{
	const char *name = sg_pin_name(hist_pin[k]);
	int fd = sg_pin_open(pin_dir, hist_pin[k]), rc;

	snprintf(where, wlen, "pinned map '%s' in %s", name, pin_dir);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return quiet ? -errno : sg_kstate_err(errno, "cannot open %s", where);
	if (!prog_id)
		return -ENOENT;
	snprintf(where, wlen, "map '%s' of program %u", name, prog_id);
	rc = sg_prog_map_open(prog_id, name, &fd);
	return rc ? rc : fd;
}

int sg_kstate_history_map(const char *pin_dir, __u32 prog_id, enum sg_hist k, int *fd)
{
	char where[SG_PATH_LEN + 64];
	int rc = locate(pin_dir, prog_id, k, false, where, sizeof(where));

	if (rc < 0)
		return rc;
	*fd = rc;
	return 0;
}

/* Opens and checks one history map into h. 0, -ENOENT, or -errno (said
 * unless quiet). */
static int open_one(const char *pin_dir, __u32 prog_id, enum sg_hist k, bool quiet,
		    struct sg_history *h)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	const struct sg_map_layout *want = &hist_layout[k];
	char where[SG_PATH_LEN + 64];
	_cleanup_close_ int fd = locate(pin_dir, prog_id, k, quiet, where, sizeof(where));

	if (fd < 0)
		return fd;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return quiet ? -errno : sg_kstate_err(errno, "cannot read %s", where);
	if (k == SG_HIST_EVENTS && info.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		want = &perf_layout;
	if (sg_kmap_check(fd, want, quiet ? NULL : where))
		return -EPROTO;
	h->events_perf = k == SG_HIST_EVENTS && want == &perf_layout;
	h->id[k] = info.id;
	h->fd[k] = sg_take_fd(&fd);
	return 0;
}

/* The attached programs' policy, and one program to take maps from. */
static int read_policy(const char *pin_dir, const char *cg_hint, struct sg_history *h,
		       __u32 *prog_id)
{
	struct sg_kstate ks;
	int rc = sg_kstate_read(pin_dir, cg_hint, SG_KREAD_POLICY_ONLY, &ks);

	if (!rc) {
		h->have_policy = ks.have_policy;
		h->policy = ks.policy;
		h->attached = sg_kstate_any(&ks);
		*prog_id = ks.link[0].present ? ks.link[0].prog_id : ks.link[1].prog_id;
	}
	sg_kstate_free(&ks);
	return rc;
}

int sg_kstate_open_history(const char *pin_dir, const char *cg_hint, unsigned which,
			   struct sg_history *h)
{
	bool quiet = which & SG_HIST_QUIET;
	__u32 prog_id = 0;
	int rc;

	memset(h, 0, sizeof(*h));
	for (int k = 0; k < SG_HIST_COUNT; k++)
		h->fd[k] = -1;
	if ((rc = read_policy(pin_dir, cg_hint, h, &prog_id)))
		return rc;
	/* another format means other contents, even at the same sizes */
	if (h->have_policy && h->policy.format != SG_FORMAT_VERSION) {
		if (!quiet)
			sg_err("the programs loaded from %s use map format %u, this smtpguard "
			       "reads format %u: use the smtpguard that loaded them, or load again",
			       pin_dir, h->policy.format, SG_FORMAT_VERSION);
		return -EPROTO;
	}
	for (int k = 0; k < SG_HIST_COUNT; k++)
		if ((which & SG_HIST_BIT(k)) &&
		    (rc = open_one(pin_dir, prog_id, (enum sg_hist)k, quiet, h)))
			return rc;
	return 0;
}

void sg_history_close(struct sg_history *h)
{
	for (int k = 0; k < SG_HIST_COUNT; k++) {
		if (h->fd[k] >= 0)
			close(h->fd[k]);
		h->fd[k] = -1;
	}
}

int sg_history_counters(const struct sg_history *h, struct sg_stats sum[SG_FAM_COUNT])
{
	int ncpu = libbpf_num_possible_cpus();
	_cleanup_free_ struct sg_stats *percpu = NULL;

	memset(sum, 0, sizeof(*sum) * SG_FAM_COUNT);
	if (ncpu <= 0) {
		sg_err("cannot count the possible CPUs: %s", strerror(-ncpu));
		return ncpu ? ncpu : -EINVAL;
	}
	/* zeroed: valgrind does not see the kernel fill it */
	if (!(percpu = calloc((size_t)ncpu, sizeof(*percpu)))) {
		sg_err("out of memory");
		return -ENOMEM;
	}
	for (__u32 f = 0; f < SG_FAM_COUNT; f++) {
		__u64 *dst = (__u64 *)&sum[f];

		if (bpf_map_lookup_elem(h->fd[SG_HIST_STATS], &f, percpu))
			return sg_kstate_err(errno, "cannot read the counters");
		for (int c = 0; c < ncpu; c++) {
			const __u64 *src = (const __u64 *)&percpu[c];

			for (size_t i = 0; i < sizeof(struct sg_stats) / sizeof(__u64); i++)
				dst[i] += src[i];
		}
	}
	return 0;
}

int sg_history_reset(const struct sg_history *h)
{
	int ncpu = libbpf_num_possible_cpus();
	_cleanup_free_ struct sg_stats *zero = calloc(ncpu > 0 ? (size_t)ncpu : 1, sizeof(*zero));
	unsigned n = 0;
	__u32 key;

	if (!zero) {
		sg_err("out of memory");
		return -ENOMEM;
	}
	for (__u32 f = 0; f < SG_FAM_COUNT; f++)
		if (bpf_map_update_elem(h->fd[SG_HIST_STATS], &f, zero, BPF_ANY))
			return sg_kstate_err(errno, "cannot clear counters");
	/* bounded: the programs may insert while we delete */
	while (!bpf_map_get_next_key(h->fd[SG_HIST_OFFENDERS], NULL, &key) &&
	       n++ < 4 * SG_MAX_OFFENDERS)
		bpf_map_delete_elem(h->fd[SG_HIST_OFFENDERS], &key);
	return 0;
}
