// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The temporary file lives in the target's directory, since rename() is
 * atomic only within one filesystem; its name starts with '.' and does not
 * end in ".prom", so the textfile collector never reads a half-written one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"
#include "textfile.h"

/* dir/.base.XXXXXX for mkstemp. */
static int temp_name(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path) + 1 : 0;

	return snprintf(buf, len, "%.*s.%s.XXXXXX", dirlen, path, slash ? slash + 1 : path) <
	       (int)len ? 0 : -ENAMETOOLONG;
}

int sg_write_atomic(const char *path, void (*write)(FILE *out, void *ctx), void *ctx)
{
	char tmp[4096];
	FILE *out;
	int fd, e = 0;

	if (temp_name(path, tmp, sizeof(tmp))) {
		sg_err("cannot write %s: %s", path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	if ((fd = mkstemp(tmp)) < 0 || !(out = fdopen(fd, "w"))) {
		e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		sg_err("cannot create a temporary file beside %s: %s", path, strerror(e));
		return -e;
	}
	write(out, ctx);
	if (fflush(out) || ferror(out) || fsync(fd) || fchmod(fd, 0644))
		e = errno ? errno : EIO;
	if (fclose(out) && !e)
		e = errno;
	if (!e && rename(tmp, path))
		e = errno;
	if (e) {
		unlink(tmp);
		sg_err("cannot write %s: %s", path, strerror(e));
		return -e;
	}
	return 0;
}
