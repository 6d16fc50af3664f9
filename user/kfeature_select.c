// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Which kernel features are needed, what replaces a missing one, and how
 * a load's choice is named (pure: no kernel calls). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "common.h"
#include "kfeatures.h"

/* First upstream version of each; backports (RHEL/Alma/Rocky 8) have some of
 * them earlier, which is why every one is probed rather than the version
 * number compared. */
static const struct sg_kfeature_info table[SG_KF_COUNT] = {
	[SG_KF_SOCK_ADDR] = { "cgroup sock_addr programs",
			      "BPF_PROG_TYPE_CGROUP_SOCK_ADDR, Linux 4.17", NULL },
	[SG_KF_RDONLY_DATA] = { "read-only global data", "BPF_F_RDONLY_PROG, Linux 5.2", NULL },
	[SG_KF_PID_TGID] = { "bpf_get_current_pid_tgid in cgroup connect programs",
			     "Linux 5.7", NULL },
	[SG_KF_COMM] = { "bpf_get_current_comm in cgroup connect programs", "Linux 5.7", NULL },
	[SG_KF_CGROUP_ID] = { "bpf_get_current_cgroup_id in cgroup connect programs",
			      "Linux 5.7", NULL },
	[SG_KF_PERF_OUTPUT] = { "bpf_perf_event_output in cgroup connect programs",
				"Linux 5.7", NULL },
	[SG_KF_RINGBUF] = { "the BPF ring buffer", "BPF_MAP_TYPE_RINGBUF, Linux 5.8",
			    "events go through a perf event array" },
	[SG_KF_BOOT_NS] = { "bpf_ktime_get_boot_ns", "Linux 5.8",
			    "events and offenders are stamped with the monotonic clock" },
	[SG_KF_CGROUP_LINK] = { "cgroup bpf_link", "BPF_LINK_CREATE, Linux 5.7",
				"programs are attached with BPF_PROG_ATTACH" },
	[SG_KF_BATCH] = { "batch map operations", "BPF_MAP_UPDATE_BATCH, Linux 5.6",
			  "policy maps are filled one element at a time" },
	[SG_KF_PROG_REPLACE] = { "BPF_F_REPLACE for BPF_PROG_ATTACH", "Linux 5.6",
				 "a reload attaches the new program before it detaches the old" },
	[SG_KF_CAP_BPF] = { "CAP_BPF", "Linux 5.8", "CAP_SYS_ADMIN is needed instead" },
};

const struct sg_kfeature_info *sg_kfeature(enum sg_kfeature f)
{
	return f < SG_KF_COUNT ? &table[f] : NULL;
}

void sg_kfeature_line(enum sg_kfeature f, char *buf, size_t len)
{
	const struct sg_kfeature_info *k = sg_kfeature(f);

	snprintf(buf, len, "this kernel lacks %s (%s): %s", k->name, k->detail,
		 k->fallback ? k->fallback : "cannot load");
}

bool sg_knob_set(const char *value)
{
	return value && *value && strcmp(value, "0");
}

int sg_features_select(const bool have[SG_KF_COUNT], bool force_perfbuf, bool force_mono,
		       __u32 *features, enum sg_kfeature *missing)
{
	static const enum sg_kfeature required[] = {
		SG_KF_SOCK_ADDR, SG_KF_RDONLY_DATA, SG_KF_PID_TGID, SG_KF_COMM, SG_KF_CGROUP_ID,
	};
	__u32 f = 0;

	*features = 0;
	for (size_t i = 0; i < ARRAY_LEN(required); i++)
		if (!have[required[i]]) {
			*missing = required[i];
			return -EOPNOTSUPP;
		}
	if (force_perfbuf || !have[SG_KF_RINGBUF])
		f |= SG_FEAT_PERFBUF;
	/* without a ring buffer, events need the perf output helper */
	if ((f & SG_FEAT_PERFBUF) && !have[SG_KF_PERF_OUTPUT]) {
		*missing = SG_KF_PERF_OUTPUT;
		return -EOPNOTSUPP;
	}
	if (force_mono || !have[SG_KF_BOOT_NS])
		f |= SG_FEAT_MONO_CLOCK;
	*features = f;
	return 0;
}

const char *sg_features_text(__u32 features, char *buf, size_t len)
{
	snprintf(buf, len, "%s, %s", features & SG_FEAT_PERFBUF ? "perfbuf" : "ringbuf",
		 features & SG_FEAT_MONO_CLOCK ? "monotonic" : "boottime");
	return buf;
}

const char *sg_features_json(__u32 features, char *buf, size_t len)
{
	snprintf(buf, len, "[\"%s\",\"%s\"]", features & SG_FEAT_PERFBUF ? "perfbuf" : "ringbuf",
		 features & SG_FEAT_MONO_CLOCK ? "monotonic" : "boottime");
	return buf;
}
