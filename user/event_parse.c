// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "event_parse.h"

struct cursor {
	const char *p;
};

static void ws(struct cursor *c)
{
	while (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n')
		c->p++;
}

static int hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char h = p[i];
		unsigned d = h >= '0' && h <= '9' ? (unsigned)(h - '0')
			   : h >= 'a' && h <= 'f' ? (unsigned)(h - 'a' + 10)
			   : h >= 'A' && h <= 'F' ? (unsigned)(h - 'A' + 10) : 16u;

		if (d > 15)
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

/* Appends code point v as UTF-8, except \u00A0-\u00FF, which json.h
 * writes only for a byte that was not UTF-8: that byte. (\u0080-\u009F
 * may be either a C1 control or such a byte; as the control, written
 * again it is the same escape.) Returns bytes written, 0 when it does
 * not fit. */
static size_t put_cp(unsigned v, char *out, size_t room)
{
	if ((v < 0x80 || (v >= 0xa0 && v < 0x100)) && room >= 1) {
		out[0] = (char)v;
		return 1;
	}
	if (v < 0x800 && room >= 2) {
		out[0] = (char)(0xc0 | v >> 6);
		out[1] = (char)(0x80 | (v & 0x3f));
		return 2;
	}
	if (v >= 0x800 && room >= 3) {
		out[0] = (char)(0xe0 | v >> 12);
		out[1] = (char)(0x80 | ((v >> 6) & 0x3f));
		out[2] = (char)(0x80 | (v & 0x3f));
		return 3;
	}
	return 0;
}

/* A string literal into out (len > 0, cut to fit, NUL-terminated). */
static int string(struct cursor *c, char *out, size_t len)
{
	size_t o = 0;
	unsigned v;

	if (*c->p++ != '"')
		return -1;
	while (*c->p && *c->p != '"') {
		char ch = *c->p++;

		if (ch == '\\') {
			const char *esc = "\"\"\\\\//b\bf\fn\nr\rt\t", *m;

			ch = *c->p++;
			if (ch == 'u') {
				if (hex4(c->p, &v))
					return -1;
				c->p += 4;
				o += put_cp(v, out + o, len - 1 - o);
				continue;
			}
			for (m = esc; *m && *m != ch; m += 2)
				;
			if (!*m)
				return -1;
			ch = m[1];
		}
		if (o + 1 < len)
			out[o++] = ch;
	}
	out[o] = '\0';
	return *c->p++ == '"' ? 0 : -1;
}

/* A number, null, true or false: its text into out (null gives ""). */
static int scalar(struct cursor *c, char *out, size_t len)
{
	size_t n = strspn(c->p, "0123456789+-.eEnulltrufas");

	if (!n || n >= len)
		return -1;
	memcpy(out, c->p, n);
	out[n] = '\0';
	c->p += n;
	if (!strcmp(out, "null"))
		out[0] = '\0';
	return 0;
}

static unsigned long long num(const char *s)
{
	return strtoull(s, NULL, 10);
}

/* One member into the record. Unknown keys are ignored (a newer writer). */
static void take(struct sg_parsed_event *pe, const char *key, const char *val)
{
	struct sg_event *e = &pe->ev;

	if (!strcmp(key, "ts"))
		pe->unix_time = strtod(val, NULL);
	else if (!strcmp(key, "verdict"))
		e->verdict = !strcmp(val, "audited") ? SG_VERDICT_AUDITED
			   : !strcmp(val, "redirected") ? SG_VERDICT_REDIRECTED : SG_VERDICT_REFUSED;
	else if (!strcmp(key, "uid"))
		e->uid = (__u32)num(val);
	else if (!strcmp(key, "gid"))
		e->gid = (__u32)num(val);
	else if (!strcmp(key, "pid"))
		e->pid = (__u32)num(val);
	else if (!strcmp(key, "tid"))
		e->tid = (__u32)num(val);
	else if (!strcmp(key, "port"))
		e->port = (__u16)num(val);
	else if (!strcmp(key, "cgroup_id"))
		e->cgroup_id = num(val);
	else if (!strcmp(key, "family"))
		e->family = !strcmp(val, "ipv6") ? 6 : 4;
	else if (!strcmp(key, "addr"))
		inet_pton(strchr(val, ':') ? AF_INET6 : AF_INET, val, e->addr);
	else if (!strcmp(key, "comm")) {
		/* a full 16-byte name has no NUL; a shorter one is padded
		 * (also over a key given twice) */
		memset(e->comm, 0, SG_COMM_LEN);
		memcpy(e->comm, val, strnlen(val, SG_COMM_LEN));
	} else if (!strcmp(key, "user"))
		snprintf(pe->user, sizeof(pe->user), "%s", val);
	else if (!strcmp(key, "exe"))
		snprintf(pe->attrib.exe, sizeof(pe->attrib.exe), "%s", val);
	else if (!strcmp(key, "cwd"))
		snprintf(pe->attrib.cwd, sizeof(pe->attrib.cwd), "%s", val);
	else if (!strcmp(key, "cgroup"))
		snprintf(pe->attrib.cgroup, sizeof(pe->attrib.cgroup), "%s", val);
}

int sg_event_parse(const char *line, struct sg_parsed_event *out)
{
	struct cursor c = { line };
	char key[32], val[4 * SG_PATH_LEN];
	bool any = false;

	memset(out, 0, sizeof(*out));
	ws(&c);
	if (*c.p++ != '{')
		return -1;
	for (;;) {
		ws(&c);
		if (*c.p == '}' && !any)
			break;
		if (string(&c, key, sizeof(key)))
			return -1;
		ws(&c);
		if (*c.p++ != ':')
			return -1;
		ws(&c);
		if (*c.p == '"' ? string(&c, val, sizeof(val)) : scalar(&c, val, sizeof(val)))
			return -1;
		take(out, key, val);
		any = true;
		ws(&c);
		if (*c.p == ',') {
			c.p++;
			continue;
		}
		if (*c.p != '}')
			return -1;
		break;
	}
	c.p++;
	ws(&c);
	/* an object without these is not an event line */
	/* a time the writer can write again (no year 5000 and beyond) */
	return *c.p || !out->ev.family || !isfinite(out->unix_time) || out->unix_time < 1 ||
	       out->unix_time >= 1e11 ? -1 : 0;
}
