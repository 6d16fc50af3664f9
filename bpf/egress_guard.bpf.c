// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * smtpguard's egress layer (config key egress_guard), loaded only when that
 * key names cgroups. The connect hooks judge the destination a process asks
 * for; inside a container that has its own network namespace, root can
 * rewrite that destination afterwards (DNAT of 127.0.0.2:25 to a remote
 * host) or skip connect() altogether (a raw socket that writes its own SYN).
 * This layer judges the packet instead, where every such path ends: the
 * cgroup egress hook runs in ip_finish_output()/ip6_finish_output(), after
 * the netfilter OUTPUT and POSTROUTING hooks, so the addresses it reads are
 * the final ones, after any NAT.
 *
 * Two programs share one socket-local storage map:
 *  - sg_eg_sock (cgroup/sock_create) records who created each stream or
 *    raw socket: the real UID/GID as seen from the initial user namespace,
 *    the same identity the connect hooks judge (container root is the host
 *    user it is mapped to).
 *  - sg_egress (cgroup_skb/egress) drops a TCP SYN (without ACK) to a
 *    guarded port unless its final destination or the socket's owner is
 *    allowed. Every other packet leaves after a header read and a compare.
 * The allow lists, the event ring buffer, the offender map are the connect
 * programs' own maps (the loader hands their fds over), so one policy and
 * one event stream serve both layers; the counters are this layer's own.
 */
#define BPF_NO_PRESERVE_ACCESS_INDEX
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "smtpguard.h"

#define PKT_DROP  0
#define PKT_PASS  1
#define SOCK_OK   1
#define ETH_P_IP_BE   0x0008 /* bpf_htons(0x0800) */
#define ETH_P_IPV6_BE 0xdd86 /* bpf_htons(0x86dd) */
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_ACK 0x10
#define IP4_MF     0x2000
#define IP4_OFFSET 0x1fff
#define NO_OWNER   0xffffffffu /* never an allowed id: the parser refuses it */
#define MAX_EXT_HDRS 8
/* IPv6 extension headers (netinet/in.h; not in vmlinux.h) */
#define NH_HOPOPTS  0
#define NH_ROUTING  43
#define NH_FRAGMENT 44
#define NH_DSTOPTS  60

/* The policy, allow lists, offenders and events of the connect programs:
 * declared here as there, their fds are reused. */
#include "sg_shared.bpf.h"

/* This layer's own maps. BPF_F_CLONE: an accepted socket inherits its
 * listener's owner (it sends no SYN, but costs nothing to keep right). */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct sg_eg_owner);
} sg_eg_owner SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SG_FAM_COUNT);
	__type(key, __u32);
	__type(value, struct sg_eg_stats);
} sg_eg_stats SEC(".maps");

/* Only stream and raw sockets can put a TCP SYN on the wire (a raw socket
 * of any protocol may set IP_HDRINCL later). Datagram sockets get no
 * storage, so a UDP-heavy container costs no memory. */
SEC("cgroup/sock_create")
int sg_eg_sock(struct bpf_sock *ctx)
{
	struct sg_eg_owner *o;
	__u64 ug, pt;

	if (ctx->type != SOCK_STREAM && ctx->type != SOCK_RAW)
		return SOCK_OK;
	o = bpf_sk_storage_get(&sg_eg_owner, ctx, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!o)
		return SOCK_OK; /* no memory: judged as unowned, i.e. not allowed */
	ug = bpf_get_current_uid_gid();
	pt = bpf_get_current_pid_tgid();
	o->uid = (__u32)ug;
	o->gid = ug >> 32;
	o->pid = pt >> 32;
	bpf_get_current_comm(o->comm, sizeof(o->comm));
	return SOCK_OK;
}

/* What the packet parse found: a TCP SYN candidate to a guarded port. */
struct syn {
	__u8 addr[16];   /* final destination; IPv4 in the first 4 bytes */
	__u16 port;      /* host byte order */
	__u8 family;     /* 4 or 6 */
	bool routed;     /* IPv6 routing header: the address is not final */
};

