// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The bpf_link strategy, made only with the SMTPGUARD_FORCE_LINK test knob
 * (and kept for loads over smtpguard 0.1's links, see loader_attach_prog.c
 * for their migration). A reload swaps the program under each existing
 * link with BPF_LINK_UPDATE, and puts it back the same way; a first load
 * creates the links and pins them once both hooks are attached, so a failed
 * one leaves nothing attached (an unpinned link dies with its fd).
 */
#include <errno.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "cleanup.h"
#include "loader.h"

static int link_hook(struct load_ctx *lc, int i)
{
	const struct sg_link_state *l = &lc->old.link[i];
	struct sg_hook_swap *sw = &lc->swap[i];
	int fd = sg_new_prog_fd(lc, i);

	if (l->present && l->attach_type == sg_hook_type(i)) {
		sw->old_prog = bpf_prog_get_fd_by_id(l->prog_id);
		if (!bpf_link_update(l->fd, fd, NULL)) {
			sw->updated = true;
			sg_test_pause();
			return 0;
		}
		/* ENOLINK: the link was detached (its cgroup is gone): make
		 * a new one */
		if (errno != ENOLINK) {
			sw->update_failed = true;
			return -errno;
		}
	}
	sw->new_link = bpf_link_create(fd, lc->cg_fd, sg_hook_type(i), NULL);
	if (sw->new_link < 0)
		return -errno;
	sg_test_pause();
	return 0;
}

static int link_undo(struct load_ctx *lc, int i)
{
	struct sg_hook_swap *sw = &lc->swap[i];

	if (sw->new_link >= 0) {
		close(sw->new_link); /* not pinned yet: the link dies */
		sw->new_link = -1;
	} else if (sw->updated) {
		LIBBPF_OPTS(bpf_link_update_opts, back, .flags = BPF_F_REPLACE,
			    .old_prog_fd = sg_new_prog_fd(lc, i));

		if (sw->old_prog < 0)
			return -ENOENT;
		if (bpf_link_update(lc->old.link[i].fd, sw->old_prog, &back))
			return -errno;
	}
	sw->done = false;
	sg_test_pause();
	return 0;
}

/* New links are pinned (at once: both hooks run the new programs). */
static int link_finish(struct load_ctx *lc)
{
	for (int i = 0; i < 2; i++) {
		int rc;

		if (lc->swap[i].new_link < 0)
			continue;
		rc = sg_loader_pin_now(lc, i ? SG_PIN_LINK6 : SG_PIN_LINK4, lc->swap[i].new_link);
		if (rc && !lc->was_loaded) {
			/* closing the unpinned links detaches them */
			for (int k = 0; k < 2; k++) {
				sg_closep(&lc->swap[k].new_link);
				lc->swap[k].new_link = -1;
			}
			sg_loader_unpin(lc);
		}
		if (rc)
			return rc;
	}
	return 0;
}

const struct sg_attach_ops sg_attach_link = {
	.hook = link_hook,
	.undo = link_undo,
	.finish = link_finish,
};
