// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test helper for the hardening tests: an "allow everything" cgroup connect
 * program pair, as an attacker with root in a child cgroup would attach it.
 * allow4/allow6 just say yes; force4/force6 also try to overwrite the
 * verdict another program already gave (bpf_set_retval(0), Linux 5.18+).
 * Neither may override smtpguard's refusal from an ancestor cgroup.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("cgroup/connect4")
int allow4(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("cgroup/connect6")
int allow6(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("cgroup/connect4")
int force4(struct bpf_sock_addr *ctx)
{
	bpf_set_retval(0);
	return 1;
}

SEC("cgroup/connect6")
int force6(struct bpf_sock_addr *ctx)
{
	bpf_set_retval(0);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
