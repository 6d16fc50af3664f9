// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "common.h"
#include "kstate.h"
#include "pins.h"
#include "sysenv.h"

/* One BPF_MAP_UPDATE_BATCH for all ids (a reload with 10,000 users is one
 * syscall, not 10,000), falling back to single updates where the kernel
 * lacks batch operations (before 5.6). */
static int put_ids(int fd, const struct sg_ident *ids, unsigned n, const char *what,
		   char *err, size_t errlen)
{
	__u32 *keys, count = n;
	__u8 *vals;
	int rc = 0;

	if (!n)
		return 0;
	keys = malloc(sizeof(*keys) * n);
	vals = malloc(n);
	if (!keys || !vals) {
		free(keys);
		free(vals);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		keys[i] = ids[i].id;
		vals[i] = 1;
	}
	if (bpf_map_update_batch(fd, keys, vals, &count, NULL)) {
		for (unsigned i = 0; i < n && !rc; i++)
			if (bpf_map_update_elem(fd, &keys[i], &vals[i], BPF_ANY)) {
				snprintf(err, errlen, "cannot add %s %u to the kernel map: %s",
					 what, keys[i], strerror(errno));
				rc = -1;
			}
	}
	free(keys);
	free(vals);
	return rc;
}

int sg_fill_policy_maps(const struct sg_config *cfg, int uids_fd, int gids_fd,
			int dst4_fd, int dst6_fd, char *err, size_t errlen)
{
	__u8 one = 1;

	if (put_ids(uids_fd, cfg->users, cfg->nusers, "uid", err, errlen) ||
	    put_ids(gids_fd, cfg->groups, cfg->ngroups, "gid", err, errlen))
		return -1;
	for (unsigned i = 0; i < cfg->ndsts; i++) {
		const struct sg_prefix *p = &cfg->dsts[i];
		struct sg_prefix4 k4 = { .prefixlen = p->len };
		struct sg_prefix6 k6 = { .prefixlen = p->len };
		int rc;

		if (p->family == 4) {
			memcpy(k4.addr, p->addr, 4);
			rc = bpf_map_update_elem(dst4_fd, &k4, &one, BPF_ANY);
		} else {
			memcpy(k6.addr, p->addr, 16);
			rc = bpf_map_update_elem(dst6_fd, &k6, &one, BPF_ANY);
		}
		if (rc) {
			snprintf(err, errlen, "cannot add a destination to the kernel map: %s",
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

int sg_link_state(int fd, struct sg_link_state *li)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	li->fd = fd;
	li->link_id = info.id;
	li->prog_id = info.prog_id;
	li->cgroup_id = info.cgroup.cgroup_id;
	li->attach_type = info.cgroup.attach_type;
	/* A link whose cgroup was removed is defunct: prog_id stays but
	 * cgroup_id reads 0. */
	li->present = info.type == BPF_LINK_TYPE_CGROUP && li->cgroup_id != 0;
	return 0;
}

__u32 sg_read_policy_map(int fd, struct sg_policy *pol)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info), zero = 0, size = 0;
	char *buf;

	memset(pol, 0, sizeof(*pol));
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.value_size)
		return 0;
	buf = calloc(1, info.value_size);
	if (buf && !bpf_map_lookup_elem(fd, &zero, buf)) {
		size = info.value_size;
		memcpy(pol, buf, size < sizeof(*pol) ? size : sizeof(*pol));
	}
	free(buf);
	return size;
}

/* Id of the program or map pinned at pin (its staging name if staged), 0
 * when none. Both info structs start with type and id, so one query serves. */
static __u32 pinned_id(const char *dir, enum sg_pin pin, bool staged)
{
	union {
		struct bpf_prog_info prog;
		struct bpf_map_info map;
	} info;
	__u32 len = sizeof(info), id = 0;
	int fd = staged ? sg_pin_open_staged(dir, pin) : sg_pin_open(dir, pin);

	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		id = info.prog.id;
	close(fd);
	return id;
}

/* Keys of an allow-id map back into cfg. No names: the printers look them
 * up only when they print (reload and unload never need them). */
