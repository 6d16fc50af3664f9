/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The kernel <-> user contract of smtpguard: map keys and values, event
 * records, counter indices, limits and mode values. Both bpf/ and user/
 * include this file; nothing here is defined twice anywhere else.
 *
 * Only fixed-width types are used so the layout is identical for the BPF
 * target and the host compiler. Bump SG_FORMAT_VERSION whenever a pinned
 * map's key or value layout changes: the loader compares it with the
 * version recorded in the pins and recreates what no longer fits.
 */
#ifndef SMTPGUARD_H
#define SMTPGUARD_H

/* 2 (issue 10): sg_stats grew by two counters (allowed_acct_dst,
 * allowed_cgroup), so the stats map's value size changed. */
#define SG_FORMAT_VERSION 2

/* Limits. The loader refuses configs above them (exit 2). */
#define SG_MAX_PORTS      64      /* guarded destination ports */
#define SG_MAX_UIDS       65536   /* allowed UIDs (map size) */
#define SG_MAX_GIDS       16384   /* allowed GIDs (map size) */
#define SG_MAX_PREFIXES   1024    /* allowed destination prefixes per family */
#define SG_MAX_OFFENDERS  65536   /* offender records kept (LRU) */
#define SG_EVENTS_BYTES   (256 * 1024) /* ring buffer size, power of two */
#define SG_PORT_WORDS     (65536 / 64) /* guarded-port bitmap, one bit a port */
#define SG_COMM_LEN       16
#define SG_PATH_LEN       256
#define SG_SKIPPED_LEN    256     /* summary of names skipped at load */
/* issue 14: egress layer (config key egress_guard) */
#define SG_EG_MAX_PATHS   16      /* egress_guard cgroups */
#define SG_EG_PATHS_LEN   1024    /* sg_policy.egress_guard: the paths, space-separated */

/* Bits of sg_policy.features: the kernel-dependent ways this load works,
 * chosen by the loader from its probes (user/kfeatures.c). 0 is the normal
 * case: events through a BPF ring buffer, stamps in CLOCK_BOOTTIME. */
#define SG_FEAT_PERFBUF    (1u << 0) /* events through a perf event array */
#define SG_FEAT_MONO_CLOCK (1u << 1) /* stamps in CLOCK_MONOTONIC */

/* Values of sg_policy.mode (config key "mode"). */
enum sg_mode {
	SG_MODE_ENFORCE = 0,  /* refuse with EPERM */
	SG_MODE_AUDIT = 1,    /* allow, but count and record a would-be refusal */
	SG_MODE_REDIRECT = 2, /* rewrite the destination to the local MTA */
};

/* Verdicts recorded in events and offender records. */
enum sg_verdict {
	SG_VERDICT_REFUSED = 0,
	SG_VERDICT_AUDITED = 1,
	SG_VERDICT_REDIRECTED = 2,
	SG_VERDICT_DROPPED = 3,   /* issue 14: a SYN dropped by the egress layer */
};

/* Key of the stats map: one slot per address family. */
enum sg_family_index {
	SG_FAM_IPV4 = 0,
	SG_FAM_IPV6 = 1,
	SG_FAM_COUNT = 2,
};

/*
 * Value of the per-CPU "stats" map. Declared as a struct (not an array of
 * counters) so bpftool prints field names from BTF.
 */
struct sg_stats {
	__u64 seen;          /* stream connects to a guarded port */
	__u64 allowed_dst;   /* allowed because the destination is allowed */
	__u64 allowed_uid;   /* allowed because the UID is allowed */
	__u64 allowed_gid;   /* allowed because the GID is allowed */
	__u64 refused;       /* refused with EPERM (enforce mode) */
	__u64 audited;       /* would-be refusals let through (audit mode) */
	__u64 redirected;    /* would-be refusals sent to the local MTA */
	__u64 events;        /* event records written to the events map */
	__u64 suppressed;    /* events dropped by the per-UID rate limit */
	__u64 lost;          /* events dropped: buffer full (or, with a perf
			      * event array, no reader running) */
	/* issue 10: appended (SG_FORMAT_VERSION 2; a map of the old, shorter
	 * layout is started afresh by the loader, said) */
	__u64 allowed_acct_dst; /* allowed by allow_user/group_destinations */
	__u64 allowed_cgroup;   /* allowed by allow_cgroups */
};

