/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Before Linux 5.15, activating the cgroup-v1 net_cls or net_prio controller
 * switches off cgroup2 socket matching for new sockets ("cgroup: disabling
 * cgroup2 socket matching due to net_prio or net_cls activation"): from then
 * on new sockets carry no cgroup2 pointer and cgroup connect programs at the
 * root no longer see them. This tells whether a host is at risk (pure, unit
 * tested; the caller reads the files). */
#ifndef SG_NETCLS_H
#define SG_NETCLS_H

#include <stdbool.h>
#include <stddef.h>

/* release: uname -r; proc_cgroups: /proc/cgroups text (may be NULL);
 * kernel_log: the kernel log text (may be NULL). true with a one-line
 * reason in why when cgroup2 socket matching is (or may be) off. */
bool sg_netcls_risk(const char *release, const char *proc_cgroups, const char *kernel_log,
		    char *why, size_t whylen);

/* Reads uname, /proc/cgroups and the kernel log, and warns (one line on
 * stderr) when sg_netcls_risk says so. */
void sg_warn_netcls(void);

#endif