static void read_ids(int fd, struct sg_config *cfg, bool users)
{
	__u32 key, next, *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (users)
			sg_config_add_user(cfg, key, NULL);
		else
			sg_config_add_group(cfg, key, NULL);
	}
}

static void read_prefixes(int fd, struct sg_config *cfg, int family)
{
	struct sg_prefix6 key, next; /* large enough for both key types */
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct sg_prefix p = { .family = (uint8_t)family, .len = (uint8_t)next.prefixlen };

		memcpy(p.addr, next.addr, family == 4 ? 4 : 16);
		sg_config_add_dst(cfg, &p);
		key = next;
		prev = &key;
	}
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = ((const struct sg_ident *)a)->id, y = ((const struct sg_ident *)b)->id;

	return (x > y) - (x < y);
}

/* Rebuilds the policy from the maps the attached programs use (connect4
 * does not use the IPv6 maps, so both are read); seen avoids reading a
 * map twice. */
static int read_prog_policy(__u32 prog_id, struct sg_kstate *ks, unsigned *seen, bool policy_only)
{
	__u32 map_ids[16], len;
	struct bpf_prog_info pinfo;
	int pfd = bpf_prog_get_fd_by_id(prog_id);

	if (pfd < 0)
		return -1;
	memset(&pinfo, 0, sizeof(pinfo));
	pinfo.nr_map_ids = ARRAY_LEN(map_ids);
	pinfo.map_ids = (__u64)(unsigned long)map_ids;
	len = sizeof(pinfo);
	if (bpf_obj_get_info_by_fd(pfd, &pinfo, &len)) {
		close(pfd);
		return -1;
	}
	close(pfd);
	for (__u32 i = 0; i < pinfo.nr_map_ids && i < ARRAY_LEN(map_ids); i++) {
		struct bpf_map_info minfo;
		__u32 mlen = sizeof(minfo);
		int fd = bpf_map_get_fd_by_id(map_ids[i]);
		size_t nl;

		if (fd < 0)
			continue;
		memset(&minfo, 0, sizeof(minfo));
		if (bpf_obj_get_info_by_fd(fd, &minfo, &mlen)) {
			close(fd);
			continue;
		}
		nl = strlen(minfo.name);
		if (policy_only && !(nl > 7 && !strcmp(minfo.name + nl - 7, ".rodata"))) {
			close(fd);
			continue;
		}
		if (sg_map_is(minfo.name, "allow_uids") && !(*seen & 1)) {
			read_ids(fd, &ks->cfg, true);
			*seen |= 1;
		} else if (sg_map_is(minfo.name, "allow_gids") && !(*seen & 2)) {
			read_ids(fd, &ks->cfg, false);
			*seen |= 2;
		} else if (sg_map_is(minfo.name, "allow_dst4") && !(*seen & 4)) {
			read_prefixes(fd, &ks->cfg, 4);
			*seen |= 4;
		} else if (sg_map_is(minfo.name, "allow_dst6") && !(*seen & 8)) {
			read_prefixes(fd, &ks->cfg, 6);
			*seen |= 8;
		} else if (nl > 7 && !strcmp(minfo.name + nl - 7, ".rodata") &&
			   sg_read_policy_map(fd, &ks->policy) >= offsetof(struct sg_policy, pin_dir)) {
			ks->have_policy = true;
		}
		close(fd);
	}
	/* qsort(NULL, 0, ...) is undefined: empty lists stay as they are */
	if (ks->cfg.nusers)
		qsort(ks->cfg.users, ks->cfg.nusers, sizeof(*ks->cfg.users), cmp_u32);
	if (ks->cfg.ngroups)
		qsort(ks->cfg.groups, ks->cfg.ngroups, sizeof(*ks->cfg.groups), cmp_u32);
	return 0;
}

bool sg_map_is(const char *name, const char *base)
{
	/* maps are named sg_<base>; history maps created by smtpguard 0.1 and
	 * reused since keep their old name, <base> */
	return !strcmp(name, base) || (!strncmp(name, "sg_", 3) && !strcmp(name + 3, base));
}

__u32 sg_hook_type(int hook)
{
	return hook ? BPF_CGROUP_INET6_CONNECT : BPF_CGROUP_INET4_CONNECT;
}

