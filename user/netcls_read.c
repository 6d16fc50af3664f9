// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The reading side of netcls.h: uname, /proc/cgroups and the kernel log. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/klog.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "common.h"
#include "netcls.h"
#include "readfile.h"

#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_SIZE_BUFFER 10

static char *kernel_log(void)
{
	int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0), n;
	char *buf;

	if (size <= 0 || size > (64 << 20) || !(buf = malloc((size_t)size + 1)))
		return NULL;
	n = klogctl(SYSLOG_ACTION_READ_ALL, buf, size);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

void sg_warn_netcls(void)
{
	struct utsname u;
	char why[512], *cg = sg_read_text("/proc/cgroups", 1u << 20, NULL), *log = kernel_log();

	if (sg_netcls_risk(uname(&u) ? NULL : u.release, cg, log, why, sizeof(why)))
		sg_warn("%s", why);
	free(cg);
	free(log);
}
