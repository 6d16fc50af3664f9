#!/usr/bin/env bats
# The core promise: a non-allowed UID cannot reach a remote guarded port by
# any route we know of, while loopback, other ports and allowed accounts work.
# The guarded port is $SG_TEST_PORT (it stands for 25; see lib.bash).

load lib

setup_file() {
	world_up e
	write_config "$WORK/policy.conf" \
		"# test policy" \
		"ports = $SG_TEST_PORT" \
		"allow_users = root, $U_ALLOWED" \
		"allow_groups = $G_ALLOWED"
	"$SG" --config "$WORK/policy.conf" --cgroup "$CG" --pin-dir "$PIN" load
}

teardown_file() {
	world_down
}

# refused ARGS...: the connect fails with EPERM and the remote host sees nothing.
refused() {
	local before after
	before=$(mx_accepts "$SG_TEST_PORT")
	run try "$U_DENIED" "$G_PLAIN" "$@"
	[ "$status" -eq 10 ] || { echo "want EPERM (10), got $status: $output"; return 1; }
	[ "$output" = "EPERM" ]
	after=$(mx_accepts "$SG_TEST_PORT")
	[ "$before" = "$after" ] || { echo "remote guarded port accepted a refused client"; return 1; }
}

# prog_ids: "ID4 ID6" of the attached programs, from status --json.
prog_ids() {
	"$SG" status --json --pin-dir "$PIN" | /usr/bin/python3 -c \
		'import json,sys; d=json.load(sys.stdin); print(d["connect4"]["prog_id"], d["connect6"]["prog_id"])'
}

@test "load attaches one program per hook to the test cgroup and pins root-only" {
	run bpftool cgroup show "$CG"
	[ "$status" -eq 0 ]
	[ "$(grep -c cgroup_inet4_connect <<<"$output")" -eq 1 ]
	[ "$(grep -c cgroup_inet6_connect <<<"$output")" -eq 1 ]
	[ "$(stat -c %a "$PIN")" = 700 ]
	[ ! -e "$PIN/link_connect4" ] && [ ! -e "$PIN/link_connect6" ]
	for p in prog_connect4 prog_connect6 allow_uids \
		allow_gids allow_dst4 allow_dst6 policy stats offenders events; do
		[ -e "$PIN/$p" ] || { echo "missing pin $p"; return 1; }
	done
}

@test "non-allowed UID to the remote guarded port over IPv4 gets EPERM" {
	refused "$MX4" "$SG_TEST_PORT"
}

@test "non-allowed UID to the remote guarded port over IPv6 gets EPERM" {
	refused "$MX6" "$SG_TEST_PORT"
}

@test "non-allowed UID to the remote guarded port via an IPv4-mapped IPv6 address gets EPERM" {
	refused "::ffff:$MX4" "$SG_TEST_PORT"
}

@test "non-allowed UID: a non-blocking connect gets EPERM at once" {
	refused --nonblock "$MX4" "$SG_TEST_PORT"
	refused --nonblock "$MX6" "$SG_TEST_PORT"
}

@test "non-allowed UID: TCP Fast Open (sendto MSG_FASTOPEN) gets EPERM" {
	refused --fastopen "$MX4" "$SG_TEST_PORT"
	refused --fastopen "$MX6" "$SG_TEST_PORT"
}

@test "non-allowed UID that maps itself to root in a user namespace is still refused" {
	run as "$U_DENIED" "$G_PLAIN" unshare --user --map-root-user "$WORK/sgconnect" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 10 ]
}

# MPTCP: an IPPROTO_MPTCP socket. (The hook also runs for its first subflow, a
# TCP socket, so this passes whether the program judges the socket type or
# the protocol; SCTP stream sockets are what the type check is for.)
@test "non-allowed UID: an MPTCP socket gets EPERM like TCP" {
	run ip netns exec "$NS_C" sysctl -n net.mptcp.enabled
	[ "$status" -eq 0 ] && [ "$output" = 1 ] ||
		skip "no MPTCP in the client netns (net.mptcp.enabled: ${output:-absent})"
	refused --mptcp "$MX4" "$SG_TEST_PORT"
	refused --mptcp "$MX6" "$SG_TEST_PORT"
	refused --mptcp "::ffff:$MX4" "$SG_TEST_PORT"
	# the same socket is judged, not merely broken: allowed and open pass
	run try "$U_ALLOWED" "$G_PLAIN" --mptcp "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 0 ] || { echo "allowed: $status $output"; return 1; }
	run try "$U_DENIED" "$G_PLAIN" --mptcp "$MX4" "$SG_TEST_OPEN_PORT"
	[ "$status" -eq 0 ] || { echo "open port: $status $output"; return 1; }
}

@test "allowed UID connects to the remote guarded port over IPv4 and IPv6" {
	run try "$U_ALLOWED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
	[ "$output" = "connected 220 remote $SG_TEST_PORT" ]
	run try "$U_ALLOWED" "$G_PLAIN" "$MX6" "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
}

@test "root connects to the remote guarded port" {
	run try 0 0 "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
}

