// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Issue 10's policy maps (part of the kernel-state module, see kstate.h):
 * the per-account destination trie and the allowed cgroups, written by a
 * load, read back into a config for status, and asked by whoever evaluates
 * the loaded policy (explain).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "cleanup.h"
#include "common.h"
#include "kstate.h"

static struct sg_acct_key acct_key(const struct sg_acct_dst *a, uint16_t port)
{
	struct sg_acct_key k = {
		.prefixlen = SG_ACCT_HDR_BITS + a->dst.len,
		.kind = a->group ? SG_ACCT_GID : SG_ACCT_UID,
		.family = a->dst.family,
		.port = port,
		.id = a->id,
	};

	memcpy(k.addr, a->dst.addr, a->dst.family == 4 ? 4 : 16);
	return k;
}

/* One trie entry per DEST and port: a port-less DEST once per guarded
 * port, so the program asks once. Into keys/vals, n of them. */
static unsigned acct_entries(const struct sg_config *cfg, struct sg_acct_key *keys,
			     struct sg_acct_val *vals)
{
	unsigned n = 0;

	for (unsigned i = 0; i < cfg->nacct; i++) {
		const struct sg_acct_dst *a = &cfg->acct[i];
		unsigned nports = a->port ? 1 : cfg->nports;

		for (unsigned p = 0; p < nports; p++, n++) {
			keys[n] = acct_key(a, a->port ? a->port : cfg->ports[p]);
			vals[n] = (struct sg_acct_val){ .line = a->line, .any_port = !a->port };
		}
	}
	return n;
}

/* One BPF_MAP_UPDATE_BATCH where the kernel has it for LPM tries (10,000
 * accounts are 40,000 entries: single updates cost a reload ~100 ms),
 * else one update per entry. */
static int put_acct(const struct sg_config *cfg, int fd, char *err, size_t errlen)
{
	unsigned long want = sg_config_acct_keys(cfg);
	_cleanup_free_ struct sg_acct_key *keys = NULL;
	_cleanup_free_ struct sg_acct_val *vals = NULL;
	__u32 count;

	if (!want)
		return 0;
	keys = calloc(want, sizeof(*keys));
	vals = calloc(want, sizeof(*vals));
	if (!keys || !vals) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	count = acct_entries(cfg, keys, vals);
	if (!bpf_map_update_batch(fd, keys, vals, &count, NULL))
		return 0;
	for (unsigned long i = 0; i < want; i++)
		if (bpf_map_update_elem(fd, &keys[i], &vals[i], BPF_ANY)) {
			snprintf(err, errlen, "cannot add account destination (line %u) "
				 "to the kernel map: %s", vals[i].line, strerror(errno));
			return -1;
		}
	return 0;
}

