// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Kernel feature probes. libbpf's probe API where it has one; small direct
 * probes for the rest, each made so that a kernel with the feature answers
 * with one errno and a kernel without it with another, before anything is
 * created or attached. No probe changes kernel state: probe maps and
 * programs are closed at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "kfeatures.h"
#include "kstate.h"
#include "pins.h"
#include "smtpguard.skel.h"

#define PROBE_NAME "sg_probe"

static bool helper_ok(enum bpf_func_id id)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, id, NULL) == 1;
}

/* Read-only global data (5.2): a BPF_F_RDONLY_PROG array, frozen, read by a
 * program through a direct map-value load, as the policy is. */
static bool rdonly_data_ok(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, mopts, .map_flags = BPF_F_RDONLY_PROG);
	int map = bpf_map_create(BPF_MAP_TYPE_ARRAY, PROBE_NAME, 4, 8, 1, &mopts), prog = -1;

	if (map < 0)
		return false;
	if (!bpf_map_freeze(map)) {
		struct bpf_insn insns[] = {
			/* r1 = &map value[0] (ld_imm64, BPF_PSEUDO_MAP_VALUE) */
			{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1,
			  .src_reg = BPF_PSEUDO_MAP_VALUE, .imm = map },
			{ .imm = 0 },
			/* r0 = *(u32 *)r1; exit */
			{ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_0,
			  .src_reg = BPF_REG_1 },
			{ .code = BPF_JMP | BPF_EXIT },
		};

		prog = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, PROBE_NAME, "GPL", insns,
				     ARRAY_LEN(insns), NULL);
	}
	close(map);
	if (prog < 0)
		return false;
	close(prog);
	return true;
}

/* Batch operations (5.6): one BPF_MAP_UPDATE_BATCH on a small hash map. */
static bool batch_ok(void)
{
	int map = bpf_map_create(BPF_MAP_TYPE_HASH, PROBE_NAME, 4, 1, 1, NULL);
	__u32 key = 1, count = 1;
	__u8 val = 1;
	bool ok;

	if (map < 0)
		return false;
	ok = !bpf_map_update_batch(map, &key, &val, &count, NULL);
	close(map);
	return ok;
}

/* Cgroup bpf_link (5.7): BPF_LINK_CREATE with no program. A kernel that
 * knows the command looks the program fd up and says EBADF; before 5.7 the
 * command itself is EINVAL. */
static bool cgroup_link_ok(void)
{
	return bpf_link_create(-1, -1, BPF_CGROUP_INET4_CONNECT, NULL) < 0 && errno == EBADF;
}

/* BPF_F_REPLACE (5.6): flags are checked before the program fd, so an
 * unknown flag is EINVAL and a known one gets as far as EBADF. */
static bool prog_replace_ok(void)
{
	LIBBPF_OPTS(bpf_prog_attach_opts, opts, .flags = BPF_F_ALLOW_MULTI | BPF_F_REPLACE);

	return bpf_prog_attach_opts(-1, -1, BPF_CGROUP_INET4_CONNECT, &opts) < 0 &&
	       errno == EBADF;
}

/* CAP_BPF (5.8) is capability 39: known when cap_last_cap reaches it. */
static bool cap_bpf_ok(void)
{
	char buf[16] = "";
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	return n > 0 && atoi(buf) >= 39;
}

void sg_features_probe(bool have[SG_KF_COUNT])
{
	have[SG_KF_SOCK_ADDR] =
		libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, NULL) == 1;
	have[SG_KF_RDONLY_DATA] = rdonly_data_ok();
	have[SG_KF_PID_TGID] = helper_ok(BPF_FUNC_get_current_pid_tgid);
	have[SG_KF_COMM] = helper_ok(BPF_FUNC_get_current_comm);
	have[SG_KF_CGROUP_ID] = helper_ok(BPF_FUNC_get_current_cgroup_id);
	have[SG_KF_PERF_OUTPUT] = helper_ok(BPF_FUNC_perf_event_output);
	/* an EL8 backport may carry the map type without the helpers for
	 * this program type, or the reverse: both are needed */
	have[SG_KF_RINGBUF] = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1 &&
			      helper_ok(BPF_FUNC_ringbuf_output);
	have[SG_KF_BOOT_NS] = helper_ok(BPF_FUNC_ktime_get_boot_ns);
	have[SG_KF_CGROUP_LINK] = cgroup_link_ok();
	have[SG_KF_BATCH] = batch_ok();
	have[SG_KF_PROG_REPLACE] = prog_replace_ok();
	have[SG_KF_CAP_BPF] = cap_bpf_ok();
}

int sg_features_check(__u32 *features)
{
	bool have[SG_KF_COUNT];
	bool force_perf = sg_knob_set(getenv("SMTPGUARD_FORCE_PERFBUF"));
	bool force_mono = sg_knob_set(getenv("SMTPGUARD_FORCE_MONO_CLOCK"));
	enum sg_kfeature missing;
	char line[SG_ERRLEN];
	int rc;

	sg_features_probe(have);
	if (getenv("SMTPGUARD_DEBUG"))
		for (int f = 0; f < SG_KF_COUNT; f++)
			fprintf(stderr, "smtpguard: kernel feature %s (%s): %s\n",
				sg_kfeature(f)->name, sg_kfeature(f)->detail,
				have[f] ? "yes" : "no");
	if ((rc = sg_features_select(have, force_perf, force_mono, features, &missing))) {
		sg_kfeature_line(missing, line, sizeof(line));
		sg_err("%s", line);
		return rc;
	}
	/* Say so when the kernel (not a test knob) forces a fallback that
	 * changes what users see; the loader reports prog_attach itself. */
	if (!have[SG_KF_RINGBUF]) {
		sg_kfeature_line(SG_KF_RINGBUF, line, sizeof(line));
		sg_warn("%s", line);
	}
	if (!have[SG_KF_BOOT_NS]) {
		sg_kfeature_line(SG_KF_BOOT_NS, line, sizeof(line));
		sg_warn("%s", line);
	}
	return 0;
}

void sg_features_apply(struct smtpguard_bpf *skel, struct sg_policy *pol, __u32 features)
{
	struct bpf_map *ev = skel->maps.sg_events;
	int ncpu;

	pol->features = features;
	if (!(features & SG_FEAT_PERFBUF))
		return;
	/* One slot per possible CPU, each holding a reader's perf event fd.
	 * A different type, key or value size than a pinned events map makes
	 * the loader start that map afresh instead of reusing it. */
	ncpu = libbpf_num_possible_cpus();
	bpf_map__set_type(ev, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	bpf_map__set_key_size(ev, sizeof(__u32));
	bpf_map__set_value_size(ev, sizeof(__u32));
	bpf_map__set_max_entries(ev, ncpu > 0 ? (__u32)ncpu : 0);
}
