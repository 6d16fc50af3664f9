#!/usr/bin/env bats
# The README's two commands on one host: scripts/quickstart.sh leaves an
# enforcement at the root cgroup with the installed example policy (ports 25,
# 465, 587; root and the MTA accounts allowed), and then `make check` runs.
# Simulated without touching the real root: with SG_TEST_PARENT_CG=1 every
# test world's cgroup sits under a parent cgroup that carries that same
# enforcement. Cgroup programs of an ancestor run for all its descendants, in
# every network namespace, just as the root's do.

load lib

# the suites run again under the parent enforcement: a representative set
# (enforcement, observability, bad input, hardening) that runs in about a minute
SUITES="10-enforce.bats 20-observability.bats 30-bad-input.bats 40-hardening.bats"

setup_file() {
	export SG_TEST_PARENT_CG=1
	world_up H
}

teardown_file() {
	world_down
}

@test "the parent enforcement is the quickstart's: it refuses the suite's allowed user on :25" {
	[[ "$CG" == "$SG_WORLD_PARENT_CG/"* ]]
	run "$SG" status --json --pin-dir "$SG_WORLD_PARENT_PIN"
	[ "$status" -eq 0 ]
	/usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["ports"]==[25,465,587], d' "$output"
	# what made 22 tests fail after quickstart: the suite's allowed test
	# user on 25, refused by the enforcement above the world (the world's
	# own cgroup has none)
	run try "$U_ALLOWED" "$G_PLAIN" "$MX4" 25
	[ "$status" -eq 10 ]
	run try "$U_ALLOWED" "$G_PLAIN" "$MX6" 587
	[ "$status" -eq 10 ]
	# the test ports are not judged by it
	run try "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$output" = "connected 220 remote $SG_TEST_PORT" ]
	run try "$U_DENIED" "$G_PLAIN" "$MX6" "$SG_TEST_OPEN_PORT"
	[ "$output" = "connected 220 remote $SG_TEST_OPEN_PORT" ]
}

@test "world_up refuses in one line to run under an enforcement that guards a test port, and cleans up" {
	write_config "$WORK/guards-test-port.conf" "ports = 25, $SG_TEST_PORT2" "allow_users = root"
	run outside_bats SG_TOP="$TOP" SG_TEST_PARENT_CG=1 SG_TEST_PARENT_CONF="$WORK/guards-test-port.conf" \
		bash -c 'echo "pid $$"; . "$1/tests/integration/lib.bash"; world_up Z' sh "$TOP"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 2 ]
	local id="sgt${lines[0]#pid }Z"
	[[ "${lines[1]}" == "world_up: the enforcement pinned at /sys/fs/bpf/${id}P guards port(s) $SG_TEST_PORT2, which the tests use: set SG_TEST_PORT, "* ]]
	[ ! -e "/sys/fs/bpf/${id}P" ]
	[ ! -e "$(cgroup2_root)/${id}P" ]
	run ip netns list
	[[ "$output" != *"$id"* ]]
}

@test "the converted suites pass under the quickstart's enforcement" {
	local files=() f
	for f in $SUITES; do files+=("$TOP/tests/integration/$f"); done
	run outside_bats SG_TEST_PARENT_CG=1 timeout 600 bats --tap "${files[@]}"
	echo "$output"
	[ "$status" -eq 0 ]
	local plan results
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' <<<"$output")
	results=$(grep -cE '^ok ' <<<"$output")
	[ -n "$plan" ] && [ "$plan" -gt 0 ] && [ "$results" -eq "$plan" ]
	[[ "$output" != *"not ok"* ]]
}
