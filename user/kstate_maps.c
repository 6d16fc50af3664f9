// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A program's maps by name, and the layout check every map passes before
 * anything reads it (part of the kernel-state module, see kstate.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "cleanup.h"
#include "common.h"
#include "kstate.h"
#include "sysenv.h"

bool sg_map_is(const char *name, const char *base)
{
	/* maps are named sg_<base>; history maps created by smtpguard 0.1 and
	 * reused since keep their old name, <base> */
	return !strcmp(name, base) || (!strncmp(name, "sg_", 3) && !strcmp(name + 3, base));
}

bool sg_map_is_rodata(const char *name)
{
	size_t nl = strlen(name);

	/* libbpf names it "<object prefix>.rodata", truncated to fit */
	return nl > 7 && !strcmp(name + nl - 7, ".rodata");
}

int sg_kstate_err_op(int e, int op, const char *fmt, ...)
{
	char msg[SG_ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sg_err("%s: %s%s", msg, strerror(e), op < 0 ? "" : sg_eperm_hint((enum sg_op)op, e));
	return -e;
}

/* The ids of the maps program prog_id uses. -ENOENT when the program is
 * gone (detached and freed meanwhile: not an error to say). */
int sg_prog_map_ids(__u32 prog_id, __u32 *ids, __u32 max, __u32 *n)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	_cleanup_close_ int fd = sg_kstate_prog_fd(prog_id);

	if (fd < 0)
		return errno == ENOENT ? -ENOENT
				       : sg_kstate_find_err(errno, "cannot open BPF program %u", prog_id);
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = max;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return sg_kstate_err(errno, "cannot read BPF program %u", prog_id);
	*n = info.nr_map_ids < max ? info.nr_map_ids : max;
	return 0;
}

/* Opens map id and gives its name. fd, or -ENOENT when it is gone (not
 * said), or -errno (said). */
static int map_open_id(__u32 id, char *name, size_t namelen)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	_cleanup_close_ int fd = sg_kstate_map_fd(id);

	if (fd < 0)
		return errno == ENOENT ? -ENOENT : sg_kstate_err(errno, "cannot open BPF map %u", id);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return sg_kstate_err(errno, "cannot read BPF map %u", id);
	snprintf(name, namelen, "%s", info.name);
	return sg_take_fd(&fd);
}

int sg_maps_each(const __u32 *ids, __u32 n, int (*fn)(int fd, const char *name, void *ctx),
		 void *ctx)
{
	int rc = 0;

	for (__u32 i = 0; !rc && i < n; i++) {
		char name[BPF_OBJ_NAME_LEN];
		_cleanup_close_ int fd = map_open_id(ids[i], name, sizeof(name));

		if (fd == -ENOENT)
			continue;
		if (fd < 0)
			return fd;
		rc = fn(fd, name, ctx);
	}
	return rc;
}

int sg_prog_maps_each(__u32 prog_id, int (*fn)(int fd, const char *name, void *ctx), void *ctx)
{
	__u32 ids[16], n = 0;
	int rc = sg_prog_map_ids(prog_id, ids, ARRAY_LEN(ids), &n);

	return rc ? rc : sg_maps_each(ids, n, fn, ctx);
}

struct find_map {
	const char *base;
	int fd;
};

static int match_map(int fd, const char *name, void *ctx)
{
	struct find_map *f = ctx;

	if (!sg_map_is(name, f->base))
		return 0;
	f->fd = dup(fd);
	return f->fd < 0 ? sg_kstate_err(errno, "cannot duplicate a map fd") : 1;
}

/* The map "sg_<base>" (or 0.1's "<base>") of program prog_id: where the
 * pins are gone, counters and history are taken from the program itself.
 * 0 with *fd, -ENOENT when it has none, else -errno (said). */
int sg_prog_map_open(__u32 prog_id, const char *base, int *fd)
{
	struct find_map f = { .base = base, .fd = -1 };
	int rc = sg_prog_maps_each(prog_id, match_map, &f);

	if (rc < 0)
		return rc;
	if (!rc)
		return -ENOENT;
	*fd = f.fd;
	return 0;
}

__u32 sg_read_policy_map(int fd, struct sg_policy *pol)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info), zero = 0;
	_cleanup_free_ char *buf = NULL;

	memset(pol, 0, sizeof(*pol));
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.value_size ||
	    info.type != BPF_MAP_TYPE_ARRAY || info.key_size != sizeof(__u32))
		return 0;
	buf = calloc(1, info.value_size);
	if (!buf || bpf_map_lookup_elem(fd, &zero, buf))
		return 0;
	memcpy(pol, buf, info.value_size < sizeof(*pol) ? info.value_size : sizeof(*pol));
	return info.value_size;
}

int sg_kmap_check(int fd, const struct sg_map_layout *want, const char *where)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	const char *field = NULL;
	__u32 have = 0, expect = 0;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return where ? sg_kstate_err(errno, "cannot read %s", where) : -errno;
	if (info.type != want->type)
		field = "type", have = info.type, expect = want->type;
	else if (info.key_size != want->key_size)
		field = "key size", have = info.key_size, expect = want->key_size;
	else if (info.value_size != want->value_size)
		field = "value size", have = info.value_size, expect = want->value_size;
	else if (want->max_entries && info.max_entries != want->max_entries)
		field = "max entries", have = info.max_entries, expect = want->max_entries;
	if (!field)
		return 0;
	if (where)
		sg_err("%s has %s %u, this smtpguard expects %u (made by another version?); "
		       "'smtpguard load' replaces it", where, field, have, expect);
	return -EPROTO;
}
