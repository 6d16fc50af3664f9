// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mountinfo lines: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] - FSTYPE
 * SOURCE SUPEROPTS" (proc(5)). The number of optional tags varies, so the
 * filesystem type is the first field after the lone "-".
 */
#include <string.h>
#include "mountinfo.h"

/* Copies field into out, undoing the kernel's octal escapes (\040 = ' '). */
static int unescape(const char *f, size_t flen, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < flen; i++) {
		char c = f[i];

		if (c == '\\' && i + 3 < flen &&
		    f[i + 1] >= '0' && f[i + 1] <= '3' && f[i + 2] >= '0' &&
		    f[i + 2] <= '7' && f[i + 3] >= '0' && f[i + 3] <= '7') {
			c = (char)((f[i + 1] - '0') * 64 + (f[i + 2] - '0') * 8 + (f[i + 3] - '0'));
			i += 3;
		}
		if (o + 1 >= outlen)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* Splits one line into at most max blank-separated fields. */
static int split(const char *line, size_t len, const char **f, size_t *fl, int max)
{
	int n = 0;
	size_t i = 0;

	while (i < len && n < max) {
		while (i < len && line[i] == ' ')
			i++;
		if (i >= len)
			break;
		f[n] = line + i;
		while (i < len && line[i] != ' ')
			i++;
		fl[n] = (size_t)(line + i - f[n]);
		n++;
	}
	return n;
}

int sg_find_mount(const char *mi, const char *fstype, char *out, size_t outlen,
		  int *root_is_slash)
{
	size_t tlen = strlen(fstype);

	while (*mi) {
		const char *nl = strchr(mi, '\n');
		size_t len = nl ? (size_t)(nl - mi) : strlen(mi);
		const char *f[64];
		size_t fl[64];
		int n = split(mi, len, f, fl, 64);

		for (int i = 6; i + 1 < n; i++) {
			if (fl[i] != 1 || f[i][0] != '-')
				continue;
			if (fl[i + 1] == tlen && !memcmp(f[i + 1], fstype, tlen) &&
			    !unescape(f[4], fl[4], out, outlen)) {
				if (root_is_slash)
					*root_is_slash = fl[3] == 1 && f[3][0] == '/';
				return 0;
			}
			break;
		}
		mi += len + (nl ? 1 : 0);
	}
	return -1;
}