/*
 * The policy that is not a set: mode, redirect target, event rate and the
 * guarded-port bitmap. It lives in the program's read-only data, so the
 * verifier sees it as constant and a reload swaps it with the program.
 */
struct sg_policy {
	__u32 format;            /* SG_FORMAT_VERSION of the loader that wrote it */
	__u32 mode;              /* enum sg_mode */
	__u32 redirect_ip4;      /* network byte order */
	__u32 redirect_ip6[4];   /* network byte order */
	__u16 redirect_port4;    /* host byte order */
	__u16 redirect_port6;    /* host byte order */
	__u32 event_rate;        /* events per UID per second; 0 = no events */
	__u64 ports[SG_PORT_WORDS]; /* bit (port % 64) of word (port / 64) */
	/* Written by the loader for `status` and upgrades; the program never
	 * reads these. */
	char loader_version[16];
	char cgroup_path[SG_PATH_LEN];
	/* The pin dir this enforcement belongs to: lets a later command find
	 * its programs on the cgroup even when every pin is gone. */
	char pin_dir[SG_PATH_LEN];
	/* Names the loader skipped because they did not resolve ("user x
	 * (smtpguard.conf:3), ..."), "" for none. */
	char skipped[SG_SKIPPED_LEN];
	/* SG_FEAT_* bits; the program branches on them. New fields go at the
	 * end, so a policy written by an older loader is a prefix of this one
	 * (readers zero-fill what it lacks). */
	__u32 features;
	/* Issue 11: the global event budget, events per second over all
	 * UIDs (config key event_rate_total); 0 = no global budget (also what
	 * an older loader's policy reads as). A quarter of it is the reserve
	 * (see struct sg_budget). */
	__u32 event_rate_total;
	/* issue 10: the program skips a lookup whose map is empty. */
	__u8 acct_uid;           /* allow_user_destinations has entries */
	__u8 acct_gid;           /* allow_group_destinations has entries */
	__u16 pad10;
	/* bit L: some allow_cgroups entry sits at level L of the cgroup v2
	 * hierarchy (root = 0); only those ancestors are looked up */
	__u32 cgroup_levels;
	/* issue 14: the egress_guard cgroups (paths relative to the cgroup v2
	 * root, "/" for all), space-separated, "" when the layer is off. The
	 * connect programs never read it; kstate finds the egress programs
	 * on these cgroups when their pins are gone. */
	char egress_guard[SG_EG_PATHS_LEN];
};

/*
 * issue 14: the egress layer (bpf/egress_guard.bpf.c). Value of the
 * socket-local storage map "eg_owner": who created the socket, recorded by
 * the cgroup/sock_create program, as seen from the initial user namespace
 * (so the root of a container is the host user it really is).
 */
struct sg_eg_owner {
	__u32 uid;
	__u32 gid;
	__u32 pid;            /* thread group id of the creator */
	__u32 flags;          /* reserved, 0 */
	char comm[SG_COMM_LEN];
};

/* Value of the per-CPU "eg_stats" map, keyed by enum sg_family_index (the
 * family of the packet's IP header). */
struct sg_eg_stats {
	__u64 seen;          /* TCP SYNs (without ACK) to a guarded port */
	__u64 allowed_dst;   /* let through: final destination allowed */
	__u64 allowed_uid;   /* let through: the socket's owner UID allowed */
	__u64 allowed_gid;   /* let through: the socket's owner GID allowed */
	__u64 dropped;       /* dropped (enforce and redirect mode) */
	__u64 audited;       /* would-be drops let through (audit mode) */
	__u64 unowned;       /* of those: the socket predates the layer (no owner) */
	__u64 events;        /* event records written */
	__u64 suppressed;    /* events dropped by the per-UID rate limit */
	__u64 lost;          /* events dropped: buffer full / no reader */
	/* issue 10's rules apply here too (the owner's account destinations,
	 * the socket's cgroup in allow_cgroups) */
	__u64 allowed_acct_dst;
	__u64 allowed_cgroup;
};

