/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Issue 11: how `log` finds a running `monitor`. A BPF ring buffer has one
 * consumer position, so a second reader would take events away from the
 * monitor (and from syslog). The monitor of a pin dir therefore announces
 * itself in a state file under SG_MONITOR_RUN_DIR, holds an exclusive
 * flock(2) on it for as long as it runs, and writes its pid, pin dir and
 * output file into it. `log` takes the lock as a test: when it cannot, a
 * monitor is alive (no pid can be stale: the kernel drops the lock when
 * the process dies, however it dies), and log follows its output file.
 */
#ifndef SG_MONITOR_STATE_H
#define SG_MONITOR_STATE_H

#include <sys/types.h>
#include <linux/types.h>
#include "smtpguard.h"

#define SG_MONITOR_RUN_DIR "/run/smtpguard/monitor"
/* The output of a monitor run without --output: capped, it moves to
 * FILE.1 when it passes this size (it lives in memory). */
#define SG_MONITOR_RUN_FILE_MAX (4 << 20)

struct sg_monitor_info {
	pid_t pid;
	char pin_dir[SG_PATH_LEN];
	char output[SG_PATH_LEN];
};

/* SG_MONITOR_RUN_DIR/<pin dir, '/' as '_'><suffix> ("" when too long). */
void sg_monitor_path(const char *pin_dir, const char *suffix, char *buf, size_t len);
/* The monitor: takes the lock and writes the state. Returns the locked fd,
 * or -errno with the line said (-EBUSY: another monitor runs for pin_dir). */
int sg_monitor_claim(const char *pin_dir, const char *output);
/* Removes the state file and drops the lock. */
void sg_monitor_release(const char *pin_dir, int fd);
/* 1 and *info when a monitor runs for pin_dir and has said where it
 * writes, 0 when none. Never fails loudly: no state is no monitor. */
int sg_monitor_find(const char *pin_dir, struct sg_monitor_info *info);

#endif
