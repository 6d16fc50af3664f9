// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The policy maps: written into new maps by a load, read back from the
 * attached programs for status and reload (part of the kernel-state
 * module, see kstate.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "cleanup.h"
#include "common.h"
#include "kstate.h"

/* One BPF_MAP_UPDATE_BATCH for all ids (a reload with 10,000 users is one
 * syscall, not 10,000), falling back to single updates where the kernel
 * lacks batch operations (before 5.6). */
static int put_ids(int fd, const struct sg_ident *ids, unsigned n, const char *what,
		   char *err, size_t errlen)
{
	_cleanup_free_ __u32 *keys = NULL;
	_cleanup_free_ __u8 *vals = NULL;
	__u32 count = n;

	if (!n)
		return 0;
	keys = malloc(sizeof(*keys) * n);
	vals = malloc(n);
	if (!keys || !vals) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		keys[i] = ids[i].id;
		vals[i] = 1;
	}
	if (!bpf_map_update_batch(fd, keys, vals, &count, NULL))
		return 0;
	for (unsigned i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, &keys[i], &vals[i], BPF_ANY)) {
			snprintf(err, errlen, "cannot add %s %u to the kernel map: %s",
				 what, keys[i], strerror(errno));
			return -1;
		}
	return 0;
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

/* Keys of an allow-id map back into cfg. No names: the printers look them
 * up only when they print (reload and unload never need them). */
static void read_ids(int fd, struct sg_config *cfg, int kind)
{
	__u32 key, next, *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (kind == 0)
			sg_config_add_user(cfg, key, NULL);
		else
			sg_config_add_group(cfg, key, NULL);
	}
}

static void read_prefixes(int fd, struct sg_config *cfg, int kind)
{
	struct sg_prefix6 key, next; /* large enough for both key types */
	void *prev = NULL;
	int family = kind == 2 ? 4 : 6;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct sg_prefix p = { .family = (uint8_t)family, .len = (uint8_t)next.prefixlen };

		memcpy(p.addr, next.addr, family == 4 ? 4 : 16);
		sg_config_add_dst(cfg, &p);
		key = next;
		prev = &key;
	}
}

/* The allow maps: name, layout, reader (bit i of ks->maps_read: map i). */
static const struct {
	const char *base;
	struct sg_map_layout layout;
	void (*read)(int fd, struct sg_config *cfg, int kind);
} allow_maps[] = {
	{ "allow_uids", { BPF_MAP_TYPE_HASH, sizeof(__u32), 1, 0 }, read_ids },
	{ "allow_gids", { BPF_MAP_TYPE_HASH, sizeof(__u32), 1, 0 }, read_ids },
	{ "allow_dst4", { BPF_MAP_TYPE_LPM_TRIE, sizeof(struct sg_prefix4), 1, 0 }, read_prefixes },
	{ "allow_dst6", { BPF_MAP_TYPE_LPM_TRIE, sizeof(struct sg_prefix6), 1, 0 }, read_prefixes },
	/* issue 10 (kstate_acct.c) */
	{ "acct_dst", { BPF_MAP_TYPE_LPM_TRIE, sizeof(struct sg_acct_key),
			sizeof(struct sg_acct_val), 0 }, sg_kstate_read_acct },
	{ "cgroups", { BPF_MAP_TYPE_HASH, sizeof(__u64), sizeof(struct sg_cgroup_val), 0 },
	  sg_kstate_read_cgroups },
};

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = ((const struct sg_ident *)a)->id, y = ((const struct sg_ident *)b)->id;

	return (x > y) - (x < y);
}

struct read_ctx {
	struct sg_kstate *ks;
	__u32 prog_id;
	bool policy_only;
};

/* One map of an attached program into ks. 0 or -errno (said). */
static int read_one_map(int fd, const char *name, void *ctx)
{
	struct read_ctx *c = ctx;
	struct sg_kstate *ks = c->ks;
	char where[96];

	if (sg_map_is_rodata(name)) {
		/* an older loader's policy lacks the fields after cgroup_path */
		if (sg_read_policy_map(fd, &ks->policy) >= offsetof(struct sg_policy, pin_dir))
			ks->have_policy = true;
		return 0;
	}
	for (unsigned k = 0; !c->policy_only && k < ARRAY_LEN(allow_maps); k++) {
		if (!sg_map_is(name, allow_maps[k].base) || (ks->maps_read & (1u << k)))
			continue;
		snprintf(where, sizeof(where), "map '%s' of program %u", name, c->prog_id);
		if (sg_kmap_check(fd, &allow_maps[k].layout, where))
			return -EPROTO;
		allow_maps[k].read(fd, &ks->cfg, (int)k);
		ks->maps_read |= 1u << k;
	}
	return 0;
}

/* Rebuilds the policy from the maps the attached program uses (connect4
 * does not use the IPv6 maps, so both programs are read). 0, -ENOENT (the
 * program is gone), or -errno. */
int sg_read_prog_policy(__u32 prog_id, struct sg_kstate *ks, bool policy_only)
{
	struct read_ctx c = { .ks = ks, .prog_id = prog_id, .policy_only = policy_only };
	int rc = sg_prog_maps_each(prog_id, read_one_map, &c);

	/* qsort(NULL, 0, ...) is undefined: empty lists stay as they are */
	if (ks->cfg.nusers)
		qsort(ks->cfg.users, ks->cfg.nusers, sizeof(*ks->cfg.users), cmp_u32);
	if (ks->cfg.ngroups)
		qsort(ks->cfg.groups, ks->cfg.ngroups, sizeof(*ks->cfg.groups), cmp_u32);
	return rc;
}

static int names_pin_dir(int fd, const char *name, void *ctx)
{
	const char *pin_dir = ctx;
	struct sg_policy pol;

	if (!sg_map_is_rodata(name) ||
	    sg_read_policy_map(fd, &pol) < offsetof(struct sg_policy, pin_dir) + SG_PATH_LEN)
		return 0;
	return pol.pin_dir[0] && !strncmp(pol.pin_dir, pin_dir, SG_PATH_LEN);
}

/* Does a program with these maps use a policy (.rodata) naming pin_dir? */
bool sg_policy_names_pin_dir(const __u32 *map_ids, __u32 n, const char *pin_dir)
{
	return sg_maps_each(map_ids, n, names_pin_dir, (void *)pin_dir) > 0;
}
