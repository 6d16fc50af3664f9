// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * unload: detach both links explicitly (BPF_LINK_DETACH, so a link held open
 * by some other process is detached too), then remove every pin and the pin
 * dir. Leftovers of an interrupted command are removed the same way.
 * With prog_attach, exactly our programs are detached from the cgroup (the
 * pinned ones, those whose pins are gone, and any leftovers recognised as
 * ours), nothing else; if that fails the pins stay and it is an error.
 */
#include <fcntl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "cleanup.h"
#include "commands.h"
#include "egress_detach.h"
#include "common.h"
#include "kstate.h"
#include "lock.h"
#include "pins.h"
#include "sysenv.h"

/* prog_attach: detach exactly our programs from the cgroup. Any failure
 * keeps the pins (so the programs can still be found) and is an error. */
static int detach_progs(const struct sg_kstate *ks, int *detached)
{
	_cleanup_close_ int cg_fd = open(ks->cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (cg_fd < 0) {
		sg_err("cannot open cgroup %s: %s; nothing detached, pins kept",
		       ks->cgroup_path, strerror(errno));
		return SG_EXIT_RUNTIME;
	}
	for (int i = 0; i < 2; i++) {
		for (unsigned k = 0; k < ks->link[i].nours; k++) {
			_cleanup_close_ int fd = sg_kstate_prog_fd(ks->link[i].ours[k]);

			if (fd >= 0 && !bpf_prog_detach2(fd, cg_fd, sg_hook_type(i))) {
				(*detached)++;
				sg_test_pause();
			} else if (errno != ENOENT) {
				int e = errno;

				sg_err("cannot detach %s program %u from %s: %s%s; pins kept",
				       i ? "connect6" : "connect4", ks->link[i].ours[k],
				       ks->cgroup_path, strerror(e),
				       sg_eperm_hint(fd < 0 ? SG_OP_FIND : SG_OP_ATTACH, e));
				rc = SG_EXIT_RUNTIME;
			}
		}
	}
	return rc;
}

static void detach_links(const struct sg_kstate *ks, int *detached)
{
	for (int i = 0; i < 2; i++) {
		if (ks->link[i].fd < 0)
			continue;
		if (bpf_link_detach(ks->link[i].fd) == 0) {
			(*detached)++;
			sg_test_pause();
		} else if (ks->link[i].present && errno != ENOLINK) {
			/* Pre-5.9 kernels lack LINK_DETACH; dropping the last
			 * reference (the pin) below detaches as well. */
			sg_warn("cannot detach %s link: %s; removing its pin instead",
				i ? "connect6" : "connect4", strerror(errno));
		}
	}
}

/* Every pin and the pin dir go, once nothing of ours is attached. */
static void remove_pins(const char *pin_dir)
{
	for (enum sg_pin pin = 0; pin < SG_PIN_COUNT; pin++)
		sg_pin_remove(pin_dir, pin);
	if (rmdir(pin_dir) && errno != ENOENT)
		sg_warn("pin dir %s not removed: %s", pin_dir, strerror(errno));
}

int sg_cmd_unload(const struct sg_args *args)
{
	_cleanup_kstate_ struct sg_kstate ks = SG_KSTATE_INIT;
	_cleanup_close_ int lock = -1;
	struct stat st;
	int rc, detached = 0;
	bool have_dir;

	if (sg_check_userns() || (lock = sg_lock()) < 0)
		return SG_EXIT_RUNTIME;
	/* Programs whose pins are gone are still attached: they are found on
	 * the cgroup (--cgroup, else the cgroup v2 root) by the pin dir they
	 * record. A state that cannot be read keeps every pin. */
	if ((rc = sg_kstate_read_for(args->pin_dir, args->cgroup, SG_KREAD_POLICY_ONLY, &ks)))
		return sg_kstate_exit(rc);
	have_dir = !stat(args->pin_dir, &st) && sg_pin_dir_usable(args->pin_dir);
	if (ks.method == SG_METHOD_PROG && (rc = detach_progs(&ks, &detached)))
		return rc;
	/* issue 14: the egress layer, wherever it is attached */
	if (sg_eg_detach(&ks, NULL, &detached)) {
		sg_err("egress programs stay attached: pins kept");
		return SG_EXIT_RUNTIME;
	}
	detach_links(&ks, &detached);
	if (have_dir)
		remove_pins(args->pin_dir);
	if (sg_kstate_loaded(&ks) || detached)
		printf("smtpguard: unloaded from %s\n",
		       ks.cgroup_path[0] ? ks.cgroup_path : "its cgroup");
	else if (have_dir)
		printf("smtpguard: not loaded (removed leftover pins in %s)\n", args->pin_dir);
	else
		printf("smtpguard: not loaded (no pin dir %s)\n", args->pin_dir);
	return SG_EXIT_OK;
}
