#!/usr/bin/env bats
# connect4 and connect6 are two attachments: when swapping the second fails
# after the first was swapped, the first is put back, so both hooks keep the
# old policy, the pins keep describing it, and one line says so (exit 1).
# The test knob SMTPGUARD_TEST_FAIL_ATTACH=connect6 makes the connect6
# attach fail. Policy A allows $U_ALLOWED, policy B $U_DENIED instead: a
# hook left on B lets $U_DENIED through.

load lib

setup_file() {
	world_up r
	write_config "$WORK/a.conf" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED"
	write_config "$WORK/b.conf" "ports = $SG_TEST_PORT" "allow_users = root, $U_DENIED"
}

teardown_file() {
	world_down
}

teardown() {
	"$SG" --cgroup "$CG" --pin-dir "$PIN" unload >/dev/null 2>&1 || true
}

# judged HOOK_ADDR: exit status of a connect of the refused and the allowed
# user of policy A to the mx at that address, as "REFUSED ALLOWED".
judged() {
	local d a
	run try "$U_DENIED" "$G_PLAIN" "$1" "$SG_TEST_PORT"
	d=$status
	run try "$U_ALLOWED" "$G_PLAIN" "$1" "$SG_TEST_PORT"
	a=$status
	echo "$d $a"
}

# enforces_a: both hooks judge by policy A (sgconnect exits 10 when refused).
enforces_a() {
	local v4 v6
	v4=$(judged "$MX4")
	v6=$(judged "$MX6")
	[ "$v4" = "10 0" ] || { echo "IPv4 not judged by A (refused, allowed): $v4"; return 1; }
	[ "$v6" = "10 0" ] || { echo "IPv6 not judged by A (refused, allowed): $v6"; return 1; }
}

json_field() {
	"$SG" status --json --pin-dir "$PIN" | /usr/bin/python3 -c \
		'import json,sys; d=json.load(sys.stdin); print(d[sys.argv[1]][sys.argv[2]])' "$1" "$2"
}

# hooks_json: what status says of both hooks (program and link ids).
hooks_json() {
	"$SG" status --json --pin-dir "$PIN" | /usr/bin/python3 -c \
		'import json,sys; d=json.load(sys.stdin); print(json.dumps([d["connect4"], d["connect6"]], sort_keys=True))'
}

