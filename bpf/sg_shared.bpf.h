/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the connect programs (smtpguard.bpf.c) and the egress layer
 * (egress_guard.bpf.c, issue 14) share: the policy in read-only data, the
 * allow lists, the offender records and the event buffer (one set of maps:
 * the loader hands the egress object the connect object's fds), and the
 * recording of a would-be refusal. Included by each object once.
 */
#ifndef SG_SHARED_BPF_H
#define SG_SHARED_BPF_H

#define NSEC_PER_SEC 1000000000ULL

/* Mode, redirect target, event rate and port bitmap: set by the loader
 * before load, frozen afterwards. */
const volatile struct sg_policy policy = {};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SG_MAX_UIDS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u8);
} sg_allow_uids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SG_MAX_GIDS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u8);
} sg_allow_gids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SG_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sg_prefix4);
	__type(value, __u8);
} sg_allow_dst4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SG_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sg_prefix6);
	__type(value, __u8);
} sg_allow_dst6 SEC(".maps");

/* issue 10: allow_user_destinations / allow_group_destinations (key layout
 * in smtpguard.h) and allow_cgroups (cgroup id -> entry). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SG_MAX_ACCT_KEYS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sg_acct_key);
	__type(value, struct sg_acct_val);
} sg_acct_dst SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SG_MAX_CGROUPS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct sg_cgroup_val);
} sg_cgroups SEC(".maps");

/* Is (kind, id) allowed to addr (4 bytes when v4, else 16) on port by an
 * account destination? One trie lookup, and none when the policy has no
 * entry of this kind (a constant of the frozen policy, so the verifier
 * drops the lookup altogether). */
static __always_inline bool acct_dst_allowed(__u8 kind, __u32 id, __u16 port, bool v4,
					     const __u8 *addr)
{
	struct sg_acct_key key = {
		.kind = kind, .family = v4 ? 4 : 6, .port = port, .id = id,
	};

	if (!(kind == SG_ACCT_UID ? policy.acct_uid : policy.acct_gid))
		return false;
	key.prefixlen = SG_ACCT_HDR_BITS + (v4 ? 32 : 128);
	if (v4)
		__builtin_memcpy(key.addr, addr, 4);
	else
		__builtin_memcpy(key.addr, addr, 16);
	return bpf_map_lookup_elem(&sg_acct_dst, &key) != NULL;
}

/* Is the cgroup ANCESTOR names (an expression of level_: the id of the
 * ancestor at that level, 0 above the cgroup's own level) or one of its
 * ancestors in allow_cgroups? Only the levels that hold an entry are asked
 * (policy.cgroup_levels, a constant of the frozen policy: the verifier
 * prunes the others); the loop is unrolled, as the 5.x verifiers want. */
#define CGROUP_ALLOWED(ANCESTOR)                                                  \
	({                                                                        \
		bool found_ = false;                                              \
		_Pragma("unroll")                                                 \
		for (int level_ = 1; level_ <= SG_MAX_CGROUP_LEVEL; level_++) {   \
			__u64 id_;                                                \
			if (!(policy.cgroup_levels & (1u << level_)))             \
				continue;                                         \
			id_ = (ANCESTOR);                                         \
			if (id_ && bpf_map_lookup_elem(&sg_cgroups, &id_)) {      \
				found_ = true;                                    \
				break;                                            \
			}                                                         \
		}                                                                 \
		found_;                                                           \
	})

/* Offenders and events outlive reloads: the loader reuses the pinned maps,
 * so only their layout version may not change silently. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SG_MAX_OFFENDERS);
	__type(key, __u32);
	__type(value, struct sg_offender);
} sg_offenders SEC(".maps");

/* A ring buffer; where the kernel has none (before 5.8), the loader turns
 * it into a perf event array before load and sets SG_FEAT_PERFBUF. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SG_EVENTS_BYTES);
} sg_events SEC(".maps");

/* The global event budget (struct sg_budget): one slot shared by all
 * CPUs, so a burst spread over CPUs and UIDs meets one limit. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sg_budget);
} sg_budget SEC(".maps");

/* Counters are per CPU, but a preempted program can interleave with another
 * run on the same CPU, so additions are atomic to keep the counts exact. */
#define COUNT(st, field) __sync_fetch_and_add(&(st)->field, 1)

static __always_inline bool port_guarded(__u16 port)
{
	return policy.ports[port >> 6] & (1ULL << (port & 63));
}

