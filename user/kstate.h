/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Kernel state: writing a policy into maps, and reading back what the
 * attached programs actually enforce (for status). */
#ifndef SG_KSTATE_H
#define SG_KSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "config.h"

struct sg_link_state {
	bool present;      /* pinned and alive */
	int fd;
	__u32 link_id;
	__u32 prog_id;
	__u64 cgroup_id;
	__u32 attach_type;
};

struct sg_kstate {
	struct sg_link_state link[2]; /* [0] connect4, [1] connect6 */
	__u32 pinned_prog_id[2];
	bool have_policy;
	struct sg_policy policy;
	struct sg_config cfg;         /* rebuilt from the enforcing maps */
};

/* Writes users, groups and destinations of cfg into the given map fds. */
int sg_fill_policy_maps(const struct sg_config *cfg, int uids_fd, int gids_fd,
			int dst4_fd, int dst6_fd, char *err, size_t errlen);

/* Reads the links pinned in pin_dir and, when loaded, the policy of the
 * program attached to connect4. Returns 0 (loaded or not: see
 * sg_kstate_loaded) or -1 with err. */
int sg_read_kstate(const char *pin_dir, struct sg_kstate *ks, char *err, size_t errlen);
bool sg_kstate_loaded(const struct sg_kstate *ks);
void sg_kstate_free(struct sg_kstate *ks);

/* Fills li from a link fd. 0 or -1. */
int sg_link_state(int fd, struct sg_link_state *li);

#endif
