/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the host must offer: privileges, cgroup v2, bpffs, cgroup BPF. */
#ifndef SG_SYSENV_H
#define SG_SYSENV_H

#include <stddef.h>

/* Each returns 0, or an SG_EXIT_* code with a one-line message in err. */
int sg_check_privileges(char *err, size_t errlen);
int sg_check_kernel(char *err, size_t errlen);
/* smtpguard's own cgroup2 mount point on hosts that mount none. */
#define SG_OWN_CGROUP2 "/run/smtpguard/cgroup2"

/* The mount point of the cgroup v2 root: from /proc/self/mountinfo, or, when
 * no cgroup2 is mounted (cgroup-v1 hosts), SG_OWN_CGROUP2 mounted now. */
int sg_cgroup_root(char *path, size_t pathlen, char *err, size_t errlen);
/* The cgroup v2 root (sg_cgroup_root), or dir (checked to be a
 * cgroup v2 directory). Opens it; *fd is the O_DIRECTORY fd. */
int sg_open_cgroup(const char *dir, char *path, size_t pathlen, int *fd,
		   char *err, size_t errlen);
/* Mounts bpffs at /sys/fs/bpf when pin_dir is below it and nothing is
 * mounted there; checks pin_dir's parent is on bpffs, and is the host's
 * bpffs (not one mounted only in a private mount namespace); creates
 * pin_dir 0700. */
int sg_prepare_pin_dir(const char *pin_dir, char *err, size_t errlen);
/* 0 when pin_dir's parent is a bpffs; SG_EXIT_* otherwise. */
int sg_check_pin_dir(const char *pin_dir, char *err, size_t errlen);
/* The name part only (no dots): checkable before bpffs is mounted. */
int sg_check_pin_name(const char *pin_dir, char *err, size_t errlen);

#endif