/* policy.features is a constant of the frozen read-only data, so the
 * verifier walks only the branch this load chose: the other one may call
 * helpers, or use a map type, that this kernel does not have. CLOCK_BOOTTIME
 * counts through suspend; before Linux 5.8 only the monotonic clock can be
 * read. */
static __always_inline __u64 stamp_now(void)
{
	if (policy.features & SG_FEAT_MONO_CLOCK)
		return bpf_ktime_get_ns();
	return bpf_ktime_get_boot_ns();
}

/* Find (or create) the offender record of e's UID and update it from e. */
static __always_inline struct sg_offender *note_offender(const struct sg_event *e)
{
	__u32 uid = e->uid;
	struct sg_offender *o = bpf_map_lookup_elem(&sg_offenders, &uid);

	if (!o) {
		struct sg_offender fresh = { .first_ns = e->ts_ns, .window_ns = e->ts_ns };

		bpf_map_update_elem(&sg_offenders, &uid, &fresh, BPF_NOEXIST);
		o = bpf_map_lookup_elem(&sg_offenders, &uid);
		if (!o)
			return NULL;
	}
	__sync_fetch_and_add(&o->count, 1);
	o->last_ns = e->ts_ns;
	o->last_gid = e->gid;
	__builtin_memcpy(o->last_addr, e->addr, 16);
	o->last_port = e->port;
	o->last_family = e->family;
	o->last_verdict = e->verdict;
	__builtin_memcpy(o->last_comm, e->comm, SG_COMM_LEN);
	return o;
}

/* Per-UID rate limit: at most policy.event_rate events in each one-second
 * window. A tight retry loop costs a map lookup, never a flood of records. */
static __always_inline bool event_allowed(struct sg_offender *o, __u64 now)
{
	__u32 rate = policy.event_rate;

	if (!rate)
		return false;
	if (!o)
		return true;
	if (now - o->window_ns >= NSEC_PER_SEC) {
		o->window_ns = now;
		o->window_events = 0;
	}
	if (o->window_events >= rate)
		return false;
	o->window_events++;
	return true;
}

/* Global budget, after the per-UID limit let the event through. Plain
 * reads and non-fetching atomic adds (old kernels have no fetch-add): under
 * concurrency a window may give a few more than its limit, one per CPU at
 * most. */
static __always_inline bool budget_allows(const struct sg_offender *o, __u64 now)
{
	__u32 total = policy.event_rate_total, key = 0;
	__u32 reserve = total >> 2;
	struct sg_budget *b;

	if (!total)
		return true;
	b = bpf_map_lookup_elem(&sg_budget, &key);
	if (!b)
		return true;
	if (now - b->window_ns >= NSEC_PER_SEC) {
		if (b->shared < total - reserve)
			b->flood_ns = 0; /* the last window had room to spare */
		b->window_ns = now;
		b->shared = 0;
		b->reserved = 0;
	}
	__sync_fetch_and_add(&b->shared, 1);
	if (b->shared <= total - reserve)
		return true;
	if (!b->flood_ns)
		b->flood_ns = now;
	/* the reserve: for accounts refused a second or more before this
	 * flood began (not the first UIDs of the flood itself) */
	if (!o || o->first_ns + NSEC_PER_SEC > b->flood_ns || b->reserved >= reserve)
		return false;
	__sync_fetch_and_add(&b->reserved, 1);
	return true;
}

/* A would-be refusal recorded: the offender record, then (the per-UID
 * rate and the global budget allowing) the event e. Counts events, suppressed and lost in st, a struct sg_stats
 * or sg_eg_stats (same field names). ctx: the program's context (the perf
 * event array fallback needs it). */
#define RECORD(ctx, st, e)                                                        \
	do {                                                                      \
		struct sg_offender *o_ = note_offender(e);                        \
		long r_;                                                          \
		if (!event_allowed(o_, (e)->ts_ns) ||                             \
		    !budget_allows(o_, (e)->ts_ns)) {                             \
			if (policy.event_rate)                                    \
				COUNT(st, suppressed);                            \
			break;                                                    \
		}                                                                 \
		if (policy.features & SG_FEAT_PERFBUF)                            \
			r_ = bpf_perf_event_output(ctx, &sg_events,               \
						   BPF_F_CURRENT_CPU, (e),        \
						   sizeof(*(e)));                 \
		else                                                              \
			r_ = bpf_ringbuf_output(&sg_events, (e), sizeof(*(e)), 0); \
		if (r_)                                                           \
			COUNT(st, lost); /* buffer full, or no perf reader */     \
		else                                                              \
			COUNT(st, events);                                        \
	} while (0)

#endif