/* Keys of the LPM tries of allowed destinations. */
struct sg_prefix4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct sg_prefix6 {
	__u32 prefixlen;
	__u8 addr[16];
};

/*
 * issue 10: per-account destinations and allowed cgroups.
 *
 * sg_acct_dst is ONE LPM trie for both families and both kinds: the key's
 * first 64 data bits are kind, family, port and id, always matched whole
 * (prefixlen = SG_ACCT_HDR_BITS + address prefix length), so a lookup
 * with the caller's uid (or gid), the port and the full address finds the
 * longest address prefix allowed for exactly that account and port. A DEST
 * without a port is stored once per guarded port, so the program never
 * needs a second lookup for "any port".
 */
#define SG_MAX_ACCT_DSTS     65536  /* allow_user/group_destinations DEST entries */
#define SG_MAX_ACCT_KEYS     65536  /* trie entries, port-less DESTs expanded */
#define SG_MAX_CGROUPS       256    /* allow_cgroups entries */
#define SG_MAX_CGROUP_LEVEL  31     /* deepest level allowed (bit of cgroup_levels) */
#define SG_ACCT_HDR_BITS     64     /* kind + family + port + id */

enum sg_acct_kind {
	SG_ACCT_UID = 1,
	SG_ACCT_GID = 2,
};

struct sg_acct_key {
	__u32 prefixlen;   /* SG_ACCT_HDR_BITS + address bits */
	__u8 kind;         /* enum sg_acct_kind */
	__u8 family;       /* 4 or 6 (IPv4-mapped destinations use 4) */
	__u16 port;        /* host byte order */
	__u32 id;          /* uid or gid */
	__u8 addr[16];     /* IPv4 in the first 4 bytes */
};

/* What user space needs to say which config entry matched. */
struct sg_acct_val {
	__u32 line;        /* config line of the entry */
	__u8 any_port;     /* the DEST had no port (expanded over the ports) */
	__u8 pad[3];
};

/* Value of the sg_cgroups hash, keyed by cgroup id (__u64). */
struct sg_cgroup_val {
	__u32 line;        /* config line */
	__u32 level;       /* level in the cgroup v2 hierarchy */
	char path[SG_PATH_LEN]; /* as configured, for status */
};

/* Value of the "offenders" LRU map, keyed by UID (__u32). */
struct sg_offender {
	__u64 count;          /* would-be refusals by this UID */
	__u64 first_ns;       /* CLOCK_BOOTTIME (MONOTONIC with SG_FEAT_MONO_CLOCK) of the first one */
	__u64 last_ns;        /* same clock, the latest one */
	__u64 window_ns;      /* start of the current rate-limit window */
	__u32 window_events;  /* events emitted in that window */
	__u32 last_gid;
	__u8 last_addr[16];   /* IPv4 in the first 4 bytes when family is 4 */
	__u16 last_port;      /* host byte order */
	__u8 last_family;     /* 4 or 6 */
	__u8 last_verdict;    /* enum sg_verdict */
	char last_comm[SG_COMM_LEN];
};

/* Record written to the "events" ring buffer (or perf event array). */
struct sg_event {
	__u64 ts_ns;          /* CLOCK_BOOTTIME (MONOTONIC with SG_FEAT_MONO_CLOCK) */
	__u64 cgroup_id;
	__u32 pid;            /* thread group id */
	__u32 tid;
	__u32 uid;
	__u32 gid;
	__u8 addr[16];        /* destination as asked for; IPv4 in first 4 bytes */
	__u16 port;           /* host byte order */
	__u8 family;          /* 4 or 6 */
	__u8 verdict;         /* enum sg_verdict */
	char comm[SG_COMM_LEN];
};

/*
 * Issue 11: state of the global event budget, the one slot of the
 * "sg_budget" array map (not pinned: a reload starts it afresh). In each
 * one-second window the first 3/4 of policy.event_rate_total events go to
 * any UID; the last quarter, the reserve, only to UIDs whose offender record
 * is at least a second older than the flood (flood_ns): a burst from many
 * fresh UIDs (a subordinate ID range) cannot starve the accounts known
 * before it. A window that did not use up the shared part ends the flood.
 */
