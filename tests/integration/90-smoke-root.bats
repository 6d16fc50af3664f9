#!/usr/bin/env bats
# The true default, once: `smtpguard load` with no --cgroup/--pin-dir attaches
# at the cgroup v2 root and pins in /sys/fs/bpf/smtpguard; status reports it;
# unload removes it. teardown_file unloads on every exit path, and the test
# refuses to run over an enforcement it did not load.

load lib

DEFAULT_PIN=/sys/fs/bpf/smtpguard

setup_file() {
	if [ -e "$DEFAULT_PIN" ]; then
		export SMOKE_SKIP="an enforcement is already loaded at $DEFAULT_PIN: not touching it"
		return 0
	fi
	export SMOKE_OWNED=1
	world_up r
	# this test judges the default policy, so port 25 itself: a local MTA
	# there too (the world's listeners are on the test ports)
	ip netns exec "$NS_C" "$WORK/sgserve" local 25 >"$WORK/local25.log" 2>&1 &
	echo $! >"$WORK/local25.pid"
	for _ in $(seq 100); do grep -q ready "$WORK/local25.log" && break; sleep 0.05; done
	grep -q ready "$WORK/local25.log"
}

teardown_file() {
	[ -n "${SMOKE_OWNED:-}" ] && "$SG" unload >/dev/null 2>&1
	world_down
}

setup() {
	[ -z "${SMOKE_SKIP:-}" ] || skip "$SMOKE_SKIP"
}

@test "load with no options attaches at the cgroup v2 root and pins in $DEFAULT_PIN" {
	root=$(cgroup2_root)
	run "$SG" load
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"loaded"*" on $root:"* ]]
	run bpftool cgroup show "$root"
	grep -q "cgroup_inet4_connect .* sg_connect4" <<<"$output"
	grep -q "cgroup_inet6_connect .* sg_connect6" <<<"$output"
	[ "$(stat -c %a "$DEFAULT_PIN")" = 700 ]
}

@test "status reports the root attachment" {
	run "$SG" status
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "^cgroup: *$(cgroup2_root) (id [0-9]*)$" <<<"$output"
	grep -q "^pin dir: *$DEFAULT_PIN$" <<<"$output"
}

@test "at the root, every process is covered: a non-allowed client in a test netns is refused" {
	# not moved into any test cgroup: it inherits the root's programs
	run ip netns exec "$NS_C" setpriv --reuid=1001 --regid=1001 --clear-groups \
		"$WORK/sgconnect" "$MX4" 25
	[ "$status" -eq 10 ]
	run ip netns exec "$NS_C" setpriv --reuid=1001 --regid=1001 --clear-groups \
		"$WORK/sgconnect" 127.0.0.1 25
	[ "$output" = "connected 220 local 25" ]
}

@test "unload detaches from the root and removes the pins" {
	run "$SG" unload
	[ "$status" -eq 0 ]
	run bpftool cgroup show "$(cgroup2_root)"
	[ "$status" -eq 0 ]
	[[ "$output" != *sg_connect* ]] || { echo "still attached at the root: $output"; return 1; }
	[ ! -e "$DEFAULT_PIN" ]
	run "$SG" status
	[ "$status" -eq 3 ]
}
