// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * smtpguard: judge every TCP connect() (and sendto(MSG_FASTOPEN), io_uring
 * connect, ...) made from the cgroup this is attached to. A connect to a
 * guarded port is allowed when the destination prefix, the caller's UID or
 * the caller's GID is allowed; otherwise the mode decides: refuse (EPERM,
 * before any packet leaves), let through and record (audit), or rewrite the
 * destination to the local MTA (redirect).
 *
 * bpf_sock_addr is UAPI with a fixed layout: plain field accesses, no CO-RE
 * relocations, so the object loads on kernels without BTF and libbpf never
 * has to read the kernel's BTF at load (that read alone costs more than the
 * rest of a load). The kernel features used, and the fallbacks where one is
 * missing, are in README "Kernel requirements".
 */
#define BPF_NO_PRESERVE_ACCESS_INDEX
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "smtpguard.h"

#define VERDICT_REFUSE 0 /* the kernel turns 0 into EPERM for connect hooks */
#define VERDICT_ALLOW  1
#define NSEC_PER_SEC   1000000000ULL

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

/* Counters, offenders and events outlive reloads: the loader reuses the
 * pinned maps, so only their layout version may not change silently. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SG_FAM_COUNT);
	__type(key, __u32);
	__type(value, struct sg_stats);
} sg_stats SEC(".maps");

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

/* Entry test of both hooks, port first: nearly every connect goes to some
 * other port and leaves after one load and one bit test. user_port holds
 * the port in network byte order in its low 16 bits; older verifiers accept
 * only a 4-byte load of it, and the volatile keeps clang from narrowing the
 * load to the two bytes used. The judgement is on the socket type, not on
 * IPPROTO_TCP: MPTCP and SCTP stream sockets reach the same servers. */
static __always_inline bool guarded_stream(const struct bpf_sock_addr *ctx, __u16 *port)
{
	volatile __u32 user_port = ctx->user_port;

	*port = bpf_ntohs((__u16)user_port);
	return port_guarded(*port) && ctx->type == SOCK_STREAM;
}

