/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Reading a whole small text file (/proc files included, whose size stat
 * does not tell). */
#ifndef SG_READFILE_H
#define SG_READFILE_H

#include <stddef.h>

/* The contents of the regular file at path, NUL-terminated, in a buffer the
 * caller frees; its length in *len (may be NULL). NULL when it cannot be
 * opened or read, is not a regular file, or holds more than max bytes. */
char *sg_read_text(const char *path, size_t max, size_t *len);

#endif
