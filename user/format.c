// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "format.h"
#include "smtpguard.h"

void sg_format_addr(const __u8 addr[16], __u8 family, char *buf, size_t len)
{
	if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

void sg_format_dst(const __u8 addr[16], __u8 family, __u16 port, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	sg_format_addr(addr, family, a, sizeof(a));
	snprintf(buf, len, family == 4 ? "%s:%u" : "[%s]:%u", a, port);
}

void sg_clean_comm(const char *comm, char *out, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && i < SG_COMM_LEN && comm[i]; i++) {
		unsigned char c = (unsigned char)comm[i];

		out[i] = (c <= ' ' || c >= 0x7f || c == '"' || c == '\\' || c == '=') ? '?' : (char)c;
	}
	out[i] = '\0';
}

const char *sg_verdict_name(__u8 verdict)
{
	switch (verdict) {
	case SG_VERDICT_REFUSED: return "refused";
	case SG_VERDICT_AUDITED: return "audited";
	case SG_VERDICT_REDIRECTED: return "redirected";
	case SG_VERDICT_DROPPED: return "dropped"; /* issue 14 */
	default: return "unknown";
	}
}

void sg_iso_time(double t, char *buf, size_t len)
{
	/* Rounded to the millisecond by the very "%.3f" of the JSON "ts", so
	 * the two agree (a truncated time disagreed by 1 ms in half the
	 * events). */
	char num[48], date[32], zone[8], *frac;
	struct tm tm;
	time_t s;

	snprintf(num, sizeof(num), "%.3f", t);
	s = (time_t)strtoll(num, &frac, 10);
	localtime_r(&s, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(buf, len, "%s%.4s%s", date, *frac == '.' ? frac : ".000", zone);
}

void sg_wall_time(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;

	if (t <= 0 || !localtime_r(&s, &tm))
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}
