// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* issue 14: detaching the egress layer's programs that kstate found on
 * their cgroups (unload, and a load once the new ones are attached). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "cleanup.h"
#include "common.h"
#include "egress_detach.h"
#include "pins.h"

/* Detaches program id from hook h of cgroup cg. 0, or -errno (ENOENT: it
 * is gone already). */
static int detach_id(int cg, int h, __u32 id)
{
	_cleanup_close_ int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return -errno;
	return bpf_prog_detach2(fd, cg, sg_eg_hook_type(h)) ? -errno : 0;
}

int sg_eg_detach(const struct sg_kstate *ks, const __u32 keep[2], int *detached)
{
	int rc = 0;

	for (unsigned i = 0; i < ks->eg.n; i++) {
		const struct sg_eg_at *at = &ks->eg.at[i];
		char full[SG_PATH_LEN * 2];
		_cleanup_close_ int cg = -1;

		if (!at->nsock && !at->nskb)
			continue;
		snprintf(full, sizeof(full), "%s%s", ks->eg.root, at->path);
		if ((cg = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			sg_err("cannot open cgroup %s: %s; its egress programs stay", full,
			       strerror(errno));
			rc = -errno;
			continue;
		}
		for (int h = 0; h < 2; h++)
			for (unsigned k = 0; k < (h ? at->nskb : at->nsock); k++) {
				__u32 id = h ? at->skb[k] : at->sock[k];
				int e;

				if (keep && id == keep[h])
					continue;
				if (!(e = detach_id(cg, h, id))) {
					(*detached)++;
					sg_test_pause();
				} else if (e != -ENOENT) {
					sg_err("cannot detach the %s program %u from %s: %s",
					       h ? "egress" : "sock_create", id, full, strerror(-e));
					rc = e;
				}
			}
	}
	return rc;
}

void sg_eg_unpin(const char *pin_dir)
{
	for (enum sg_pin p = SG_PIN_EG_SOCK; p <= SG_PIN_EG_STATS; p++)
		sg_pin_remove(pin_dir, p);
}
