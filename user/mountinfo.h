/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Finding mounts in /proc/self/mountinfo text (pure, unit-tested). */
#ifndef SG_MOUNTINFO_H
#define SG_MOUNTINFO_H

#include <stddef.h>

/* The most of /proc/self/mountinfo read: hosts with many containers mount a lot. */
#define SG_MAX_MOUNTINFO (64u << 20)

/* Mount point of the first filesystem of type fstype ("cgroup2", "bpf"),
 * with \040-style escapes undone. 0 when found, -1 when not. *root_is_slash
 * (may be NULL) tells whether the mount shows its hierarchy's root, which is
 * false inside a cgroup namespace. */
int sg_find_mount(const char *mountinfo, const char *fstype, char *out,
		  size_t outlen, int *root_is_slash);

#endif