/* Find (or create) the caller's offender record and update it. */
static __always_inline struct sg_offender *
note_offender(__u32 uid, __u32 gid, __u64 now, const __u8 *addr, __u8 family,
	      __u16 port, __u8 verdict)
{
	struct sg_offender *o = bpf_map_lookup_elem(&sg_offenders, &uid);

	if (!o) {
		struct sg_offender fresh = { .first_ns = now, .window_ns = now };

		bpf_map_update_elem(&sg_offenders, &uid, &fresh, BPF_NOEXIST);
		o = bpf_map_lookup_elem(&sg_offenders, &uid);
		if (!o)
			return NULL;
	}
	__sync_fetch_and_add(&o->count, 1);
	o->last_ns = now;
	o->last_gid = gid;
	__builtin_memcpy(o->last_addr, addr, 16);
	o->last_port = port;
	o->last_family = family;
	o->last_verdict = verdict;
	bpf_get_current_comm(o->last_comm, sizeof(o->last_comm));
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

static __always_inline void fill_event(struct sg_event *e, __u64 now, __u64 uid_gid,
				       const __u8 *addr, __u8 family, __u16 port,
				       __u8 verdict)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	e->ts_ns = now;
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->uid = (__u32)uid_gid;
	e->gid = uid_gid >> 32;
	__builtin_memcpy(e->addr, addr, 16);
	e->port = port;
	e->family = family;
	e->verdict = verdict;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

/* policy.features is a constant of the frozen read-only data, so the
 * verifier walks only the branch this load chose: the other one may call
 * helpers, or use a map type, that this kernel does not have. */
static __always_inline void emit_event(struct bpf_sock_addr *ctx, struct sg_stats *st,
				       __u64 now, __u64 uid_gid, const __u8 *addr,
				       __u8 family, __u16 port, __u8 verdict)
{
	if (policy.features & SG_FEAT_PERFBUF) {
		struct sg_event e;

		__builtin_memset(&e, 0, sizeof(e)); /* padding too: it is copied out */
		fill_event(&e, now, uid_gid, addr, family, port, verdict);
		/* fails when the CPU's buffer is full or no reader has one open */
		if (bpf_perf_event_output(ctx, &sg_events, BPF_F_CURRENT_CPU, &e, sizeof(e))) {
			COUNT(st, lost);
			return;
		}
	} else {
		struct sg_event *e = bpf_ringbuf_reserve(&sg_events, sizeof(*e), 0);

		if (!e) {
			COUNT(st, lost);
			return;
		}
		fill_event(e, now, uid_gid, addr, family, port, verdict);
		bpf_ringbuf_submit(e, 0);
	}
	COUNT(st, events);
}

/* CLOCK_BOOTTIME counts through suspend; before Linux 5.8 only the
 * monotonic clock can be read (same branch pruning as above). */
static __always_inline __u64 stamp_now(void)
{
	if (policy.features & SG_FEAT_MONO_CLOCK)
		return bpf_ktime_get_ns();
	return bpf_ktime_get_boot_ns();
}

/* Is (kind, id) allowed to this port and address? One trie lookup, and
 * none when the config has no entry of this kind (a constant of the
 * frozen policy, so the verifier drops the lookup altogether). */
static __always_inline bool acct_allowed(__u8 kind, __u32 id, __u16 port,
					 const __u8 *addr, __u32 ip4, bool v4)
{
	struct sg_acct_key key = {
		.kind = kind, .family = v4 ? 4 : 6, .port = port, .id = id,
	};

	if (!(kind == SG_ACCT_UID ? policy.acct_uid : policy.acct_gid))
		return false;
	key.prefixlen = SG_ACCT_HDR_BITS + (v4 ? 32 : 128);
	/* ip4 also holds the IPv4 part of an IPv4-mapped destination */
	if (v4)
		__builtin_memcpy(key.addr, &ip4, 4);
	else
		__builtin_memcpy(key.addr, addr, 16);
	return bpf_map_lookup_elem(&sg_acct_dst, &key) != NULL;
}

/* Is the caller in an allowed cgroup or below one? The loader sets bit L
 * of policy.cgroup_levels for each level L that holds an allowed cgroup,
 * so a typical "/system.slice/postfix.service" costs one helper call and
 * one hash lookup: the caller's ancestor at level 2. Walking up from the
 * caller's own cgroup instead would need a loop the 5.x verifiers limit,
 * and bpf_current_task_under_cgroup is not offered to connect programs
 * before 6.x. The loop is unrolled; levels not in the (constant) bitmap
 * are pruned by the verifier. bpf_get_current_ancestor_cgroup_id came with
 * bpf_get_current_cgroup_id in connect programs (Linux 5.7), which
 * smtpguard requires anyway; it returns 0 (never a key) above the
 * caller's own level. */
static __always_inline bool cgroup_allowed(void)
{
	if (!policy.cgroup_levels)
		return false;
#pragma unroll
	for (int level = 1; level <= SG_MAX_CGROUP_LEVEL; level++) {
		__u64 id;

		if (!(policy.cgroup_levels & (1u << level)))
			continue;
		id = bpf_get_current_ancestor_cgroup_id(level);
		if (id && bpf_map_lookup_elem(&sg_cgroups, &id))
			return true;
	}
	return false;
}

/*
 * Called once the port is known to be guarded and the destination is known
 * not to be allowed. Returns the hook's verdict.
 * addr: the destination as the caller asked for it (16 bytes, IPv4 in the
 * first four); v4: judge and redirect as IPv4 (also for ::ffff:a.b.c.d);
 * ip4: the IPv4 destination when v4 (for the per-account lookup);
 * sock6: called from connect6. v4 and sock6 are constants at every call site, so
 * the verifier only sees the context fields the hook may write.
 */
static __always_inline int judge_caller(struct bpf_sock_addr *ctx,
					struct sg_stats *st, const __u8 *addr, __u32 ip4,
					__u8 family, __u16 port, bool v4, bool sock6)
{
	__u64 uid_gid = bpf_get_current_uid_gid();
	__u32 uid = (__u32)uid_gid, gid = uid_gid >> 32;
	struct sg_offender *o;
	__u8 verdict;
	__u64 now;

	if (bpf_map_lookup_elem(&sg_allow_uids, &uid)) {
		COUNT(st, allowed_uid);
		return VERDICT_ALLOW;
	}
	if (bpf_map_lookup_elem(&sg_allow_gids, &gid)) {
		COUNT(st, allowed_gid);
		return VERDICT_ALLOW;
	}
	if (acct_allowed(SG_ACCT_UID, uid, port, addr, ip4, v4) ||
	    acct_allowed(SG_ACCT_GID, gid, port, addr, ip4, v4)) {
		COUNT(st, allowed_acct_dst);
		return VERDICT_ALLOW;
	}
	if (cgroup_allowed()) {
		COUNT(st, allowed_cgroup);
		return VERDICT_ALLOW;
	}

	if (policy.mode == SG_MODE_AUDIT) {
		verdict = SG_VERDICT_AUDITED;
		COUNT(st, audited);
	} else if (policy.mode == SG_MODE_REDIRECT) {
		verdict = SG_VERDICT_REDIRECTED;
		COUNT(st, redirected);
	} else {
		verdict = SG_VERDICT_REFUSED;
		COUNT(st, refused);
	}

	now = stamp_now();
	o = note_offender(uid, gid, now, addr, family, port, verdict);
	if (event_allowed(o, now) && budget_allows(o, now))
		emit_event(ctx, st, now, uid_gid, addr, family, port, verdict);
	else if (policy.event_rate)
		COUNT(st, suppressed);

	if (verdict == SG_VERDICT_REFUSED)
		return VERDICT_REFUSE;
	if (verdict == SG_VERDICT_REDIRECTED) {
		if (!sock6) {
			ctx->user_ip4 = policy.redirect_ip4;
			ctx->user_port = bpf_htons(policy.redirect_port4);
		} else if (v4) {
			/* keep an IPv4-mapped destination on the IPv4 path */
			ctx->user_ip6[0] = 0;
			ctx->user_ip6[1] = 0;
			ctx->user_ip6[2] = bpf_htonl(0xffff);
			ctx->user_ip6[3] = policy.redirect_ip4;
			ctx->user_port = bpf_htons(policy.redirect_port4);
		} else {
			ctx->user_ip6[0] = policy.redirect_ip6[0];
			ctx->user_ip6[1] = policy.redirect_ip6[1];
			ctx->user_ip6[2] = policy.redirect_ip6[2];
			ctx->user_ip6[3] = policy.redirect_ip6[3];
			ctx->user_port = bpf_htons(policy.redirect_port6);
		}
	}
	return VERDICT_ALLOW;
}

static __always_inline struct sg_stats *family_stats(__u32 idx)
{
	return bpf_map_lookup_elem(&sg_stats, &idx);
}

static __always_inline int judge_ip4(struct bpf_sock_addr *ctx, __u32 ip4,
				     __u16 port, const __u8 *asked, bool sock6)
{
	struct sg_prefix4 key = { .prefixlen = 32 };
	struct sg_stats *st = family_stats(SG_FAM_IPV4);

	if (!st)
		return VERDICT_ALLOW; /* cannot happen: array slots always exist */
	COUNT(st, seen);
	__builtin_memcpy(key.addr, &ip4, 4);
	if (bpf_map_lookup_elem(&sg_allow_dst4, &key)) {
		COUNT(st, allowed_dst);
		return VERDICT_ALLOW;
	}
	return judge_caller(ctx, st, asked, ip4, sock6 ? 6 : 4, port, true, sock6);
}

SEC("cgroup/connect4")
int sg_connect4(struct bpf_sock_addr *ctx)
{
	__u16 port;
	__u32 ip4;
	__u8 addr[16] = {};

	if (!guarded_stream(ctx, &port))
		return VERDICT_ALLOW;

	ip4 = ctx->user_ip4;
	__builtin_memcpy(addr, &ip4, 4);
	return judge_ip4(ctx, ip4, port, addr, false);
}

SEC("cgroup/connect6")
int sg_connect6(struct bpf_sock_addr *ctx)
{
	struct sg_prefix6 key = { .prefixlen = 128 };
	struct sg_stats *st;
	__u32 ip6[4];
	__u16 port;

	if (!guarded_stream(ctx, &port))
		return VERDICT_ALLOW;

	ip6[0] = ctx->user_ip6[0];
	ip6[1] = ctx->user_ip6[1];
	ip6[2] = ctx->user_ip6[2];
	ip6[3] = ctx->user_ip6[3];

	/* ::ffff:a.b.c.d reaches an IPv4 host: judge it by IPv4 policy and
	 * count it as IPv4, so a v6 socket is no way around a v4 rule. */
	if (ip6[0] == 0 && ip6[1] == 0 && ip6[2] == bpf_htonl(0xffff))
		return judge_ip4(ctx, ip6[3], port, (const __u8 *)ip6, true);

	st = family_stats(SG_FAM_IPV6);
	if (!st)
		return VERDICT_ALLOW;
	COUNT(st, seen);
	__builtin_memcpy(key.addr, ip6, 16);
	if (bpf_map_lookup_elem(&sg_allow_dst6, &key)) {
		COUNT(st, allowed_dst);
		return VERDICT_ALLOW;
	}
	return judge_caller(ctx, st, (const __u8 *)ip6, 0, 6, port, false, true);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
