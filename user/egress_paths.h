/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* issue 14: the cgroups of config key egress_guard. Pure (unit-tested),
 * except sg_eg_resolve, which asks the file system whether they exist. */
#ifndef SG_EGRESS_PATHS_H
#define SG_EGRESS_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include "config.h"

/* A config token to its normal form: "all" is "/", else an absolute path
 * below the cgroup v2 root, no "." or ".." part, no doubled or trailing
 * slash. 0, or -1 with what is wrong in msg. */
int sg_eg_path_norm(const char *tok, char *out, size_t len, char *msg, size_t msglen);
/* a is b or lies below it. */
bool sg_eg_path_within(const char *a, const char *b);
/* Adds a normal path to cfg (config line line): -1 with msg when it is
 * listed twice, lies inside another one, or the limit is hit. */
int sg_eg_add(struct sg_config *cfg, const char *path, unsigned line, unsigned file,
	      char *msg, size_t msglen);
/* "p1 p2 ..." for sg_policy.egress_guard; "" for none. */
void sg_eg_join(const struct sg_config *cfg, char *buf, size_t len);
/* The reverse, for status: fills cfg's paths (line 0). */
void sg_eg_split(const char *joined, size_t len, struct sg_config *cfg);

/* Drops (with a "FILE:LINE: warning: ... (skipped)" line) or, when strict,
 * refuses (the first missing one, "FILE:LINE: ..." in err, -1) the paths
 * that do not exist below root, the cgroup v2 mount. */
int sg_eg_resolve(struct sg_config *cfg, const char *root, bool strict, char *err,
		  size_t errlen);

#endif