/* The TCP header at off: a SYN without ACK to a guarded port? A fragment
 * (frag) is judged whatever its flags: a later fragment could rewrite them
 * at the receiver. */
static __always_inline bool tcp_syn_guarded(struct __sk_buff *skb, __u32 off, bool frag,
					    struct syn *s)
{
	__u8 th[14];

	if (bpf_skb_load_bytes(skb, off, th, frag ? 4 : sizeof(th)))
		return false; /* too short to carry a port: nothing to connect to */
	s->port = ((__u16)th[2] << 8) | th[3];
	if (!port_guarded(s->port))
		return false;
	return frag || (th[13] & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN;
}

static __always_inline bool parse4(struct __sk_buff *skb, struct syn *s)
{
	struct iphdr ip;
	__u16 frag;

	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) || ip.protocol != IPPROTO_TCP)
		return false;
	frag = bpf_ntohs(ip.frag_off);
	if (frag & IP4_OFFSET)
		return false; /* no TCP header in it: its first fragment was judged */
	s->family = 4;
	__builtin_memcpy(s->addr, &ip.daddr, 4);
	return tcp_syn_guarded(skb, ip.ihl * 4, frag & IP4_MF, s);
}

/* IPv6: the extension headers a sender may put before TCP are walked (a
 * bounded number). One that cannot be walked to the end is judged as a
 * SYN to a destination that is not allowed: fail closed. */
static __always_inline bool parse6(struct __sk_buff *skb, struct syn *s)
{
	struct ipv6hdr ip;
	__u32 off = sizeof(ip);
	bool frag = false;
	__u8 nh, h[8];

	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)))
		return false;
	s->family = 6;
	__builtin_memcpy(s->addr, &ip.daddr, 16);
	nh = ip.nexthdr;
	for (int i = 0; i < MAX_EXT_HDRS; i++) {
		if (nh == IPPROTO_TCP)
			return tcp_syn_guarded(skb, off, frag, s);
		if (nh != NH_HOPOPTS && nh != NH_ROUTING && nh != NH_DSTOPTS &&
		    nh != NH_FRAGMENT && nh != IPPROTO_AH)
			return false;
		if (bpf_skb_load_bytes(skb, off, h, sizeof(h)))
			return false;
		if (nh == NH_FRAGMENT) {
			if (bpf_ntohs(*(__u16 *)&h[2]) & ~7)
				return false; /* not the first fragment */
			frag = bpf_ntohs(*(__u16 *)&h[2]) & 1;
			off += 8;
		} else if (nh == IPPROTO_AH) {
			off += ((__u32)h[1] + 2) * 4;
		} else {
			s->routed |= nh == NH_ROUTING;
			off += ((__u32)h[1] + 1) * 8;
		}
		nh = h[0];
	}
	s->routed = true;
	s->port = 0;
	return true;
}

static __always_inline bool dst_allowed(const struct syn *s)
{
	if (s->family == 4) {
		struct sg_prefix4 k = { .prefixlen = 32 };

		__builtin_memcpy(k.addr, s->addr, 4);
		return bpf_map_lookup_elem(&sg_allow_dst4, &k);
	} else {
		struct sg_prefix6 k = { .prefixlen = 128 };

		if (s->routed)
			return false;
		__builtin_memcpy(k.addr, s->addr, 16);
		return bpf_map_lookup_elem(&sg_allow_dst6, &k);
	}
}

/* The owner's account destinations for this final destination and port. A
 * destination behind an IPv6 routing header is not final: no account
 * destination covers it. */
static __always_inline bool acct_allowed(const struct sg_eg_owner *o, const struct syn *s)
{
	bool v4 = s->family == 4;

	return !s->routed && (acct_dst_allowed(SG_ACCT_UID, o->uid, s->port, v4, s->addr) ||
			      acct_dst_allowed(SG_ACCT_GID, o->gid, s->port, v4, s->addr));
}

