// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The offender walk (part of the kernel-state module, see kstate.h). The
 * offenders map is an LRU hash the programs insert into while we read: a
 * get_next_key walk restarts from the first key when the key it stands on
 * is evicted, and lists UIDs twice. So: BPF_MAP_LOOKUP_BATCH (bucket by
 * bucket, Linux 5.6+), the get_next_key walk only where the kernel lacks
 * it, and each UID kept once either way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "cleanup.h"
#include "common.h"
#include "kstate.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* kernel-internal, but bpf() can return it */
#endif

#define BATCH 1024

static bool batch_unsupported(int e)
{
	return e == EINVAL || e == EOPNOTSUPP || e == ENOTSUPP || e == ENOSYS;
}

/* Room for want more records in *out. 0 or -ENOMEM. */
static int grow(struct sg_offender_kv **out, unsigned *cap, unsigned n, unsigned want)
{
	struct sg_offender_kv *p;
	unsigned c = *cap ? *cap : BATCH;

	while (c < n + want)
		c *= 2;
	if (c == *cap)
		return 0;
	/* zeroed: valgrind does not see the kernel fill what it returns */
	if (!(p = realloc(*out, sizeof(*p) * c)))
		return -ENOMEM;
	memset(p + *cap, 0, sizeof(*p) * (c - *cap));
	*out = p;
	*cap = c;
	return 0;
}

/* Batch lookup. 0, -EOPNOTSUPP where the kernel has no batch operations
 * (nothing read yet), or -errno. */
static int walk_batch(int fd, unsigned max, struct sg_offender_kv **out, unsigned *cap,
		      unsigned *n)
{
	_cleanup_free_ __u32 *keys = calloc(SG_MAX_OFFENDERS, sizeof(*keys));
	_cleanup_free_ struct sg_offender *vals = calloc(BATCH, sizeof(*vals));
	__u32 in = 0, token = 0, chunk = BATCH;
	bool first = true;

	if (!keys || !vals)
		return -ENOMEM;
	while (*n < max) {
		__u32 count = chunk;
		int rc = bpf_map_lookup_batch(fd, first ? NULL : &in, &token, keys, vals,
					      &count, NULL) ? -errno : 0;

		if (rc == -ENOSPC && chunk < SG_MAX_OFFENDERS) {
			/* one bucket holds more than chunk: ask for more */
			struct sg_offender *v = realloc(vals, sizeof(*v) * chunk * 2);

			if (!v)
				return -ENOMEM;
			vals = v;
			memset(vals + chunk, 0, sizeof(*v) * chunk);
			chunk *= 2;
			continue;
		}
		if (rc && rc != -ENOENT)
			return first && batch_unsupported(-rc) ? -EOPNOTSUPP : rc;
		if (count > max - *n)
			count = max - *n;
		if (grow(out, cap, *n, count))
			return -ENOMEM;
		for (__u32 i = 0; i < count; i++) {
			(*out)[*n].uid = keys[i];
			(*out)[(*n)++].rec = vals[i];
		}
		if (rc == -ENOENT) /* that was the last bucket */
			break;
		in = token;
		first = false;
	}
	return 0;
}

/* The get_next_key walk, bounded: an eviction sends it back to the start. */
static int walk_keys(int fd, unsigned max, struct sg_offender_kv **out, unsigned *cap,
		     unsigned *n)
{
	__u32 key, next, *prev = NULL;
	unsigned steps = 0;

	while (*n < max && steps++ < 4 * max && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (grow(out, cap, *n, 1))
			return -ENOMEM;
		if (bpf_map_lookup_elem(fd, &key, &(*out)[*n].rec))
			continue; /* evicted meanwhile */
		(*out)[(*n)++].uid = key;
	}
	return 0;
}

static int cmp_uid(const void *a, const void *b)
{
	__u32 x = ((const struct sg_offender_kv *)a)->uid, y = ((const struct sg_offender_kv *)b)->uid;

	return (x > y) - (x < y);
}

/* Each UID once (which of two reads of one UID stays does not matter:
 * both are the same record a moment apart). */
static unsigned dedup(struct sg_offender_kv *kv, unsigned n)
{
	unsigned w = 0;

	if (n)
		qsort(kv, n, sizeof(*kv), cmp_uid);
	for (unsigned i = 0; i < n; i++) {
		if (w && kv[w - 1].uid == kv[i].uid)
			w--;
		kv[w++] = kv[i];
	}
	return w;
}

int sg_history_offenders(int fd, unsigned max, struct sg_offender_kv **out, unsigned *n)
{
	unsigned cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (max > SG_MAX_OFFENDERS)
		max = SG_MAX_OFFENDERS;
	rc = walk_batch(fd, max, out, &cap, n);
	if (rc == -EOPNOTSUPP)
		rc = walk_keys(fd, max, out, &cap, n);
	if (rc) {
		sg_err("cannot read the offender records: %s", strerror(-rc));
		free(*out);
		*out = NULL;
		*n = 0;
		return rc;
	}
	*n = dedup(*out, *n);
	return 0;
}
