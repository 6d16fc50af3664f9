// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netcls.h"

#define NETCLS_MSG "disabling cgroup2 socket matching"

/* Fixed in 5.15 (the socket keeps both v1 and v2 data since then). */
static bool before_5_15(const char *release)
{
	unsigned major = 0, minor = 0;

	if (sscanf(release, "%u.%u", &major, &minor) != 2)
		return false;
	return major < 5 || (major == 5 && minor < 15);
}

/* The v1 controllers among net_cls/net_prio that are bound to a mounted
 * hierarchy (the hierarchy column of /proc/cgroups is not 0). */
static void mounted_controllers(const char *proc_cgroups, char *out, size_t len)
{
	const char *line = proc_cgroups;

	out[0] = '\0';
	while (line && *line) {
		char name[32];
		unsigned hier, num, enabled;
		const char *nl = strchr(line, '\n');

		if (line[0] != '#' &&
		    sscanf(line, "%31s %u %u %u", name, &hier, &num, &enabled) == 4 && hier &&
		    enabled && (!strcmp(name, "net_cls") || !strcmp(name, "net_prio"))) {
			size_t used = strlen(out);

			snprintf(out + used, len - used, "%s%s", used ? ", " : "", name);
		}
		line = nl ? nl + 1 : NULL;
	}
}

bool sg_netcls_risk(const char *release, const char *proc_cgroups, const char *kernel_log,
		    char *why, size_t whylen)
{
	char ctl[64] = "";

	if (kernel_log && strstr(kernel_log, NETCLS_MSG)) {
		snprintf(why, whylen, "the kernel log says \"" NETCLS_MSG "\" (net_cls/net_prio "
			 "activated): new sockets escape cgroup connect programs until reboot");
		return true;
	}
	if (!release || !before_5_15(release) || !proc_cgroups)
		return false;
	mounted_controllers(proc_cgroups, ctl, sizeof(ctl));
	if (!ctl[0])
		return false;
	snprintf(why, whylen, "the cgroup v1 controller%s %s %s mounted on Linux %s (before 5.15): "
		 "once used, it disables cgroup2 socket matching and new sockets escape "
		 "enforcement; unmount it or boot with cgroup_no_v1=net_cls,net_prio",
		 strchr(ctl, ',') ? "s" : "", ctl, strchr(ctl, ',') ? "are" : "is", release);
	return true;
}
