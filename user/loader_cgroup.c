// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The cgroup a load attaches to, and that a reload stays on the cgroup the
 * running enforcement is on: two loads with one pin dir on two cgroups
 * would each believe the pins are theirs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "loader.h"
#include "sysenv.h"

int sg_loader_open_cgroup(struct load_ctx *lc)
{
	const char *dir = lc->args->cgroup;
	struct stat st;
	int rc;

	/* reload keeps the cgroup it is on unless told otherwise */
	if (!dir && lc->mode == SG_RELOAD && lc->old.have_policy)
		dir = lc->old.policy.cgroup_path;
	/* a cgroup named from outside (--cgroup, the running policy) that
	 * cannot be used is the user's to fix; the root is the host's */
	rc = sg_open_cgroup(dir, lc->cg_path, sizeof(lc->cg_path), &lc->cg_fd);
	if (rc)
		return dir ? SG_EXIT_USAGE : rc;
	/* On cgroup v2 the directory's inode number is the cgroup id. */
	if (fstat(lc->cg_fd, &st)) {
		rc = -errno;
		sg_err("cannot stat %s: %s", lc->cg_path, strerror(-rc));
		return rc;
	}
	lc->cg_id = (__u64)st.st_ino;
	return 0;
}

int sg_loader_same_cgroup(struct load_ctx *lc)
{
	__u64 old_id;

	if (!lc->was_loaded)
		return 0;
	old_id = lc->old.link[lc->old.link[0].present ? 0 : 1].cgroup_id;
	if (lc->cg_id == old_id)
		return 0;
	sg_err("already loaded on another cgroup (%s, id %llu) with pin dir %s: "
	       "unload first or use another --pin-dir",
	       lc->old.have_policy ? lc->old.policy.cgroup_path : "?",
	       (unsigned long long)old_id, lc->args->pin_dir);
	return -EEXIST;
}