pinned_id() {
	bpftool -j "$1" show pinned "$PIN/$2" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

# pins_describe_a: the pinned programs are the attached ones, the pinned
# allow_uids map is the one connect4 uses and holds A's users, no staging
# pins are left.
pins_describe_a() {
	local p4 p6 uids
	p4=$(json_field connect4 prog_id)
	p6=$(json_field connect6 prog_id)
	[ "$(pinned_id prog prog_connect4)" = "$p4" ] || { echo "prog_connect4 is not program $p4"; return 1; }
	[ "$(pinned_id prog prog_connect6)" = "$p6" ] || { echo "prog_connect6 is not program $p6"; return 1; }
	uids=$(pinned_id map allow_uids)
	bpftool -j prog show id "$p4" | /usr/bin/python3 -c \
		'import json,sys; ids=json.load(sys.stdin)["map_ids"]; assert int(sys.argv[1]) in ids, ids' "$uids" ||
		{ echo "pinned allow_uids (map $uids) is not connect4's"; return 1; }
	bpftool -j map dump pinned "$PIN/allow_uids" | /usr/bin/python3 -c '
import json, sys
keys = sorted(int.from_bytes(bytes(int(b, 16) for b in e["key"]), "little") for e in json.load(sys.stdin))
assert keys == [0, int(sys.argv[1])], keys' "$U_ALLOWED" || { echo "pinned allow_uids does not hold A's users"; return 1; }
	run ls "$PIN"
	[[ "$output" != *-new* ]] || { echo "staging pins left: $output"; return 1; }
}

# status_clean_a METHOD: status exits 0 without a warning and shows A.
status_clean_a() {
	run "$SG" status --pin-dir "$PIN"
	[ "$status" -eq 0 ] || { echo "status $status: $output"; return 1; }
	[[ "$output" != *warning* ]] || { echo "$output"; return 1; }
	grep -q "^allow users: *root(0) $U_ALLOWED$" <<<"$output" || { echo "$output"; return 1; }
	grep -q "^attach method: *$1$" <<<"$output" || { echo "$output"; return 1; }
}

# rollback METHOD: load A, reload B with connect6 failing, check, then
# reload B for real (so the checks above can tell A from B).
rollback() {
	local method=$1 hooks
	run sg --config "$WORK/a.conf" --cgroup "$CG" load
	[ "$status" -eq 0 ] || { echo "load A: $output"; return 1; }
	enforces_a
	hooks=$(hooks_json)

	SMTPGUARD_TEST_FAIL_ATTACH=connect6 run sg --config "$WORK/b.conf" reload
	[ "$status" -eq 1 ] || { echo "reload B with connect6 failing: exit $status: $output"; return 1; }
	[ "$output" = "smtpguard: cannot attach to $CG (connect6): Operation not permitted (SMTPGUARD_TEST_FAIL_ATTACH); connect4 is back on its old program: the old policy stays in force" ] ||
		{ echo "not the one line: $output"; return 1; }
	enforces_a
	# the same programs (and links) as before
	[ "$(hooks_json)" = "$hooks" ] || { echo "hooks were $hooks, now $(hooks_json)"; return 1; }
	pins_describe_a
	status_clean_a "$method"

	# the same reload without the knob swaps both hooks to B
	run sg --config "$WORK/b.conf" reload
	[ "$status" -eq 0 ] || { echo "reload B: $output"; return 1; }
	[ "$(judged "$MX4")" = "0 10" ] || { echo "IPv4 not judged by B"; return 1; }
	[ "$(judged "$MX6")" = "0 10" ] || { echo "IPv6 not judged by B"; return 1; }
}

@test "prog_attach: a reload whose connect6 attach fails puts connect4 back, keeps the pins, says so" {
	rollback prog_attach
}

@test "bpf_link: a reload whose connect6 update fails puts connect4's link back, keeps the pins, says so" {
	export SMTPGUARD_FORCE_LINK=1
	rollback bpf_link
}

@test "a reload whose connect4 attach fails changes nothing and says so" {
	local hooks
	run sg --config "$WORK/a.conf" --cgroup "$CG" load
	[ "$status" -eq 0 ]
	hooks=$(hooks_json)
	SMTPGUARD_TEST_FAIL_ATTACH=connect4 run sg --config "$WORK/b.conf" reload
	[ "$status" -eq 1 ]
	[ "$output" = "smtpguard: cannot attach to $CG (connect4): Operation not permitted (SMTPGUARD_TEST_FAIL_ATTACH); the old policy stays in force" ] ||
		{ echo "not the one line: $output"; return 1; }
	[ "$(hooks_json)" = "$hooks" ]
	enforces_a
	pins_describe_a
	status_clean_a prog_attach
}

@test "a first load whose connect6 attach fails leaves nothing attached and nothing pinned" {
	SMTPGUARD_TEST_FAIL_ATTACH=connect6 run sg --config "$WORK/a.conf" --cgroup "$CG" load
	[ "$status" -eq 1 ]
	[ "$output" = "smtpguard: cannot attach to $CG (connect6): Operation not permitted (SMTPGUARD_TEST_FAIL_ATTACH); nothing is attached" ] ||
		{ echo "not the one line: $output"; return 1; }
	run bpftool cgroup show "$CG"
	[ "$status" -eq 0 ]
	[[ "$output" != *sg_connect* ]] || { echo "left attached: $output"; return 1; }
	[ ! -e "$PIN" ]
	run sg status
	[ "$status" -eq 3 ]
	run try "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
}
