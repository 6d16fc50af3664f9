// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <stdio.h>
#include "event_format.h"
#include "json.h"

void sg_event_line(const struct sg_event *e, const char *user, char *buf, size_t len)
{
	char dst[64], comm[SG_COMM_LEN + 1], who[96];

	sg_format_dst(e->addr, e->family, e->port, dst, sizeof(dst));
	sg_clean_comm(e->comm, comm, sizeof(comm));
	if (user && *user)
		snprintf(who, sizeof(who), "%u(%s)", e->uid, user);
	else
		snprintf(who, sizeof(who), "%u", e->uid);
	snprintf(buf, len, "%s uid=%s pid=%u comm=%s dst=%s family=ipv%u gid=%u tid=%u cgroup=%llu",
		 sg_verdict_name(e->verdict), who, e->pid, comm, dst, e->family, e->gid, e->tid,
		 (unsigned long long)e->cgroup_id);
}

void sg_event_json(const struct sg_event *e, const char *user, double unix_time,
		   char *buf, size_t len)
{
	char dst[64], addr[INET6_ADDRSTRLEN], when[48], family[8];
	struct sg_json j;

	sg_format_dst(e->addr, e->family, e->port, dst, sizeof(dst));
	sg_format_addr(e->addr, e->family, addr, sizeof(addr));
	sg_iso_time(unix_time, when, sizeof(when));
	snprintf(family, sizeof(family), "ipv%u", e->family);
	sg_json_to_buf(&j, buf, len);
	sg_json_open(&j, '{');
	sg_json_kstr(&j, "time", when);
	sg_json_key(&j, "ts");
	sg_json_ms(&j, unix_time);
	sg_json_kstr(&j, "verdict", sg_verdict_name(e->verdict));
	sg_json_kuint(&j, "uid", e->uid);
	sg_json_kstr(&j, "user", user && *user ? user : NULL);
	sg_json_kuint(&j, "gid", e->gid);
	sg_json_kuint(&j, "pid", e->pid);
	sg_json_kuint(&j, "tid", e->tid);
	sg_json_key(&j, "comm");
	sg_json_stringn(&j, e->comm, SG_COMM_LEN);
	sg_json_kstr(&j, "dst", dst);
	sg_json_kstr(&j, "addr", addr);
	sg_json_kuint(&j, "port", e->port);
	sg_json_kstr(&j, "family", family);
	sg_json_kuint(&j, "cgroup_id", e->cgroup_id);
	sg_json_close(&j, '}');
}
