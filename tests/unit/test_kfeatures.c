// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests of the kernel feature choice: which probe results refuse a
 * load (and with which line), which select a fallback, what the test knobs
 * force, how the choice is named, and the clock conversion. */
#include <errno.h>
#include "clock.h"
#include "common.h"
#include "kfeatures.h"
#include "tap.h"

static void all(bool have[SG_KF_COUNT], bool v)
{
	for (int f = 0; f < SG_KF_COUNT; f++)
		have[f] = v;
}

int main(void)
{
	bool have[SG_KF_COUNT];
	char err[SG_ERRLEN], buf[64];
	enum sg_kfeature miss = SG_KF_COUNT;
	__u32 feat;

	all(have, true);
	OK(sg_features_select(have, false, false, &feat, &miss) == 0 && feat == 0,
	   "a complete kernel: ring buffer and boot time");
	OK(sg_features_select(have, true, false, &feat, &miss) == 0 &&
	   feat == SG_FEAT_PERFBUF, "SMTPGUARD_FORCE_PERFBUF alone");
	OK(sg_features_select(have, false, true, &feat, &miss) == 0 &&
	   feat == SG_FEAT_MONO_CLOCK, "SMTPGUARD_FORCE_MONO_CLOCK alone");
	OK(sg_features_select(have, true, true, &feat, &miss) == 0 &&
	   feat == (SG_FEAT_PERFBUF | SG_FEAT_MONO_CLOCK), "both knobs");

	/* what a 5.7 kernel (or an EL8 backport without these) gets */
	have[SG_KF_RINGBUF] = false;
	have[SG_KF_BOOT_NS] = false;
	OK(sg_features_select(have, false, false, &feat, &miss) == 0 &&
	   feat == (SG_FEAT_PERFBUF | SG_FEAT_MONO_CLOCK), "no ring buffer, no boot time: fallbacks");
	have[SG_KF_PERF_OUTPUT] = false;
	OK(sg_features_select(have, false, false, &feat, &miss) == -EOPNOTSUPP,
	   "no ring buffer and no perf output: refused");
	sg_kfeature_line(miss, err, sizeof(err));
	STR_EQ(err, "this kernel lacks bpf_perf_event_output in cgroup connect programs "
		    "(Linux 5.7): cannot load", "perf output line");
	have[SG_KF_RINGBUF] = true;
	OK(sg_features_select(have, false, false, &feat, &miss) == 0 &&
	   feat == SG_FEAT_MONO_CLOCK, "perf output is needed only without the ring buffer");
	OK(sg_features_select(have, true, false, &feat, &miss) == -EOPNOTSUPP,
	   "... or when perfbuf is forced");

	/* the features the program cannot do without */
	all(have, true);
	have[SG_KF_RDONLY_DATA] = false;
	OK(sg_features_select(have, false, false, &feat, &miss) == -EOPNOTSUPP,
	   "no read-only global data: refused");
	sg_kfeature_line(miss, err, sizeof(err));
	STR_EQ(err, "this kernel lacks read-only global data (BPF_F_RDONLY_PROG, Linux 5.2): "
		    "cannot load", "read-only data line");
	have[SG_KF_SOCK_ADDR] = false;
	sg_features_select(have, false, false, &feat, &miss);
	sg_kfeature_line(miss, err, sizeof(err));
	STR_EQ(err, "this kernel lacks cgroup sock_addr programs (BPF_PROG_TYPE_CGROUP_SOCK_ADDR, "
		    "Linux 4.17): cannot load", "the first missing one is named");
	all(have, true);
	have[SG_KF_COMM] = false;
	OK(sg_features_select(have, false, false, &feat, &miss) == -EOPNOTSUPP,
	   "no bpf_get_current_comm: refused");

	/* informational ones never refuse */
	all(have, true);
	have[SG_KF_CGROUP_LINK] = have[SG_KF_BATCH] = have[SG_KF_PROG_REPLACE] = false;
	have[SG_KF_CAP_BPF] = false;
	OK(sg_features_select(have, false, false, &feat, &miss) == 0 && feat == 0,
	   "no bpf_link, batch, BPF_F_REPLACE or CAP_BPF: loads, loader falls back");
	for (int f = 0; f < SG_KF_COUNT; f++)
		OK(sg_kfeature(f) && sg_kfeature(f)->name && strstr(sg_kfeature(f)->detail, "Linux "),
		   "feature %d names a first upstream version", f);
	sg_kfeature_line(SG_KF_RINGBUF, err, sizeof(err));
	STR_EQ(err, "this kernel lacks the BPF ring buffer (BPF_MAP_TYPE_RINGBUF, Linux 5.8): "
		    "events go through a perf event array", "fallback line");

	STR_EQ(sg_features_text(0, buf, sizeof(buf)), "ringbuf, boottime", "text, default");
	STR_EQ(sg_features_text(SG_FEAT_PERFBUF | SG_FEAT_MONO_CLOCK, buf, sizeof(buf)),
	       "perfbuf, monotonic", "text, both fallbacks");
	STR_EQ(sg_features_json(SG_FEAT_PERFBUF, buf, sizeof(buf)), "[\"perfbuf\",\"boottime\"]",
	       "json");

	OK(!sg_knob_set(NULL) && !sg_knob_set("") && !sg_knob_set("0") && sg_knob_set("1") &&
	   sg_knob_set("yes"), "knob values");

	/* a stamp 2 s before "now" of its clock is 2 s before real now */
	{
		double t = sg_stamp_to_unix_at(98ULL * 1000000000ULL, 100.0, 1700000000.0);

		OK(t > 1699999997.999 && t < 1699999998.001, "stamp to unix time (%.3f)", t);
	}
	return tap_done();
}