struct sg_budget {
	__u64 window_ns;      /* start of the current window (event clock) */
	__u64 flood_ns;       /* when the shared part first ran out; 0: no flood */
	__u32 shared;         /* events asked for in this window (may pass the limit) */
	__u32 reserved;       /* reserve events given in this window */
};

/*
 * The layout both compilers must agree on: the same numbers for the BPF
 * target and the host. A field added, moved or resized fails the build here
 * rather than misreading a pinned map or an event record at run time (and
 * reminds whoever did it of SG_FORMAT_VERSION). __builtin_offsetof needs no
 * <stddef.h>, which the BPF side does not include.
 */
#define SG_ASSERT_SIZE(type, size) \
	_Static_assert(sizeof(struct type) == (size), "struct " #type " changed size")
#define SG_ASSERT_AT(type, field, off) \
	_Static_assert(__builtin_offsetof(struct type, field) == (off), \
		       "struct " #type " field " #field " moved")

SG_ASSERT_SIZE(sg_stats, 96);
SG_ASSERT_AT(sg_stats, lost, 72);
SG_ASSERT_AT(sg_stats, allowed_acct_dst, 80); /* issue 10 */

SG_ASSERT_SIZE(sg_policy, 10056);
SG_ASSERT_AT(sg_policy, redirect_port4, 28);
SG_ASSERT_AT(sg_policy, event_rate, 32);
SG_ASSERT_AT(sg_policy, ports, 40);
SG_ASSERT_AT(sg_policy, loader_version, 8232);
SG_ASSERT_AT(sg_policy, cgroup_path, 8248);
SG_ASSERT_AT(sg_policy, pin_dir, 8504);
SG_ASSERT_AT(sg_policy, skipped, 8760);
SG_ASSERT_AT(sg_policy, features, 9016); /* appended fields follow this one */
SG_ASSERT_AT(sg_policy, event_rate_total, 9020); /* issue 11 */
SG_ASSERT_AT(sg_policy, acct_uid, 9024);   /* issue 10 */
SG_ASSERT_AT(sg_policy, cgroup_levels, 9028);
SG_ASSERT_SIZE(sg_acct_key, 28);
SG_ASSERT_AT(sg_acct_key, kind, 4);
SG_ASSERT_AT(sg_acct_key, addr, 12);
SG_ASSERT_SIZE(sg_acct_val, 8);
SG_ASSERT_SIZE(sg_cgroup_val, 264);
SG_ASSERT_AT(sg_policy, egress_guard, 9032); /* issue 14 */
SG_ASSERT_SIZE(sg_eg_owner, 32);  /* issue 14 */
SG_ASSERT_SIZE(sg_eg_stats, 96);  /* issue 14 */

/* LPM trie keys: the prefix length, then the address bytes, no padding */
SG_ASSERT_SIZE(sg_prefix4, 8);
SG_ASSERT_AT(sg_prefix4, addr, 4);
SG_ASSERT_SIZE(sg_prefix6, 20);
SG_ASSERT_AT(sg_prefix6, addr, 4);

SG_ASSERT_SIZE(sg_offender, 80);
SG_ASSERT_AT(sg_offender, window_events, 32);
SG_ASSERT_AT(sg_offender, last_addr, 40);
SG_ASSERT_AT(sg_offender, last_port, 56);
SG_ASSERT_AT(sg_offender, last_comm, 60);

SG_ASSERT_SIZE(sg_budget, 24); /* issue 11 */

SG_ASSERT_SIZE(sg_event, 72);
SG_ASSERT_AT(sg_event, pid, 16);
SG_ASSERT_AT(sg_event, addr, 32);
SG_ASSERT_AT(sg_event, port, 48);
SG_ASSERT_AT(sg_event, comm, 52);

#undef SG_ASSERT_SIZE
#undef SG_ASSERT_AT

#endif /* SMTPGUARD_H */
