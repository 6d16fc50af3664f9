/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Scope-bound release of fds and buffers (__attribute__((cleanup)), as
 * systemd's _cleanup_close_/_cleanup_free_): an early return cannot leak.
 *   _cleanup_close_ int fd = -1;   closed at scope exit when >= 0
 *   _cleanup_free_ char *buf = NULL; freed at scope exit
 * Hand a value out of the scope with sg_take_fd()/sg_take_ptr(). */
#ifndef SG_CLEANUP_H
#define SG_CLEANUP_H

#include <stdlib.h>
#include <unistd.h>

static inline void sg_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void sg_freep(void *p)
{
	free(*(void **)p);
}

#define _cleanup_close_ __attribute__((cleanup(sg_closep)))
#define _cleanup_free_ __attribute__((cleanup(sg_freep)))

static inline int sg_take_fd(int *fd)
{
	int v = *fd;

	*fd = -1;
	return v;
}

static inline void *sg_take_ptr(void *p)
{
	void *v = *(void **)p;

	*(void **)p = NULL;
	return v;
}

#endif
