// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Swapping both hooks, or neither. connect4 and connect6 are two
 * attachments the kernel cannot swap in one step: when the second fails
 * after the first was swapped, the first is put back to its old program, so
 * both keep enforcing the old policy (and the pins, still staged, keep
 * describing it). One line says what failed and where that leaves the
 * hooks; only when putting back fails too does a hook run the new policy,
 * and the line says that and how to repair it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "loader.h"
#include "sysenv.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* kernel-internal, but bpf() can return it */
#endif

const char *sg_hook_name(int i)
{
	return i ? "connect6" : "connect4";
}

int sg_new_prog_fd(const struct load_ctx *lc, int i)
{
	return bpf_program__fd(i ? lc->skel->progs.sg_connect6 : lc->skel->progs.sg_connect4);
}

/* Test knob SMTPGUARD_TEST_FAIL_ATTACH=connect4|connect6: attaching that
 * hook fails as if the kernel refused it, so the rollback can be tested. */
static bool test_fail(int i)
{
	const char *v = getenv("SMTPGUARD_TEST_FAIL_ATTACH");

	return v && !strcmp(v, sg_hook_name(i));
}

static bool link_unsupported(int err)
{
	return err == EINVAL || err == EOPNOTSUPP || err == ENOTSUPP || err == ENOSYS;
}

static int attach_hook(struct load_ctx *lc, const struct sg_attach_ops **ops, int i)
{
	int rc;

	if (test_fail(i))
		return -EPERM;
	rc = (*ops)->hook(lc, i);
	if (rc && *ops == &sg_attach_link && i == 0 && !lc->was_loaded && link_unsupported(-rc)) {
		/* No bpf_link for cgroups (before Linux 5.7): the programs
		 * are pinned already, attach them directly. */
		lc->method = SG_METHOD_PROG;
		*ops = &sg_attach_prog;
		rc = (*ops)->hook(lc, i);
	}
	return rc;
}

/* The one line for a failed attach of hook i: the cause, then where the
 * hooks are now (undo_rc: how putting the other hook back went). */
static void say_failed(const struct load_ctx *lc, int i, int rc, bool undone, int undo_rc)
{
	const char *knob = test_fail(i) ? " (SMTPGUARD_TEST_FAIL_ATTACH)" : "";
	const char *other = sg_hook_name(!i);
	char cause[SG_ERRLEN];

	if (lc->swap[i].update_failed)
		snprintf(cause, sizeof(cause), "cannot update the %s link: %s%s", sg_hook_name(i),
			 strerror(-rc), knob);
	else
		snprintf(cause, sizeof(cause), "cannot attach to %s (%s): %s%s%s", lc->cg_path,
			 sg_hook_name(i), strerror(-rc), knob,
			 *knob ? "" : sg_eperm_hint(SG_OP_ATTACH, -rc));
	if (undone && undo_rc && lc->was_loaded)
		sg_err("%s; putting %s back failed too (%s): %s enforces the new policy, %s the "
		       "old one; run 'smtpguard load' to repair", cause, other, strerror(-undo_rc),
		       other, sg_hook_name(i));
	else if (undone && undo_rc)
		sg_err("%s; detaching %s again failed too (%s): only %s is enforced; run "
		       "'smtpguard load' to repair", cause, other, strerror(-undo_rc), other);
	else if (undone && lc->was_loaded)
		sg_err("%s; %s is back on its old program: the old policy stays in force", cause,
		       other);
	else
		sg_err("%s; %s", cause, lc->was_loaded ? "the old policy stays in force"
						       : "nothing is attached");
}

int sg_loader_attach(struct load_ctx *lc)
{
	const struct sg_attach_ops *ops =
		lc->method == SG_METHOD_LINK ? &sg_attach_link : &sg_attach_prog;

	for (int i = 0; i < 2; i++) {
		int rc = attach_hook(lc, &ops, i), undo_rc = 0;
		bool undo = i == 1 && lc->swap[0].done;

		if (!rc) {
			lc->swap[i].done = true;
			continue;
		}
		if (undo)
			undo_rc = ops->undo(lc, 0);
		say_failed(lc, i, rc, undo, undo_rc);
		/* Nothing new is attached: the pins stay as they were. (If
		 * putting back failed, the staged pins keep the new program
		 * findable for the repairing load.) */
		if (!undo_rc)
			sg_loader_unpin(lc);
		return rc;
	}
	return ops->finish(lc);
}
