// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests: when cgroup2 socket matching is (or may be) off. */
#include "tap.h"
#include "netcls.h"

static const char v1_netcls[] =
	"#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
	"cpuset\t2\t1\t1\n"
	"net_cls\t5\t1\t1\n"
	"net_prio\t5\t1\t1\n";
static const char v1_none[] =
	"#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
	"cpuset\t2\t1\t1\n"
	"net_cls\t0\t1\t1\n"
	"net_prio\t0\t1\t1\n";
static const char v1_prio[] =
	"#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
	"net_cls\t0\t1\t1\n"
	"net_prio\t7\t3\t1\n";

int main(void)
{
	char why[512] = "";

	OK(sg_netcls_risk("4.18.0-513.el8.x86_64", v1_netcls, "", why, sizeof(why)),
	   "EL8 kernel with net_cls,net_prio mounted: at risk");
	OK(strstr(why, "net_cls, net_prio are mounted on Linux 4.18.0-513.el8.x86_64") != NULL,
	   "names both controllers and the kernel: %s", why);
	OK(!sg_netcls_risk("4.18.0-513.el8.x86_64", v1_none, "", why, sizeof(why)),
	   "EL8 kernel, controllers not mounted: no risk");
	OK(sg_netcls_risk("5.14.21", v1_prio, NULL, why, sizeof(why)) &&
	   strstr(why, "controller net_prio is mounted") != NULL, "5.14 with net_prio only");
	OK(!sg_netcls_risk("5.15.0-91-generic", v1_netcls, "", why, sizeof(why)),
	   "5.15 and later are not affected by mounted controllers");
	OK(!sg_netcls_risk("6.1.0-18-amd64", v1_netcls, NULL, why, sizeof(why)), "6.1 not affected");
	OK(sg_netcls_risk("6.1.0-18-amd64", NULL,
			  "<4>[   12.3] cgroup: disabling cgroup2 socket matching due to net_prio "
			  "or net_cls activation\n", why, sizeof(why)) &&
	   strstr(why, "the kernel log says") != NULL, "the kernel's message is reported on any version");
	OK(!sg_netcls_risk("garbage", v1_netcls, NULL, why, sizeof(why)), "unparsable release: no guess");
	OK(!sg_netcls_risk("4.19.0", NULL, NULL, why, sizeof(why)), "no /proc/cgroups: no guess");
	return tap_done();
}
