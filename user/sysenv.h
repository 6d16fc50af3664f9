/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the host must offer: privileges, cgroup v2, bpffs, cgroup BPF. */
#ifndef SG_SYSENV_H
#define SG_SYSENV_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

/* No capability is checked up front: a command tries the operation, and
 * where the kernel says EPERM or EACCES its one error line names the
 * operation and what it needs (systemd's way). Only a user namespace of
 * one's own is refused first, since there the kernel's answer misleads. */
enum sg_op {
	SG_OP_LOAD,   /* loading programs and maps: CAP_BPF + CAP_NET_ADMIN, or CAP_SYS_ADMIN */
	SG_OP_ATTACH, /* attaching to / detaching from a cgroup: CAP_NET_ADMIN */
	SG_OP_PIN,    /* opening, creating, removing pins: root (and CAP_BPF) */
	SG_OP_MOUNT,  /* mounting bpffs or a cgroup2: CAP_SYS_ADMIN */
	SG_OP_FIND,   /* a program or map fd from its id: CAP_SYS_ADMIN */
	SG_OP_QUERY,  /* issue 11: listing a cgroup's programs: CAP_NET_ADMIN */
};

/* " (what OP needs)" when err is EPERM or EACCES, else "": appended to the
 * line "cannot <op> ...: <strerror(err)>". */
const char *sg_eperm_hint(enum sg_op op, int err);
static inline bool sg_is_perm(int err)
{
	return err == EPERM || err == EACCES;
}

/* Each check returns 0, or a negative errno after saying, in one line,
 * what failed and why (the command chooses the exit code). */
/* Refuses a user namespace other than the initial one (sg_in_initial_userns
 * only tells). */
int sg_check_userns(void);
bool sg_in_initial_userns(void);
/* When programs are attached to the cgroup cg_fd, tries turning the first
 * one's id into an fd: a load over them must tell which are its own, and
 * replace or detach those. Refuses with one line, before any change, where
 * the kernel refuses; a first load on an empty cgroup needs no such lookup. */
int sg_check_find_attached(int cg_fd, const char *cg_path);
/* Tries loading a minimal cgroup connect program (and frees it): the
 * kernel's support and the privilege to load. sg_probe_kernel says nothing;
 * sg_check_kernel says which of the two lacks. */
int sg_probe_kernel(void);
int sg_check_kernel(void);
/* smtpguard's own cgroup2 mount point on hosts that mount none. */
#define SG_OWN_CGROUP2 "/run/smtpguard/cgroup2"

/* The mount point of the cgroup v2 root: from /proc/self/mountinfo, or, when
 * no cgroup2 is mounted (cgroup-v1 hosts), SG_OWN_CGROUP2 mounted now. */
int sg_cgroup_root(char *path, size_t pathlen);
/* The cgroup v2 root (sg_cgroup_root), or dir (checked to be a cgroup v2
 * directory: -ENOTDIR if not). Opens it; *fd is the O_DIRECTORY fd. */
int sg_open_cgroup(const char *dir, char *path, size_t pathlen, int *fd);

/* The pin dir, in the order a load prepares it: */
/* the name part only (no dots): checkable before bpffs is mounted; -EINVAL */
int sg_check_pin_name(const char *pin_dir);
/* mounts bpffs at /sys/fs/bpf when pin_dir is below it and nothing is
 * mounted there */
int sg_mount_bpffs(const char *pin_dir);
/* the name, and pin_dir's parent is a bpffs; -EINVAL */
int sg_check_pin_dir(const char *pin_dir);
/* the parent is the host's bpffs (not one mounted only in a private mount
 * namespace); creates pin_dir 0700, or checks an existing one is root's */
int sg_make_pin_dir(const char *pin_dir);
/* sg_check_pin_dir's test, silent (unload: may the leftovers be removed) */
bool sg_pin_dir_usable(const char *pin_dir);

#endif