const char *sg_method_name(enum sg_method m)
{
	switch (m) {
	case SG_METHOD_LINK: return "bpf_link";
	case SG_METHOD_PROG: return "prog_attach";
	default: return "none";
	}
}

/* Does the program use a policy (.rodata) that names pin_dir? */
static bool policy_names_pin_dir(const __u32 *map_ids, __u32 n, const char *pin_dir)
{
	struct sg_policy pol;
	bool match = false;

	for (__u32 i = 0; i < n && !match; i++) {
		struct bpf_map_info minfo;
		__u32 mlen = sizeof(minfo);
		int fd = bpf_map_get_fd_by_id(map_ids[i]);
		size_t nl;

		if (fd < 0)
			continue;
		memset(&minfo, 0, sizeof(minfo));
		nl = !bpf_obj_get_info_by_fd(fd, &minfo, &mlen) ? strlen(minfo.name) : 0;
		if (nl > 7 && !strcmp(minfo.name + nl - 7, ".rodata") &&
		    sg_read_policy_map(fd, &pol) >= offsetof(struct sg_policy, pin_dir) + SG_PATH_LEN)
			match = pol.pin_dir[0] && !strncmp(pol.pin_dir, pin_dir, SG_PATH_LEN);
		close(fd);
	}
	return match;
}

/* Is the attached program id one of ours? Ours are named sg_connect4/6 and
 * either share the pinned stats map or record this pin dir in their policy
 * (which still works when every pin is gone). Another smtpguard on the same
 * cgroup with another pin dir is not ours. */
static bool looks_ours(__u32 id, int hook, __u32 stats_map_id, const char *pin_dir)
{
	struct bpf_prog_info info;
	__u32 map_ids[16], len = sizeof(info), n;
	bool ours = false;
	int fd;

	if ((fd = bpf_prog_get_fd_by_id(id)) < 0)
		return false;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = ARRAY_LEN(map_ids);
	info.map_ids = (__u64)(unsigned long)map_ids;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
	    !strcmp(info.name, hook ? "sg_connect6" : "sg_connect4")) {
		n = info.nr_map_ids < ARRAY_LEN(map_ids) ? info.nr_map_ids : ARRAY_LEN(map_ids);
		for (__u32 i = 0; i < n; i++)
			if (stats_map_id && map_ids[i] == stats_map_id)
				ours = true;
		if (!ours && pin_dir)
			ours = policy_names_pin_dir(map_ids, n, pin_dir);
	}
	close(fd);
	return ours;
}

void sg_find_ours(int cg_fd, int hook, const struct sg_kstate *ks, __u32 stats_map_id,
		  const char *pin_dir, struct sg_link_state *li)
{
	__u32 ids[64], cnt = ARRAY_LEN(ids), flags = 0;
	struct stat st;

	li->nours = 0;
	li->present = false;
	li->prog_id = 0;
	li->link_id = 0;
	li->attach_type = sg_hook_type(hook);
	if (!fstat(cg_fd, &st))
		li->cgroup_id = (__u64)st.st_ino;
	if (bpf_prog_query(cg_fd, sg_hook_type(hook), 0, &flags, ids, &cnt))
		return;
	for (__u32 i = 0; i < cnt && li->nours < SG_MAX_OURS; i++) {
		__u32 id = ids[i];

		if (id != ks->pinned_prog_id[hook] && id != ks->staged_prog_id[hook] &&
		    !looks_ours(id, hook, stats_map_id, pin_dir))
			continue;
		li->ours[li->nours++] = id;
		/* the pinned program is the current one; a staged one is
		 * newer than any other leftover */
		if (id == ks->pinned_prog_id[hook] ||
		    (id == ks->staged_prog_id[hook] && li->prog_id != ks->pinned_prog_id[hook]) ||
		    !li->prog_id)
			li->prog_id = id;
	}
	li->present = li->nours > 0;
}

/* The cgroup to query for prog_attach programs: the one recorded in our
 * (pinned or staged) program's policy, else the caller's hint (--cgroup, or
 * the cgroup v2 root when the pins are gone). */
