// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The default attach strategy: BPF_PROG_ATTACH + BPF_F_ALLOW_MULTI, with the
 * programs pinned. Such an attachment belongs to the cgroup, so removing the
 * pins or unmounting the bpffs does not end enforcement (a bpf_link would
 * die with its last pin). Where exactly one program of ours is attached, the
 * new one takes its place with BPF_F_REPLACE, one atomic swap (Linux 5.6+);
 * else it is attached beside the old ones, which are detached only once
 * both hooks run the new programs: until then a connect must pass both,
 * stricter for a moment, never looser, and putting a hook back is detaching
 * the new program.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cleanup.h"
#include "loader.h"

static int prog_hook(struct load_ctx *lc, int i)
{
	const struct sg_link_state *l = &lc->old.link[i];
	struct sg_hook_swap *sw = &lc->swap[i];
	LIBBPF_OPTS(bpf_prog_attach_opts, opts, .flags = BPF_F_ALLOW_MULTI);
	int fd = sg_new_prog_fd(lc, i);

	if (l->present && l->nours == 1)
		sw->old_prog = bpf_prog_get_fd_by_id(l->ours[0]);
	if (sw->old_prog >= 0) {
		LIBBPF_OPTS(bpf_prog_attach_opts, ropts, .flags = BPF_F_ALLOW_MULTI | BPF_F_REPLACE,
			    .replace_prog_fd = sw->old_prog);

		sw->replaced = !bpf_prog_attach_opts(fd, lc->cg_fd, sg_hook_type(i), &ropts);
		sg_test_pause();
	}
	if (!sw->replaced && bpf_prog_attach_opts(fd, lc->cg_fd, sg_hook_type(i), &opts))
		return -errno;
	sg_test_pause();
	return 0;
}

static int prog_undo(struct load_ctx *lc, int i)
{
	struct sg_hook_swap *sw = &lc->swap[i];
	int fd = sg_new_prog_fd(lc, i);

	if (sw->replaced) {
		LIBBPF_OPTS(bpf_prog_attach_opts, back, .flags = BPF_F_ALLOW_MULTI | BPF_F_REPLACE,
			    .replace_prog_fd = fd);

		if (bpf_prog_attach_opts(sw->old_prog, lc->cg_fd, sg_hook_type(i), &back))
			return -errno;
	} else if (bpf_prog_detach2(fd, lc->cg_fd, sg_hook_type(i))) {
		return -errno;
	}
	sw->done = false;
	sg_test_pause();
	return 0;
}

/* Detaches the program with this id from hook i of the cgroup. */
static int detach_prog_id(int cg_fd, int i, __u32 id)
{
	_cleanup_close_ int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return -errno;
	return bpf_prog_detach2(fd, cg_fd, sg_hook_type(i)) ? -errno : 0;
}

/* The old programs (and leftovers of an interrupted command) go. */
static void detach_old_progs(struct load_ctx *lc, int i)
{
	const struct sg_link_state *l = &lc->old.link[i];

	for (unsigned k = 0; k < l->nours; k++) {
		int e;

		if (lc->swap[i].replaced && l->ours[k] == l->ours[0])
			continue;
		if ((e = detach_prog_id(lc->cg_fd, i, l->ours[k])) && e != -ENOENT)
			sg_warn("cannot detach old %s program %u: %s", sg_hook_name(i), l->ours[k],
				strerror(-e));
		sg_test_pause();
	}
}

/* Migrating from links (smtpguard 0.1): the new programs judge now, so the
 * old links go. */
static void drop_old_links(struct load_ctx *lc)
{
	for (int i = 0; i < 2; i++) {
		int fd = lc->old.link[i].fd;

		if (fd >= 0 && bpf_link_detach(fd) && errno != ENOLINK)
			sg_warn("cannot detach the old %s link: %s; removing its pin",
				sg_hook_name(i), strerror(errno));
		sg_pin_remove(lc->args->pin_dir, i ? SG_PIN_LINK6 : SG_PIN_LINK4);
	}
}

static int prog_finish(struct load_ctx *lc)
{
	for (int i = 0; i < 2; i++)
		detach_old_progs(lc, i);
	if (lc->old.method == SG_METHOD_LINK)
		drop_old_links(lc);
	return 0;
}

const struct sg_attach_ops sg_attach_prog = {
	.hook = prog_hook,
	.undo = prog_undo,
	.finish = prog_finish,
};
