#!/usr/bin/env bats
# Zero-gap reload: workers of allowed and non-allowed UIDs connect to the
# remote guarded port without pause while `smtpguard reload` swaps in a different
# policy each time (one that judges these UIDs alike). Not one allowed
# connect may be refused, not one refused UID may get through.

load lib
load 41-lib

setup_file() {
	world_up r
	write_config "$WORK/start.conf" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED" \
		"allow_groups = $G_ALLOWED"
	"$SG" --config "$WORK/start.conf" --cgroup "$CG" --pin-dir "$PIN" load
}

teardown_file() {
	world_down
}

@test "reload in a loop under load: no allowed connect refused, no refused UID through" {
	local before after
	before=$("$SG" status --json --pin-dir "$PIN" | /usr/bin/python3 -c \
		'import json,sys; d=json.load(sys.stdin); print(d["connect4"]["link_id"], d["connect6"]["link_id"])')
	reload_under_load 10 300
	after=$("$SG" status --json --pin-dir "$PIN" | /usr/bin/python3 -c \
		'import json,sys; d=json.load(sys.stdin); print(d["connect4"]["link_id"], d["connect6"]["link_id"])')
	# the links were updated in place the whole time
	[ "$before" = "$after" ]
}

@test "after the reload loop: status is clean and one program per hook is attached" {
	run "$SG" status --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	[[ "$output" != *"warning"* ]]
	run bpftool cgroup show "$CG"
	[ "$(grep -c cgroup_inet4_connect <<<"$output")" -eq 1 ]
	[ "$(grep -c cgroup_inet6_connect <<<"$output")" -eq 1 ]
	if ls "$PIN" | grep -q -- '-new$'; then ls "$PIN"; return 1; fi
}
