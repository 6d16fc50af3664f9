/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Kernel features the programs and the loader use: probing them, choosing a
 * fallback where a backported (EL8) kernel may lack one, and naming what is
 * missing, with the first upstream version that has it, where none exists.
 * The choice a load made is recorded in sg_policy.features (SG_FEAT_*).
 */
#ifndef SG_KFEATURES_H
#define SG_KFEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "smtpguard.h"

enum sg_kfeature {
	/* required: no fallback */
	SG_KF_SOCK_ADDR,     /* cgroup connect4/connect6 programs */
	SG_KF_RDONLY_DATA,   /* the policy lives in frozen read-only data */
	SG_KF_PID_TGID,      /* helpers the event and offender records use */
	SG_KF_COMM,
	SG_KF_CGROUP_ID,
	SG_KF_PERF_OUTPUT,   /* required only when the ring buffer is not used */
	/* with a fallback */
	SG_KF_RINGBUF,       /* else a perf event array (SG_FEAT_PERFBUF) */
	SG_KF_BOOT_NS,       /* else the monotonic clock (SG_FEAT_MONO_CLOCK) */
	SG_KF_CGROUP_LINK,   /* else BPF_PROG_ATTACH (loader.c finds out itself) */
	SG_KF_BATCH,         /* else one update per element (kstate.c) */
	SG_KF_PROG_REPLACE,  /* else attach, then detach the old program */
	SG_KF_CAP_BPF,       /* informational: CAP_SYS_ADMIN covers it */
	SG_KF_COUNT
};

struct sg_kfeature_info {
	const char *name;     /* "read-only global data" */
	const char *detail;   /* "BPF_F_RDONLY_PROG, Linux 5.2" */
	const char *fallback; /* what is used instead; NULL: cannot load */
};

const struct sg_kfeature_info *sg_kfeature(enum sg_kfeature f);

/* "this kernel lacks NAME (DETAIL): cannot load" for a required feature,
 * "this kernel lacks NAME (DETAIL): FALLBACK" for the others. */
void sg_kfeature_line(enum sg_kfeature f, char *buf, size_t len);

/* Test knobs (SMTPGUARD_FORCE_*): set, non-empty and not "0". */
bool sg_knob_set(const char *value);

/* From probe results (have[f]) and the test knobs: the SG_FEAT_* bits of
 * this load in *features. Returns 0, or -EOPNOTSUPP with the first missing
 * required feature in *missing. Pure (unit-tested). */
int sg_features_select(const bool have[SG_KF_COUNT], bool force_perfbuf, bool force_mono,
		       __u32 *features, enum sg_kfeature *missing);

/* "ringbuf, boottime" / "perfbuf, monotonic" */
const char *sg_features_text(__u32 features, char *buf, size_t len);
/* ["ringbuf","boottime"] */
const char *sg_features_json(__u32 features, char *buf, size_t len);

/* Kernel-facing part (kfeatures.c). */
struct smtpguard_bpf;
struct sg_policy;
/* Runs every probe. */
void sg_features_probe(bool have[SG_KF_COUNT]);
/* Probes, applies the knobs SMTPGUARD_FORCE_PERFBUF / _MONO_CLOCK, warns
 * (one line each) for a fallback the kernel forces. 0, or -EOPNOTSUPP after
 * the line naming the missing feature; nothing in the kernel is changed. */
int sg_features_check(__u32 *features);
/* Before the skeleton is loaded: records features in pol and reshapes the
 * events map into a perf event array when SG_FEAT_PERFBUF is set. */
void sg_features_apply(struct smtpguard_bpf *skel, struct sg_policy *pol, __u32 features);

#endif
