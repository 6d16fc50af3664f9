// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "event_format.h"
#include "stats_report.h"

void sg_iso_time(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;
	char date[32], zone[8];

	localtime_r(&s, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(buf, len, "%s.%03d%s", date, (int)((t - (double)s) * 1000) % 1000, zone);
}

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

/* JSON-escapes s (at most n bytes) into out. */
static void json_esc(const char *s, size_t n, char *out, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < n && s[i] && o + 7 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			/* comm is raw bytes: keep the JSON valid UTF-8 */
			o += (size_t)snprintf(out + o, len - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
}

void sg_event_json(const struct sg_event *e, const char *user, double unix_time,
		   char *buf, size_t len)
{
	char dst[64], addr[INET6_ADDRSTRLEN] = "?", comm[SG_COMM_LEN * 6 + 1];
	char uname[SG_COMM_LEN * 24], when[48], userj[SG_COMM_LEN * 24 + 2];

	sg_format_dst(e->addr, e->family, e->port, dst, sizeof(dst));
	inet_ntop(e->family == 4 ? AF_INET : AF_INET6, e->addr, addr, sizeof(addr));
	json_esc(e->comm, SG_COMM_LEN, comm, sizeof(comm));
	sg_iso_time(unix_time, when, sizeof(when));
	if (user && *user) {
		json_esc(user, strlen(user), uname, sizeof(uname));
		snprintf(userj, sizeof(userj), "\"%s\"", uname);
	} else {
		snprintf(userj, sizeof(userj), "null");
	}
	snprintf(buf, len,
		 "{\"time\":\"%s\",\"ts\":%.3f,\"verdict\":\"%s\",\"uid\":%u,\"user\":%s,"
		 "\"gid\":%u,\"pid\":%u,\"tid\":%u,\"comm\":\"%s\",\"dst\":\"%s\",\"addr\":\"%s\","
		 "\"port\":%u,\"family\":\"ipv%u\",\"cgroup_id\":%llu}",
		 when, unix_time, sg_verdict_name(e->verdict), e->uid, userj, e->gid, e->pid,
		 e->tid, comm, dst, addr, e->port, e->family, (unsigned long long)e->cgroup_id);
}
