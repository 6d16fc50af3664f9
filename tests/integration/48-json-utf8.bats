#!/usr/bin/env bats
# Issue 11/12: every --json output is valid UTF-8, whatever bytes a user
# puts in a process name (prctl(PR_SET_NAME)) or a path holds. One writer
# (user/json.c) escapes them all alike: valid UTF-8 passes, any other byte
# becomes \u00XX of itself. Text outputs keep their '?' for such bytes.

load lib

# The refused process's name: "sg", two stray bytes, "café" in UTF-8, then
# a UTF-16 surrogate encoded in UTF-8 (never valid). In JSON: the é as is.
NAME_HEX=7367ffe9636166c3a9eda080
NAME_JSON='sg\u00ff\u00e9caf'$'\xc3\xa9''\u00ed\u00a0\u0080'
NAME_TEXT='sg??caf?????'

# strict FILE: FILE is strict UTF-8 and one JSON document per line.
strict() {
	/usr/bin/python3 -c '
import json, sys
text = open(sys.argv[1], "rb").read().decode("utf-8")
for line in text.splitlines():
    if line.strip():
        json.loads(line)' "$1"
}

setup_file() {
	world_up j
	# a cgroup whose path is not UTF-8: status --json prints it
	SUB="$CG/caf"$'\xe9'
	export SUB
	mkdir "$SUB"
	cp "$TOP/build/tests/sgcomm" "$WORK/"
	write_config "$WORK/policy.conf" "ports = $SG_TEST_PORT" "allow_users = root"
	"$SG" --config "$WORK/policy.conf" --cgroup "$SUB" --pin-dir "$PIN" load
	"$SG" log --json --pin-dir "$PIN" >"$WORK/log.json" 2>"$WORK/log.err" &
	echo $! >"$WORK/reader-log.pid"
	sleep 1 # a perf event array keeps nothing until the reader has its buffers
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$SUB" \
		ip netns exec "$NS_C" setpriv --reuid="$U_DENIED" --regid="$G_PLAIN" --clear-groups \
		"$WORK/sgcomm" "$NAME_HEX" "$MX4" "$SG_TEST_PORT" >"$WORK/sgcomm.out" 2>&1 ||
		echo "exit $?" >>"$WORK/sgcomm.out"
	for _ in $(seq 50); do grep -q "\"uid\":$U_DENIED," "$WORK/log.json" && break; sleep 0.1; done
	kill -INT "$(cat "$WORK/reader-log.pid")"
	wait "$(cat "$WORK/reader-log.pid")" || echo "log exit $?" >>"$WORK/log.err"
	rm -f "$WORK/reader-log.pid"
}

teardown_file() {
	"$SG" unload --pin-dir "$PIN" >/dev/null 2>&1
	[ -n "${SUB:-}" ] && rmdir "$SUB" 2>/dev/null
	world_down
}

@test "the process with a non-UTF-8 name was refused" {
	cat "$WORK/sgcomm.out"
	[ "$(cat "$WORK/sgcomm.out")" = "$(printf 'Operation not permitted\nexit 10')" ]
}

@test "stats --json is strict UTF-8 and carries the name, its bad bytes escaped" {
	"$SG" stats --json --pin-dir "$PIN" >"$WORK/stats.json"
	cat "$WORK/stats.json"
	strict "$WORK/stats.json"
	/usr/bin/python3 -c '
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
o = [o for o in d["offenders"] if o["uid"] == int(sys.argv[2])]
assert len(o) == 1 and o[0]["last_comm"] == json.loads("\"" + sys.argv[3] + "\""), o' \
		"$WORK/stats.json" "$U_DENIED" "$NAME_JSON"
	grep -qF "\"last_comm\":\"$NAME_JSON\"" "$WORK/stats.json"
}

@test "log --json is strict UTF-8 and escapes the name the same way" {
	cat "$WORK/log.json" "$WORK/log.err"
	[ ! -s "$WORK/log.err" ]
	strict "$WORK/log.json"
	[ "$(grep -c "\"uid\":$U_DENIED," "$WORK/log.json")" -eq 1 ]
	grep -qF "\"comm\":\"$NAME_JSON\"" "$WORK/log.json"
}

@test "status --json is strict UTF-8 with a cgroup path that is not" {
	"$SG" status --json --pin-dir "$PIN" >"$WORK/status.json"
	cat "$WORK/status.json"
	strict "$WORK/status.json"
	/usr/bin/python3 -c '
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
assert d["loaded"] and d["cgroup"] == sys.argv[2] + "/caf\u00e9", d["cgroup"]' \
		"$WORK/status.json" "$CG"
}

@test "status --json is strict UTF-8 when not loaded at a pin dir that is not" {
	run "$SG" status --json --pin-dir "/sys/fs/bpf/sgt$$-"$'\xff'
	[ "$status" -eq 3 ]
	printf '%s\n' "$output" >"$WORK/none.json"
	strict "$WORK/none.json"
	grep -qF '"pin_dir":"/sys/fs/bpf/sgt'"$$"'-\u00ff"' "$WORK/none.json"
}

@test "check-config --json is strict UTF-8 with a config path that is not" {
	local f="$WORK/p"$'\xe9\xc3\xa9'".conf"
	cp "$WORK/policy.conf" "$f"
	"$SG" check-config --json --config "$f" >"$WORK/check.json"
	cat "$WORK/check.json"
	strict "$WORK/check.json"
	grep -qF '"source":"'"$WORK"'/p\u00e9'$'\xc3\xa9''.conf","mode":"enforce","ports":['"$SG_TEST_PORT"']' \
		"$WORK/check.json"
}

@test "text outputs keep '?' for the name's unsafe bytes" {
	run "$SG" stats --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	grep -Eq "^  $U_DENIED +- +1 .* \\[?$MX4\\]?:$SG_TEST_PORT +$(sed 's/?/[?]/g' <<<"$NAME_TEXT") +refused\$" <<<"$output"
}
