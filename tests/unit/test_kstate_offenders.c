// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests of the offender walk (user/kstate_offenders.c) against a fake
 * LRU map: the bpf() calls it makes are replaced here. The fake evicts the
 * key a get_next_key walk stands on (as the kernel's LRU does under
 * inserts), which sends such a walk back to the first key: the walk must
 * still list each UID once. The batch path must return every record, in
 * chunks, also when the kernel asks for a bigger buffer (ENOSPC). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kstate_offenders.c"
#include "tap.h"

#define FAKE_MAX 8192

static struct {
	__u32 uid[FAKE_MAX];
	unsigned n;
	__u32 next_uid;       /* the next UID an insert adds */
	bool batch;           /* the "kernel" has batch operations */
	unsigned evict_every; /* get_next_key: evict the current key every N calls, */
	unsigned evictions;   /* this many times */
	unsigned calls;
	unsigned enospc;      /* batch: refuse this many first calls with ENOSPC */
	bool dup_in_batch;    /* batch: list the first key of a chunk twice */
} fake;

static void fake_fill(unsigned n)
{
	memset(&fake, 0, sizeof(fake));
	for (unsigned i = 0; i < n; i++)
		fake.uid[fake.n++] = 1000 + i;
	fake.next_uid = 1000 + n;
}

static int find(__u32 uid)
{
	for (unsigned i = 0; i < fake.n; i++)
		if (fake.uid[i] == uid)
			return (int)i;
	return -1;
}

/* The kernel's LRU: the least recently used record goes, a new one comes. */
static void evict(unsigned at)
{
	memmove(&fake.uid[at], &fake.uid[at + 1], sizeof(__u32) * (fake.n - at - 1));
	fake.uid[fake.n - 1] = fake.next_uid++;
}

static void rec_of(__u32 uid, struct sg_offender *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->count = uid * 3u;
}

int bpf_map_get_next_key(int fd, const void *key, void *next)
{
	int at = key ? find(*(const __u32 *)key) : -1;

	if (key && fake.evictions && ++fake.calls % fake.evict_every == 0 && at >= 0) {
		fake.evictions--;
		evict((unsigned)at);
		at = -1; /* the key is gone: the kernel answers with the first */
	}
	if (at + 1 >= (int)fake.n)
		return errno = ENOENT, -ENOENT;
	*(__u32 *)next = fake.uid[at + 1];
	return 0;
}

int bpf_map_lookup_elem(int fd, const void *key, void *value)
{
	if (find(*(const __u32 *)key) < 0)
		return errno = ENOENT, -ENOENT;
	rec_of(*(const __u32 *)key, value);
	return 0;
}

int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values,
			 __u32 *count, const struct bpf_map_batch_opts *opts)
{
	unsigned from = in_batch ? *(__u32 *)in_batch : 0, i = 0;

	if (!fake.batch)
		return errno = EINVAL, -EINVAL;
	if (fake.enospc) {
		fake.enospc--;
		*count = 0;
		return errno = ENOSPC, -ENOSPC;
	}
	for (; i < *count && from + i < fake.n; i++) {
		((__u32 *)keys)[i] = fake.uid[from + i];
		rec_of(fake.uid[from + i], &((struct sg_offender *)values)[i]);
	}
	if (fake.dup_in_batch && i > 1 && from) {
		((__u32 *)keys)[1] = ((__u32 *)keys)[0];
		((struct sg_offender *)values)[1] = ((struct sg_offender *)values)[0];
	}
	*count = i;
	*(__u32 *)out_batch = from + i;
	if (from + i >= fake.n)
		return errno = ENOENT, -ENOENT;
	return 0;
}

static bool unique_and_right(const struct sg_offender_kv *kv, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (i && kv[i].uid <= kv[i - 1].uid)
			return false;
		if (kv[i].rec.count != kv[i].uid * 3u)
			return false;
	}
	return true;
}

int main(void)
{
	struct sg_offender_kv *kv;
	unsigned n;

	fake_fill(3000);
	fake.batch = true;
	OK(sg_history_offenders(0, SG_MAX_OFFENDERS, &kv, &n) == 0 && n == 3000 &&
	   unique_and_right(kv, n), "batch: all 3000 records in chunks, each once");
	free(kv);

	fake_fill(3000);
	fake.batch = true;
	fake.enospc = 2;
	OK(sg_history_offenders(0, SG_MAX_OFFENDERS, &kv, &n) == 0 && n == 3000 &&
	   unique_and_right(kv, n), "batch: ENOSPC grows the buffer and goes on");
	free(kv);

	fake_fill(3000);
	fake.batch = true;
	fake.dup_in_batch = true;
	OK(sg_history_offenders(0, SG_MAX_OFFENDERS, &kv, &n) == 0 && unique_and_right(kv, n),
	   "batch: a UID listed twice is kept once");
	free(kv);

	fake_fill(2000);
	fake.evict_every = 500;
	fake.evictions = 3;
	OK(sg_history_offenders(0, SG_MAX_OFFENDERS, &kv, &n) == 0 && n >= 1997 &&
	   unique_and_right(kv, n),
	   "no batch operations: the key walk restarts on evictions, still each UID once (%u)", n);
	free(kv);

	fake_fill(2000);
	OK(sg_history_offenders(0, 500, &kv, &n) == 0 && n == 500 && unique_and_right(kv, n),
	   "no batch operations: at most max records");
	free(kv);

	fake_fill(2000);
	fake.batch = true;
	OK(sg_history_offenders(0, 1500, &kv, &n) == 0 && n == 1500 && unique_and_right(kv, n),
	   "batch: at most max records");
	free(kv);

	fake_fill(0);
	fake.batch = true;
	OK(sg_history_offenders(0, SG_MAX_OFFENDERS, &kv, &n) == 0 && n == 0,
	   "an empty map: no records");
	free(kv);
	return tap_done();
}
