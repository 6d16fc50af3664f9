/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef SG_CLOCK_H
#define SG_CLOCK_H

#include <time.h>
#include <linux/types.h>
#include "smtpguard.h"

/* A stamp of the clock that reads clock_now (seconds) now, as wall-clock
 * seconds, given the real clock's reading real_now (pure, unit-tested). */
static inline double sg_stamp_to_unix_at(__u64 stamp_ns, double clock_now, double real_now)
{
	return real_now - (clock_now - (double)stamp_ns / 1e9);
}

static inline double sg_clock_now(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The BPF side stamps with CLOCK_BOOTTIME (counts through suspend, never
 * jumps), or CLOCK_MONOTONIC where the kernel lacks bpf_ktime_get_boot_ns
 * (SG_FEAT_MONO_CLOCK in the loaded policy's features); turn such a stamp
 * into wall-clock seconds. */
static inline double sg_stamp_to_unix(__u64 stamp_ns, __u32 features)
{
	clockid_t id = features & SG_FEAT_MONO_CLOCK ? CLOCK_MONOTONIC : CLOCK_BOOTTIME;
	double clk = sg_clock_now(id);

	return sg_stamp_to_unix_at(stamp_ns, clk, sg_clock_now(CLOCK_REALTIME));
}

static inline double sg_boot_to_unix(__u64 boot_ns)
{
	return sg_stamp_to_unix(boot_ns, 0);
}

#endif
