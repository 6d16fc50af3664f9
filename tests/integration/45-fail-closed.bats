#!/usr/bin/env bats
# An unusable config never leaves a host unenforced: a first load enforces
# the built-in default policy, says so, and still exits 2 (so a boot unit is
# marked failed while the host is protected); a load or reload over a
# running enforcement keeps the running policy.

load lib

setup_file() {
	world_up f
	write_config "$WORK/syntax.conf" "ports = $SG_TEST_PORT" "this is not a key"
	write_config "$WORK/limit.conf" "ports = $(seq -s, 1000 1064)"
	write_config "$WORK/good.conf" "ports = $SG_TEST_PORT, $SG_TEST_OPEN_PORT" "allow_users = root, $U_ALLOWED"
}

teardown_file() {
	world_down
}

setup() {
	"$SG" --cgroup "$CG" --pin-dir "$PIN" unload >/dev/null 2>&1 || true
}

# default_enforced: status shows the built-in default (port 25), and a
# denied user's connect to :25 in the test cgroup is refused by these
# programs (their own counter says so: a host enforcement may guard 25 too).
default_enforced() {
	run "$SG" --cgroup "$CG" --pin-dir "$PIN" status
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "^cgroup: *$CG " <<<"$output"
	grep -q "^ports: *25$" <<<"$output"
	grep -q "^allow users: *root(0)" <<<"$output"
	run try "$U_DENIED" "$G_PLAIN" "$MX4" 25
	[ "$status" -eq 10 ]
	run "$SG" --pin-dir "$PIN" stats --json
	/usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["counters"]["ipv4"]["refused"] >= 1, d' "$output"
}

fallback_load() {
	run "$SG" --config "$1" --cgroup "$CG" --pin-dir "$PIN" load
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "$2" ]
	grep -qx "smtpguard: the config is unusable: enforcing the built-in default policy instead" <<<"$output"
	default_enforced
}

@test "first load, syntax error: the default policy is enforced, exit 2, FILE:LINE said" {
	fallback_load "$WORK/syntax.conf" "$WORK/syntax.conf:2: expected 'key = value', got 'this is not a key'"
}

@test "first load, unreadable config file: the default policy is enforced, exit 2" {
	fallback_load "$WORK/missing.conf" "$WORK/missing.conf: cannot open config: No such file or directory"
}

@test "first load, a value over a limit: the default policy is enforced, exit 2" {
	run "$SG" --config "$WORK/limit.conf" --cgroup "$CG" --pin-dir "$PIN" load
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "$WORK/limit.conf:1: "* ]]
	grep -qx "smtpguard: the config is unusable: enforcing the built-in default policy instead" <<<"$output"
	default_enforced
}

@test "load with an unusable config over a running enforcement keeps the running policy" {
	run "$SG" --config "$WORK/good.conf" --cgroup "$CG" --pin-dir "$PIN" load
	[ "$status" -eq 0 ]
	ids=$(bpftool cgroup show "$CG" | awk '/sg_connect/ { print $1 }')
	run "$SG" --config "$WORK/syntax.conf" --cgroup "$CG" --pin-dir "$PIN" load
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(bpftool cgroup show "$CG" | awk '/sg_connect/ { print $1 }')" = "$ids" ]
	run "$SG" --cgroup "$CG" --pin-dir "$PIN" status
	grep -q "^ports: *$SG_TEST_PORT $SG_TEST_OPEN_PORT$" <<<"$output"
	run try "$U_ALLOWED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
}

@test "reload with an unusable config keeps the running policy, exit 2" {
	run "$SG" --config "$WORK/good.conf" --cgroup "$CG" --pin-dir "$PIN" load
	[ "$status" -eq 0 ]
	run "$SG" --config "$WORK/syntax.conf" --pin-dir "$PIN" reload
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	run "$SG" --cgroup "$CG" --pin-dir "$PIN" status
	grep -q "^ports: *$SG_TEST_PORT $SG_TEST_OPEN_PORT$" <<<"$output"
}

@test "check-config of an unusable config changes nothing in the kernel" {
	run "$SG" check-config "$WORK/syntax.conf"
	[ "$status" -eq 2 ]
	run bpftool cgroup show "$CG"
	[[ "$output" != *sg_connect* ]]
}
