// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <stdio.h>
#include "event_format.h"
#include "json.h"

/* A path as one token of a log line: a space, quote, backslash, '=' or a
 * byte outside printable ASCII becomes \xNN, so the line stays one line and
 * splits on blanks the same way whatever the path holds. */
static void path_token(const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; *s && o + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c >= 0x7f || c == '"' || c == '\\' || c == '=')
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

/* " key=value" for a non-empty attribution field, at p within buf. */
static size_t add_field(char *buf, size_t len, size_t p, const char *key, const char *val)
{
	char tok[4 * SG_PATH_LEN + 1];

	if (!val || !*val || p >= len)
		return p;
	path_token(val, tok, sizeof(tok));
	p += (size_t)snprintf(buf + p, len - p, " %s=%s", key, tok);
	return p < len ? p : len;
}

void sg_event_line(const struct sg_event *e, const char *user, const struct sg_attrib *a,
		   char *buf, size_t len)
{
	char dst[64], comm[SG_COMM_LEN + 1], who[96];
	int n;
	size_t p;

	sg_format_dst(e->addr, e->family, e->port, dst, sizeof(dst));
	sg_clean_comm(e->comm, comm, sizeof(comm));
	if (user && *user)
		snprintf(who, sizeof(who), "%u(%s)", e->uid, user);
	else
		snprintf(who, sizeof(who), "%u", e->uid);
	n = snprintf(buf, len, "%s uid=%s pid=%u comm=%s dst=%s family=ipv%u gid=%u tid=%u cgroup=%llu",
		     sg_verdict_name(e->verdict), who, e->pid, comm, dst, e->family, e->gid, e->tid,
		     (unsigned long long)e->cgroup_id);
	if (!a || n < 0 || (size_t)n >= len)
		return;
	p = add_field(buf, len, (size_t)n, "cgroup_path", a->cgroup);
	p = add_field(buf, len, p, "exe", a->exe);
	add_field(buf, len, p, "cwd", a->cwd);
}

/* An attribution field: its text, or null when unknown. */
static void kpath(struct sg_json *j, const char *key, const char *val)
{
	sg_json_kstr(j, key, val && *val ? val : NULL);
}

void sg_event_json(const struct sg_event *e, const char *user, double unix_time,
		   const struct sg_attrib *a, char *buf, size_t len)
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
	/* issue 10: attribution, best effort (null when not known) */
	kpath(&j, "cgroup", a ? a->cgroup : NULL);
	kpath(&j, "exe", a ? a->exe : NULL);
	kpath(&j, "cwd", a ? a->cwd : NULL);
	sg_json_close(&j, '}');
}