static void prog_attach_cgroup(const char *cg_hint, struct sg_kstate *ks)
{
	struct sg_kstate tmp;
	__u32 pid = 0;
	unsigned seen = 0;

	for (int i = 0; i < 2 && !pid; i++)
		pid = ks->pinned_prog_id[i] ? ks->pinned_prog_id[i] : ks->staged_prog_id[i];
	if (pid) {
		memset(&tmp, 0, sizeof(tmp));
		read_prog_policy(pid, &tmp, &seen, true);
		sg_config_free(&tmp.cfg);
		if (tmp.have_policy && tmp.policy.cgroup_path[0]) {
			snprintf(ks->cgroup_path, sizeof(ks->cgroup_path), "%s",
				 tmp.policy.cgroup_path);
			return;
		}
	}
	if (cg_hint)
		snprintf(ks->cgroup_path, sizeof(ks->cgroup_path), "%s", cg_hint);
}

/* prog_attach: the programs of ours are found by querying the cgroup. */
static void read_prog_attach(const char *pin_dir, const char *cg_hint, struct sg_kstate *ks)
{
	__u32 stats_id;
	int cg_fd;

	prog_attach_cgroup(cg_hint, ks);
	if (!ks->cgroup_path[0])
		return;
	cg_fd = open(ks->cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg_fd < 0)
		return;
	stats_id = pinned_id(pin_dir, SG_PIN_STATS, false);
	for (int i = 0; i < 2; i++) {
		int fd = ks->link[i].fd;

		sg_find_ours(cg_fd, i, ks, stats_id, pin_dir, &ks->link[i]);
		ks->link[i].fd = fd;
		if (ks->link[i].present) {
			ks->method = SG_METHOD_PROG;
			if (ks->link[i].prog_id != ks->pinned_prog_id[i] &&
			    ks->link[i].prog_id != ks->staged_prog_id[i])
				ks->pins_missing = true;
		}
	}
	close(cg_fd);
}

int sg_read_kstate(const char *pin_dir, const char *cg_hint, struct sg_kstate *ks,
		   char *err, size_t errlen)
{
	unsigned seen = 0;

	memset(ks, 0, sizeof(*ks));
	ks->link[0].fd = ks->link[1].fd = -1;
	for (int i = 0; i < 2; i++) {
		int fd = sg_pin_open(pin_dir, i ? SG_PIN_LINK6 : SG_PIN_LINK4);
		int open_errno = errno;

		if (fd < 0 && (open_errno == EACCES || open_errno == EPERM)) {
			snprintf(err, errlen, "cannot read pins in %s: %s%s",
				 pin_dir, strerror(open_errno), sg_eperm_hint(SG_OP_PIN, open_errno));
			return -1;
		}
		ks->pinned_prog_id[i] = pinned_id(pin_dir, i ? SG_PIN_PROG6 : SG_PIN_PROG4, false);
		ks->staged_prog_id[i] = pinned_id(pin_dir, i ? SG_PIN_PROG6 : SG_PIN_PROG4, true);
		if (fd < 0)
			continue;
		if (sg_link_state(fd, &ks->link[i]))
			close(fd);
		else if (ks->link[i].present)
			ks->method = SG_METHOD_LINK;
	}
	ks->staging_left = sg_pin_staging_left(pin_dir, false);
	if (ks->method != SG_METHOD_LINK)
		read_prog_attach(pin_dir, cg_hint, ks);
	snprintf(ks->cfg.source, sizeof(ks->cfg.source), "kernel");
	for (int i = 0; i < 2; i++)
		if (ks->link[i].present)
			read_prog_policy(ks->link[i].prog_id, ks, &seen, false);
	if (ks->have_policy) {
		sg_policy_to_config(&ks->policy, &ks->cfg);
		if (!ks->cgroup_path[0])
			snprintf(ks->cgroup_path, sizeof(ks->cgroup_path), "%s",
				 ks->policy.cgroup_path);
	}
	return 0;
}

bool sg_kstate_loaded(const struct sg_kstate *ks)
{
	return ks->link[0].present && ks->link[1].present;
}

void sg_kstate_free(struct sg_kstate *ks)
{
	for (int i = 0; i < 2; i++)
		if (ks->link[i].fd >= 0)
			close(ks->link[i].fd);
	sg_config_free(&ks->cfg);
}