/* The socket's cgroup, or an ancestor, in allow_cgroups: the levels that
 * hold an entry only (policy.cgroup_levels, a constant of the frozen
 * policy, as in the connect programs). */
static __always_inline bool cgroup_allowed(struct __sk_buff *skb)
{
	return CGROUP_ALLOWED(bpf_skb_ancestor_cgroup_id(skb, level_));
}

/* The event of a would-be drop: the owner's identity, the final
 * destination. */
static __always_inline void fill_event(struct sg_event *e, struct __sk_buff *skb,
				       const struct sg_eg_owner *o, const struct syn *s,
				       __u8 verdict)
{
	__builtin_memset(e, 0, sizeof(*e)); /* padding too: it is copied out */
	e->ts_ns = stamp_now();
	e->cgroup_id = bpf_skb_cgroup_id(skb);
	e->pid = o->pid;
	e->tid = o->pid;
	e->uid = o->uid;
	e->gid = o->gid;
	__builtin_memcpy(e->addr, s->addr, 16);
	e->port = s->port;
	e->family = s->family;
	e->verdict = verdict;
	__builtin_memcpy(e->comm, o->comm, SG_COMM_LEN);
}

/* A guarded SYN to a destination that is not allowed: the owner decides. */
static __always_inline int judge_owner(struct __sk_buff *skb, struct sg_eg_stats *st,
				       const struct syn *s)
{
	struct sg_eg_owner unowned = { .uid = NO_OWNER, .gid = NO_OWNER };
	const struct sg_eg_owner *o = NULL;
	struct bpf_sock *sk = skb->sk;
	struct sg_event e;
	__u8 verdict;

	if (sk)
		sk = bpf_sk_fullsock(sk);
	if (sk)
		o = bpf_sk_storage_get(&sg_eg_owner, sk, 0, 0);
	if (o && bpf_map_lookup_elem(&sg_allow_uids, &o->uid)) {
		COUNT(st, allowed_uid);
		return PKT_PASS;
	}
	if (o && bpf_map_lookup_elem(&sg_allow_gids, &o->gid)) {
		COUNT(st, allowed_gid);
		return PKT_PASS;
	}
	if (o && acct_allowed(o, s)) {
		COUNT(st, allowed_acct_dst);
		return PKT_PASS;
	}
	if (cgroup_allowed(skb)) {
		COUNT(st, allowed_cgroup);
		return PKT_PASS;
	}
	if (!o) {
		COUNT(st, unowned); /* created before the layer was loaded */
		o = &unowned;
	}
	/* redirect mode rewrites connects; a packet cannot be, so it drops */
	if (policy.mode == SG_MODE_AUDIT) {
		verdict = SG_VERDICT_AUDITED;
		COUNT(st, audited);
	} else {
		verdict = SG_VERDICT_DROPPED;
		COUNT(st, dropped);
	}
	fill_event(&e, skb, o, s, verdict);
	RECORD(skb, st, &e);
	return verdict == SG_VERDICT_DROPPED ? PKT_DROP : PKT_PASS;
}

SEC("cgroup_skb/egress")
int sg_egress(struct __sk_buff *skb)
{
	struct syn s = {};
	struct sg_eg_stats *st;
	__u32 idx;

	if (skb->protocol == ETH_P_IP_BE) {
		if (!parse4(skb, &s))
			return PKT_PASS;
	} else if (skb->protocol == ETH_P_IPV6_BE) {
		if (!parse6(skb, &s))
			return PKT_PASS;
	} else {
		return PKT_PASS;
	}
	idx = s.family == 4 ? SG_FAM_IPV4 : SG_FAM_IPV6;
	st = bpf_map_lookup_elem(&sg_eg_stats, &idx);
	if (!st)
		return PKT_PASS; /* cannot happen: array slots always exist */
	COUNT(st, seen);
	if (dst_allowed(&s)) {
		COUNT(st, allowed_dst);
		return PKT_PASS;
	}
	return judge_owner(skb, st, &s);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
