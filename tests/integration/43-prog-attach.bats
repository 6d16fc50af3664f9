#!/usr/bin/env bats
# The attach method: BPF_PROG_ATTACH with BPF_F_ALLOW_MULTI (BPF_F_REPLACE on
# update) and pinned programs, the default since it outlives its pins
# (44-lost-pins.bats); its swaps, leftovers and foreign programs.

load lib
load 41-lib

setup_file() {
	world_up p
	write_config "$WORK/policy.conf" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED" \
		"allow_groups = $G_ALLOWED"
	"$SG" --config "$WORK/policy.conf" --cgroup "$CG" \
		--pin-dir "$PIN" load
	FOREIGN="${PIN}x"
	export FOREIGN
}

teardown_file() {
	[ -n "${FOREIGN:-}" ] && [ -e "$FOREIGN/allow4" ] &&
		bpftool cgroup detach "$CG" connect4 pinned "$FOREIGN/allow4" 2>/dev/null
	[ -n "${FOREIGN:-}" ] && rm -rf "$FOREIGN"
	world_down
}

# prog_ids HOOK: ids of the programs attached to the test cgroup at HOOK.
prog_ids() {
	bpftool -j cgroup show "$CG" | /usr/bin/python3 -c '
import json, sys
print(" ".join(str(p["id"]) for p in json.load(sys.stdin) if p["attach_type"] == sys.argv[1]))' "$1"
}

ours_attached() {
	local out
	out=$(bpftool cgroup show "$CG")
	[ "$(grep -c 'cgroup_inet4_connect *multi *sg_connect4' <<<"$out")" -eq "$1" ] &&
		[ "$(grep -c 'cgroup_inet6_connect *multi *sg_connect6' <<<"$out")" -eq "$1" ]
}

@test "prog_attach: one program per hook, attached multi, programs pinned, no links" {
	ours_attached 1
	[ -e "$PIN/prog_connect4" ] && [ -e "$PIN/prog_connect6" ]
	[ ! -e "$PIN/link_connect4" ] && [ ! -e "$PIN/link_connect6" ]
	[ "$(bpftool -j prog show pinned "$PIN/prog_connect4" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')" = "$(prog_ids cgroup_inet4_connect)" ]
	enforced
}

@test "prog_attach: status says so and exits 0; --json too" {
	run "$SG" status --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	[[ "$output" != *warning* ]]
	grep -q "^attach method: *prog_attach$" <<<"$output"
	grep -q "^connect4: *program $(prog_ids cgroup_inet4_connect)$" <<<"$output"
	grep -q "^allow users: *root(0) $U_ALLOWED$" <<<"$output"
	run "$SG" status --json --pin-dir "$PIN"
	/usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["loaded"] and d["attach_method"]=="prog_attach", d' "$output"
}

@test "prog_attach: reload swaps the programs in place (one per hook throughout)" {
	local old4
	old4=$(prog_ids cgroup_inet4_connect)
	write_config "$WORK/policy2.conf" "ports = $SG_TEST_PORT, $SG_TEST_OPEN_PORT" "allow_users = root, $U_ALLOWED"
	run "$SG" --config "$WORK/policy2.conf" --pin-dir "$PIN" reload
	[ "$status" -eq 0 ]
	[[ "$output" == *"policy updated"* ]]
	ours_attached 1
	[ "$(prog_ids cgroup_inet4_connect)" != "$old4" ]
	run try "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_OPEN_PORT"
	[ "$status" -eq 10 ]
	run "$SG" status --pin-dir "$PIN"
	grep -q "^ports: *$SG_TEST_PORT $SG_TEST_OPEN_PORT$" <<<"$output"
	grep -q "^attach method: *prog_attach$" <<<"$output"
	[[ "$output" != *warning* ]]
	# load again: still one program per hook, no links
	run "$SG" --config "$WORK/policy.conf" --cgroup "$CG" --pin-dir "$PIN" load
	[ "$status" -eq 0 ]
	ours_attached 1
	[ ! -e "$PIN/link_connect4" ]
}

@test "prog_attach: reload in a loop under load: no allowed connect refused, no refused UID through" {
	reload_under_load 6 200
	ours_attached 1
}

@test "prog_attach: a reload killed between attach and pin is found and repaired by load" {
	local old4 new4 i
	old4=$(prog_ids cgroup_inet4_connect)
	# a slow reload: wait until its connect4 program is attached, then kill it
	SMTPGUARD_TEST_STEP_MS=1000 "$SG" --config "$WORK/policy2.conf" --pin-dir "$PIN" reload \
		>/dev/null 2>&1 &
	pid=$!
	for i in $(seq 400); do
		new4=$(prog_ids cgroup_inet4_connect)
		[ "$new4" != "$old4" ] && break
		sleep 0.025
	done
	kill -9 "$pid"
	wait "$pid" || true
	[ "$new4" != "$old4" ]
	# the new program judges connect4, pinned only at its staging name
	[ -e "$PIN/prog_connect4-new" ]
	ours_attached 1
	enforced
	run "$SG" status --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: the pinned programs are not the attached ones"* ]]
	run "$SG" --config "$WORK/policy.conf" --cgroup "$CG" --pin-dir "$PIN" load
	[ "$status" -eq 0 ]
	ours_attached 1
	run "$SG" status --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	[[ "$output" != *warning* ]]
	run ls "$PIN"
	[[ "$output" != *-new* ]] || { echo "staging pins left: $output"; return 1; }
	enforced
}

@test "prog_attach: unload detaches exactly our programs, also one whose pin was lost" {
	local old4 i
	# someone else's program on the same hook and cgroup
	mkdir -p "$FOREIGN"
	bpftool prog loadall "$TOP/build/tests/allow_all.bpf.o" "$FOREIGN"
	bpftool cgroup attach "$CG" connect4 pinned "$FOREIGN/allow4" multi
	# a cut-short reload leaves a program of ours attached, and its staging
	# pin is then lost as well
	old4=$(prog_ids cgroup_inet4_connect)
	SMTPGUARD_TEST_STEP_MS=1000 "$SG" --config "$WORK/policy2.conf" --pin-dir "$PIN" reload \
		>/dev/null 2>&1 &
	pid=$!
	for i in $(seq 400); do
		[ "$(prog_ids cgroup_inet4_connect)" != "$old4" ] && break
		sleep 0.025
	done
	kill -9 "$pid"
	wait "$pid" || true
	rm -f "$PIN/prog_connect4-new"
	run "$SG" unload --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	[[ "$output" == *unloaded* ]]
	run bpftool cgroup show "$CG"
	[ "$status" -eq 0 ]
	[[ "$output" != *sg_connect* ]] || { echo "left attached: $output"; return 1; }
	grep -q 'cgroup_inet4_connect *multi *allow4' <<<"$output"
	[ ! -e "$PIN" ]
	run try "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
	bpftool cgroup detach "$CG" connect4 pinned "$FOREIGN/allow4"
	rm -rf "$FOREIGN"
	run "$SG" status --pin-dir "$PIN"
	[ "$status" -eq 3 ]
}