@test "a member of an allowed GID connects to the remote guarded port" {
	run try "$U_GROUPED" "$G_ALLOWED" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
	run try "$U_GROUPED" "$G_ALLOWED" --fastopen "$MX6" "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
}

@test "every UID reaches the local MTA on loopback at the guarded port (IPv4, IPv6, mapped)" {
	for uid in "$U_DENIED" "$U_ALLOWED" 0; do
		run try "$uid" "$G_PLAIN" 127.0.0.1 "$SG_TEST_PORT"
		[ "$output" = "connected 220 local $SG_TEST_PORT" ]
		run try "$uid" "$G_PLAIN" ::1 "$SG_TEST_PORT"
		[ "$output" = "connected 220 local $SG_TEST_PORT" ]
		run try "$uid" "$G_PLAIN" ::ffff:127.0.0.1 "$SG_TEST_PORT"
		[ "$output" = "connected 220 local $SG_TEST_PORT" ]
	done
}

@test "every UID reaches a non-guarded remote port" {
	run try "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_OPEN_PORT"
	[ "$output" = "connected 220 remote $SG_TEST_OPEN_PORT" ]
	run try "$U_DENIED" "$G_PLAIN" "$MX6" "$SG_TEST_OPEN_PORT"
	[ "$output" = "connected 220 remote $SG_TEST_OPEN_PORT" ]
}

@test "status reports the enforced policy and exits 0" {
	run "$SG" status --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	grep -q "^status: *loaded" <<<"$output"
	grep -q "^cgroup: *$CG " <<<"$output"
	grep -q "^ports: *$SG_TEST_PORT$" <<<"$output"
	grep -q "^allow users: *root(0) $U_ALLOWED$" <<<"$output"
	grep -q "^allow groups: *$G_ALLOWED$" <<<"$output"
	grep -q "^allow destinations: *127.0.0.0/8 ::1/128$" <<<"$output"
	grep -q "^attach method: *prog_attach$" <<<"$output"
	grep -q "^connect4: *program [0-9]*$" <<<"$output"
}

@test "status --json is one JSON object with the policy" {
	run "$SG" status --json --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	/usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["loaded"] and d["ports"]==[int(sys.argv[2])], d' "$output" "$SG_TEST_PORT"
}

@test "load again with a second port added refuses it, without attaching twice" {
	progs_before=$(prog_ids)
	write_config "$WORK/policy2.conf" "ports = $SG_TEST_PORT, $SG_TEST_OPEN_PORT" "allow_users = root, $U_ALLOWED" \
		"allow_groups = $G_ALLOWED"
	run "$SG" --config "$WORK/policy2.conf" --cgroup "$CG" --pin-dir "$PIN" load
	[ "$status" -eq 0 ]
	[[ "$output" == *"policy updated"* ]]
	run bpftool cgroup show "$CG"
	[ "$(grep -c connect <<<"$output")" -eq 2 ]
	run try "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_OPEN_PORT"
	[ "$status" -eq 10 ]
	run try "$U_ALLOWED" "$G_PLAIN" "$MX4" "$SG_TEST_OPEN_PORT"
	[ "$status" -eq 0 ]
	run "$SG" status --pin-dir "$PIN"
	grep -q "^ports: *$SG_TEST_PORT $SG_TEST_OPEN_PORT$" <<<"$output"
	# new programs swapped in place of the old ones (BPF_F_REPLACE)
	[ "$(prog_ids)" != "$progs_before" ]
}

@test "reload swaps the policy in place; --cgroup elsewhere is refused" {
	write_config "$WORK/policy3.conf" "ports = $SG_TEST_PORT" "allow_users = root"
	ids=$(prog_ids)
	run "$SG" --config "$WORK/policy3.conf" --pin-dir "$PIN" reload
	[ "$status" -eq 0 ]
	[ "$(prog_ids)" != "$ids" ]
	run bpftool cgroup show "$CG"
	[ "$(grep -c connect <<<"$output")" -eq 2 ]
	run try "$U_ALLOWED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 10 ]
	run "$SG" --config "$WORK/policy3.conf" --pin-dir "$PIN" --cgroup "$(cgroup2_root)" load
	[ "$status" -eq 2 ]
	[[ "$output" == *"already loaded on another cgroup"* ]]
}

@test "unload restores free connects and removes every pin; status then exits 3" {
	run "$SG" unload --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	[[ "$output" == *"unloaded"* ]]
	[ ! -e "$PIN" ]
	run bpftool cgroup show "$CG"
	[ "$status" -eq 0 ]
	[[ "$output" != *connect* ]] || { echo "still attached: $output"; return 1; }
	run try "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
	run "$SG" status --pin-dir "$PIN"
	[ "$status" -eq 3 ]
	run "$SG" unload --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	[[ "$output" == *"not loaded"* ]]
}

@test "reload when not loaded exits 3 and attaches nothing" {
	run "$SG" --pin-dir "$PIN" reload
	[ "$status" -eq 3 ]
	run bpftool cgroup show "$CG"
	[ "$status" -eq 0 ]
	[[ "$output" != *connect* ]] || { echo "attached: $output"; return 1; }
}
