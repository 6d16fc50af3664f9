// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "log_follow.h"

int sg_follow_open(struct sg_follow *f, const char *path, enum sg_follow_from from)
{
	struct stat st;

	f->len = 0;
	if (path != f->path)
		snprintf(f->path, sizeof(f->path), "%s", path);
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0 || fstat(f->fd, &st)) {
		int rc = -errno;

		sg_follow_close(f);
		return rc;
	}
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	if (from == SG_FOLLOW_END)
		lseek(f->fd, 0, SEEK_END);
	else if (from == SG_FOLLOW_TAIL && st.st_size > SG_FOLLOW_TAIL_BYTES)
		lseek(f->fd, st.st_size - SG_FOLLOW_TAIL_BYTES, SEEK_SET);
	return 0;
}

/* Whole lines of what read() gives now. */
static int drain(struct sg_follow *f, void (*line)(void *ctx, const char *text), void *ctx)
{
	int lines = 0;
	ssize_t n;

	while ((n = read(f->fd, f->buf + f->len, sizeof(f->buf) - 1 - f->len)) > 0) {
		char *start = f->buf, *nl;

		f->len += (size_t)n;
		f->buf[f->len] = '\0';
		while ((nl = memchr(start, '\n', f->len - (size_t)(start - f->buf)))) {
			*nl = '\0';
			line(ctx, start);
			lines++;
			start = nl + 1;
		}
		f->len -= (size_t)(start - f->buf);
		memmove(f->buf, start, f->len);
		if (f->len == sizeof(f->buf) - 1)
			f->len = 0; /* no line is this long: not ours, drop it */
	}
	return lines;
}

int sg_follow_read(struct sg_follow *f, void (*line)(void *ctx, const char *text), void *ctx)
{
	struct stat now, mine;
	int lines;

	if (f->fd < 0)
		return sg_follow_open(f, f->path, SG_FOLLOW_START) ? 0 : sg_follow_read(f, line, ctx);
	lines = drain(f, line, ctx);
	if (!fstat(f->fd, &mine) && lseek(f->fd, 0, SEEK_CUR) > mine.st_size) {
		/* cut short (copytruncate): from its start */
		lseek(f->fd, 0, SEEK_SET);
		f->len = 0;
		lines += drain(f, line, ctx);
	}
	if (stat(f->path, &now) || (now.st_dev == f->dev && now.st_ino == f->ino))
		return lines;
	/* rotated: what the writer put in the old file before it moved on,
	 * then the new file from its start */
	lines += drain(f, line, ctx);
	sg_follow_close(f);
	if (!sg_follow_open(f, f->path, SG_FOLLOW_START))
		lines += drain(f, line, ctx);
	return lines;
}

void sg_follow_close(struct sg_follow *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	f->len = 0;
}
