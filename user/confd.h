/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Issue 10: the drop-in directory conf.d beside the config file in use.
 * Hosting panels and configuration management put files there instead of
 * editing the main file; they are read after it, in lexical order. */
#ifndef SG_CONFD_H
#define SG_CONFD_H

#include <stddef.h>

/* "<dir of config_path>/conf.d" into buf ("./conf.d" for a bare name). */
void sg_confd_dir(const char *config_path, char *buf, size_t len);

/* Does a directory entry name a drop-in? "*.conf", not hidden (editors and
 * package managers leave ".x.conf.swp"-like names; a bare ".conf" is
 * hidden too). Pure, for the unit tests. */
int sg_confd_wanted(const char *name);

/* The drop-ins of dir as full paths, sorted bytewise (the same order in
 * every locale), in *out (free with sg_confd_free). A missing directory is
 * no drop-ins: 0 with *n = 0. Anything else that cannot be read: -1 with
 * "DIR: cannot read the conf.d directory: <strerror>" in err. */
int sg_confd_list(const char *dir, char ***out, unsigned *n, char *err, size_t errlen);
void sg_confd_free(char **paths, unsigned n);

#endif
