/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef SG_CLOCK_H
#define SG_CLOCK_H

#include <time.h>
#include <linux/types.h>

/* The BPF side stamps with CLOCK_BOOTTIME (counts through suspend, never
 * jumps); turn such a stamp into wall-clock seconds. */
static inline double sg_boot_to_unix(__u64 boot_ns)
{
	struct timespec real, boot;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return (double)real.tv_sec + real.tv_nsec / 1e9 -
	       ((double)boot.tv_sec + boot.tv_nsec / 1e9 - boot_ns / 1e9);
}

#endif
