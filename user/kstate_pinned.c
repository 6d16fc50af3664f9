// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Program and map ids as fds, through the pins when the kernel refuses the
 * lookup by id (part of the kernel-state module, see kstate.h). Turning an
 * id into an fd needs CAP_SYS_ADMIN; opening a pin needs only access to the
 * file (and CAP_BPF where unprivileged BPF is disabled). Every object of a
 * loaded smtpguard is pinned, so a reader with CAP_BPF alone (an exporter,
 * the monitor unit) still reaches them: the pinned object whose id is the
 * one asked for is that object. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "common.h"
#include "kstate.h"
#include "pins.h"
#include "sysenv.h"

static char fallback_dir[SG_PATH_LEN];

void sg_kstate_pin_fallback(const char *pin_dir)
{
	snprintf(fallback_dir, sizeof(fallback_dir), "%s", pin_dir ? pin_dir : "");
}

/* The id of the object fd refers to, 0 when unreadable. */
static __u32 obj_id(int fd)
{
	struct bpf_prog_info info; /* id is the first field of prog and map info */
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* Program ids and map ids are two numberings: each kind looks only at its
 * own pins. */
static bool pin_is_prog(enum sg_pin p)
{
	return p == SG_PIN_PROG4 || p == SG_PIN_PROG6 || p == SG_PIN_EG_SOCK || p == SG_PIN_EG_SKB;
}

static bool pin_is_map(enum sg_pin p)
{
	return p >= SG_PIN_UIDS && !pin_is_prog(p);
}

/* The pin of the kind is_kind (or its staging name) holding object id; fd,
 * or -1 with errno EPERM (the lookup's own refusal) when none. */
static int from_pins(__u32 id, bool (*is_kind)(enum sg_pin))
{
	for (int p = 0; fallback_dir[0] && p < SG_PIN_COUNT; p++) {
		if (!is_kind((enum sg_pin)p))
			continue;
		for (int staged = 0; staged < 2; staged++) {
			int fd = staged ? sg_pin_open_staged(fallback_dir, (enum sg_pin)p)
					: sg_pin_open(fallback_dir, (enum sg_pin)p);

			if (fd < 0)
				continue;
			if (obj_id(fd) == id)
				return fd;
			close(fd);
		}
	}
	errno = EPERM;
	return -1;
}

int sg_kstate_prog_fd(__u32 id)
{
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd >= 0 || !sg_is_perm(errno))
		return fd;
	return from_pins(id, pin_is_prog);
}

int sg_kstate_map_fd(__u32 id)
{
	int fd = bpf_map_get_fd_by_id(id);

	if (fd >= 0 || !sg_is_perm(errno))
		return fd;
	fd = from_pins(id, pin_is_map);
	/* A map no pin holds is one only the programs use (the event
	 * budget's state): no reader needs it, so it reads as absent. A map a
	 * reader does need and cannot reach shows as missing where it is
	 * needed (the policy, the history), with its own error line. */
	if (fd < 0 && fallback_dir[0])
		errno = ENOENT;
	return fd;
}
