// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cleanup.h"
#include "readfile.h"

char *sg_read_text(const char *path, size_t max, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t cap = 4096, n = 0;
	struct stat st;
	ssize_t got;

	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || !(buf = malloc(cap)))
		return NULL;
	/* grow as it comes: a /proc file's stat size is 0 */
	while ((got = read(fd, buf + n, cap - n - 1)) > 0) {
		n += (size_t)got;
		if (n > max)
			return NULL;
		if (n + 1 == cap) {
			char *more = realloc(buf, cap *= 2);

			if (!more)
				return NULL;
			buf = more;
		}
	}
	if (got < 0)
		return NULL;
	buf[n] = '\0';
	if (len)
		*len = n;
	return sg_take_ptr(&buf);
}
