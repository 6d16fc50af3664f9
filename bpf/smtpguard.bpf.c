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

#include "sg_shared.bpf.h"

#define VERDICT_REFUSE 0 /* the kernel turns 0 into EPERM for connect hooks */
#define VERDICT_ALLOW  1


/* Counters outlive reloads as the offenders and events do. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SG_FAM_COUNT);
	__type(key, __u32);
	__type(value, struct sg_stats);
} sg_stats SEC(".maps");

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

/* The event of a would-be refusal by the current task. */
static __always_inline void fill_event(struct sg_event *e, __u64 uid_gid, const __u8 *addr,
				       __u8 family, __u16 port, __u8 verdict)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	__builtin_memset(e, 0, sizeof(*e)); /* padding too: it is copied out */
	e->ts_ns = stamp_now();
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
	return CGROUP_ALLOWED(bpf_get_current_ancestor_cgroup_id(level_));
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
	struct sg_event e;
	__u8 verdict;

	if (bpf_map_lookup_elem(&sg_allow_uids, &uid)) {
		COUNT(st, allowed_uid);
		return VERDICT_ALLOW;
	}
	if (bpf_map_lookup_elem(&sg_allow_gids, &gid)) {
		COUNT(st, allowed_gid);
		return VERDICT_ALLOW;
	}
	/* ip4 also holds the IPv4 part of an IPv4-mapped destination */
	if (acct_dst_allowed(SG_ACCT_UID, uid, port, v4, v4 ? (const __u8 *)&ip4 : addr) ||
	    acct_dst_allowed(SG_ACCT_GID, gid, port, v4, v4 ? (const __u8 *)&ip4 : addr)) {
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

	fill_event(&e, uid_gid, addr, family, port, verdict);
	RECORD(ctx, st, &e);

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
