/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Writing a file that readers (node_exporter's textfile collector) see
 * either whole, old or new, never half-written. */
#ifndef SG_TEXTFILE_H
#define SG_TEXTFILE_H

#include <stdio.h>

/* Calls write(out, ctx) on a temporary file in path's directory, then
 * flushes, syncs, makes it 0644 and renames it over path. On any failure
 * the temporary file is removed and path is left as it was. 0, or -errno
 * with one line said naming path. */
int sg_write_atomic(const char *path, void (*write)(FILE *out, void *ctx), void *ctx);

#endif