int sg_fill_acct_maps(const struct sg_config *cfg, int acct_fd, int cgroups_fd,
		      char *err, size_t errlen)
{
	if (put_acct(cfg, acct_fd, err, errlen))
		return -1;
	for (unsigned i = 0; i < cfg->ncgroups; i++) {
		const struct sg_cgroup_entry *c = &cfg->cgroups[i];
		struct sg_cgroup_val v = { .line = c->line, .level = c->level };
		__u64 id = c->id;

		snprintf(v.path, sizeof(v.path), "%s", c->path);
		if (bpf_map_update_elem(cgroups_fd, &id, &v, BPF_ANY)) {
			snprintf(err, errlen, "cannot add cgroup %s to the kernel map: %s",
				 c->path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* File order, then the entry's fields: the expanded copies of one
 * port-less DEST end up side by side. */
static int cmp_acct(const void *x, const void *y)
{
	const struct sg_acct_dst *a = x, *b = y;

	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->group != b->group)
		return a->group ? 1 : -1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return memcmp(&a->dst, &b->dst, sizeof(a->dst));
}

static void acct_unique(struct sg_config *cfg)
{
	unsigned n = 0;

	if (!cfg->nacct)
		return;
	qsort(cfg->acct, cfg->nacct, sizeof(*cfg->acct), cmp_acct);
	for (unsigned i = 0; i < cfg->nacct; i++)
		if (!n || cmp_acct(&cfg->acct[n - 1], &cfg->acct[i]))
			cfg->acct[n++] = cfg->acct[i];
	cfg->nacct = n;
}

void sg_kstate_read_acct(int fd, struct sg_config *cfg, int kind)
{
	struct sg_acct_key key, next;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct sg_acct_val v;
		struct sg_acct_dst a = {
			.group = next.kind == SG_ACCT_GID, .id = next.id,
			.dst = { .family = next.family,
				 .len = (uint8_t)(next.prefixlen - SG_ACCT_HDR_BITS) },
		};

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		memcpy(a.dst.addr, key.addr, sizeof(key.addr));
		a.port = v.any_port ? 0 : key.port;
		a.line = v.line;
		/* a port-less DEST is stored once per port: bounded by the
		 * map, deduplicated below */
		if (sg_config_add_acct(cfg, &a) && cfg->nacct >= SG_MAX_ACCT_DSTS) {
			acct_unique(cfg);
			sg_config_add_acct(cfg, &a);
		}
	}
	acct_unique(cfg);
	(void)kind;
}

static int cmp_cgroup(const void *x, const void *y)
{
	const struct sg_cgroup_entry *a = x, *b = y;

	return (a->line > b->line) - (a->line < b->line);
}

void sg_kstate_read_cgroups(int fd, struct sg_config *cfg, int kind)
{
	__u64 key, next, *prev = NULL;
	char msg[SG_ERRLEN];

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct sg_cgroup_val v;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		v.path[sizeof(v.path) - 1] = '\0';
		if (sg_config_add_cgroup(cfg, v.path, v.line, 0, msg, sizeof(msg)))
			continue;
		cfg->cgroups[cfg->ncgroups - 1].id = key;
		cfg->cgroups[cfg->ncgroups - 1].level = v.level;
	}
	if (cfg->ncgroups)
		qsort(cfg->cgroups, cfg->ncgroups, sizeof(*cfg->cgroups), cmp_cgroup);
	(void)kind;
}

static bool port_loaded(const struct sg_kstate *ks, uint16_t port)
{
	return ks->policy.ports[port / 64] & (1ULL << (port % 64));
}

const struct sg_acct_dst *sg_kstate_acct_allows(const struct sg_kstate *ks, bool group,
						uint32_t id, uint8_t family,
						const uint8_t *addr, uint16_t port)
{
	/* the program asks only on a guarded port */
	if (!ks->have_policy || !port_loaded(ks, port))
		return NULL;
	return sg_acct_match(ks->cfg.acct, ks->cfg.nacct, group, id, family, addr, port);
}

const struct sg_cgroup_entry *sg_kstate_cgroup_allows(const struct sg_kstate *ks,
						      const uint64_t *ids, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < ks->cfg.ncgroups; j++)
			if (ids[i] && ks->cfg.cgroups[j].id == ids[i])
				return &ks->cfg.cgroups[j];
	return NULL;
}

int sg_cgroup_ancestry(const char *root, const char *path, uint64_t *ids, unsigned max,
		       unsigned *n)
{
	char full[2 * SG_PATH_LEN + 8];
	size_t rootlen = strcmp(root, "/") ? strlen(root) : 0;
	struct stat st;

	*n = 0;
	if (path[0] != '/' || rootlen + strlen(path) >= sizeof(full))
		return -EINVAL;
	memcpy(full, root, rootlen);
	/* every prefix of path that ends at a '/' or at its end */
	for (size_t i = 1; ; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		memcpy(full + rootlen, path, i);
		full[rootlen + i] = '\0';
		if (stat(full, &st))
			return -errno;
		if (*n < max)
			ids[(*n)++] = (uint64_t)st.st_ino;
		if (!path[i] || !path[i + 1])
			break;
	}
	return 0;
}
