# shellcheck shell=bash
# Sourced by tests/integration/lib.bash and bench/run.sh: the pieces of a
# throw-away test world both build the same way. Defines functions only.
#
# Every address is from TEST-NET-1 (192.0.2.0/24) and the documentation
# prefix 2001:db8::/32, inside namespaces of the caller's own: nothing is
# routed outside them, and the host's network namespace sends nothing.

# netns_pair CLIENT PEER: two new network namespaces, loopback up, joined by
# a veth pair: vc in CLIENT (192.0.2.1/24, 2001:db8::1/64) and vp in PEER
# (192.0.2.2/24, 2001:db8::2/64), no DAD so the v6 addresses work at once.
# Stops at the first failure (non-zero); the caller deletes both by name.
netns_pair() {
	local c=$1 p=$2
	ip netns add "$c" && ip netns add "$p" &&
		ip -n "$c" link set lo up && ip -n "$p" link set lo up &&
		ip -n "$c" link add vc type veth peer name vp netns "$p" &&
		ip -n "$c" addr add 192.0.2.1/24 dev vc && ip -n "$p" addr add 192.0.2.2/24 dev vp &&
		ip -n "$c" addr add 2001:db8::1/64 dev vc nodad &&
		ip -n "$p" addr add 2001:db8::2/64 dev vp nodad &&
		ip -n "$c" link set vc up && ip -n "$p" link set vp up
}

# `sh -c "$IN_CGROUP_SH" sh DIR CMD...`: a shell that moves itself into
# cgroup DIR and execs CMD, so CMD starts there and DIR's connect hooks judge
# it; run in the background, $! is the PID CMD gets. in_cgroup_exec DIR
# CMD... runs it in the foreground.
# shellcheck disable=SC2016 # expanded by that sh, not here
IN_CGROUP_SH='echo $$ >"$1/cgroup.procs" && shift && exec "$@"'
in_cgroup_exec() {
	sh -c "$IN_CGROUP_SH" sh "$@"
}
