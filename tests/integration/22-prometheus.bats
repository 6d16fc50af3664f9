#!/usr/bin/env bats
# Issue 11 (part B): monitoring a fleet relies on. `stats --prometheus`
# always says something (smtpguard_loaded 0 when nothing is loaded) in a
# form promtool accepts, writes the node_exporter textfile atomically
# (--output), the alert rules pass their promtool unit tests, the Grafana
# dashboard asks only for metrics smtpguard emits; `stats --user`; one
# offender table when both orders agree; the readers (stats, status, log)
# with the least privilege the kernel asks for, and a one-line message
# naming what is missing where it refuses.

load lib

setup_file() {
	world_up p
	write_config "$WORK/policy.conf" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED" \
		"allow_groups = $G_ALLOWED"
	"$SG" --config "$WORK/policy.conf" --cgroup "$CG" --pin-dir "$PIN" load
	# offenders: 2101 the busiest (30), 2102 (20), 2103 (10), then 2101 once
	# more, so the busiest is also the most recent
	local u n
	for u in 2101:30 2102:20 2103:10 2101:1; do
		n=${u#*:}
		as "${u%:*}" "$G_PLAIN" "$WORK/sgconnect" --count "$n" "$MX4" "$SG_TEST_PORT" >/dev/null
	done
}

teardown_file() {
	world_down
}

teardown() {
	stop_readers
	if [ -n "${X_PIN:-}" ]; then
		"$SG" --cgroup "$X_CG" --pin-dir "$X_PIN" unload >/dev/null 2>&1
		rm -rf "$X_PIN" 2>/dev/null
		rmdir "$X_CG" 2>/dev/null
	fi
	return 0
}

need_promtool() {
	command -v promtool >/dev/null || skip "promtool not installed (Debian: package prometheus)"
}

# capset SET CMD...: CMD as root with only the capabilities in SET (setpriv
# syntax, e.g. -all,+bpf), kept across exec.
capset() {
	local set=$1
	shift
	setpriv --bounding-set="$set" --inh-caps="$set" --ambient-caps="$set" "$@"
}

@test "not loaded: smtpguard_loaded 0, exit 0, and promtool accepts it" {
	need_promtool
	run "$SG" stats --prometheus --pin-dir "${PIN}none"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	grep -qx 'smtpguard_loaded 0' <<<"$output"
	grep -qE '^smtpguard_build_info\{version="[^"]+",format="[0-9]+"\} 1$' <<<"$output"
	grep -qE '^smtpguard_report_timestamp_seconds [0-9]+\.[0-9]{3}$' <<<"$output"
	run ! grep -q '^smtpguard_connects_total' <<<"$output"
	run promtool check metrics <<<"$("$SG" stats --prometheus --pin-dir "${PIN}none")"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	# the other formats still say "not loaded" with exit 3
	run "$SG" stats --pin-dir "${PIN}none"
	[ "$status" -eq 3 ]
}

@test "loaded: one connects metric with verdict and family labels, info metrics, promtool accepts it" {
	need_promtool
	local out
	out=$("$SG" stats --prometheus --pin-dir "$PIN")
	echo "$out"
	grep -qx 'smtpguard_loaded 1' <<<"$out"
	grep -qx 'smtpguard_policy_info{mode="enforce"} 1' <<<"$out"
	grep -qx 'smtpguard_connects_total{verdict="refused",family="ipv4"} 61' <<<"$out"
	grep -qx 'smtpguard_connects_total{verdict="refused",family="ipv6"} 0' <<<"$out"
	[ "$(grep -c '^# TYPE smtpguard_connects_total counter$' <<<"$out")" -eq 1 ]
	[ "$(grep -c '^smtpguard_connects_total{' <<<"$out")" -eq 16 ]
	grep -qx 'smtpguard_events_lost_total 0' <<<"$out"
	grep -qE '^smtpguard_events_suppressed_total [0-9]+$' <<<"$out"
	grep -qE '^smtpguard_offender_attempts_total\{uid="2101",user="[^"]*"\} 31$' <<<"$out"
	# valid UTF-8 throughout
	iconv -f UTF-8 -t UTF-8 <<<"$out" >/dev/null
	run promtool check metrics <<<"$out"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	# and promtool does reject a broken exposition (the check is not vacuous)
	run promtool check metrics <<<$'# TYPE a counter\na{x="1} 1'
	[ "$status" -ne 0 ]
}

@test "--top N: per-account series for the top N accounts only" {
	local total
	total=$("$SG" stats --json --pin-dir "$PIN" |
		/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["offenders_total"])')
	[ "$total" -ge 3 ]
	run "$SG" stats --prometheus --top 2 --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^smtpguard_offender_attempts_total{' <<<"$output")" -eq 2 ]
	[ "$(grep -c '^smtpguard_offender_last_seen_seconds{' <<<"$output")" -eq 2 ]
	# the busiest two
	grep -q '^smtpguard_offender_attempts_total{uid="2101",' <<<"$output"
	grep -q '^smtpguard_offender_attempts_total{uid="2102",' <<<"$output"
	grep -qx "smtpguard_offenders $total" <<<"$output"
	run "$SG" stats --prometheus --top 100 --pin-dir "$PIN"
	[ "$(grep -c '^smtpguard_offender_attempts_total{' <<<"$output")" -eq "$total" ]
}

@test "--output writes the textfile atomically: whole, 0644, no temporary file left" {
	need_promtool
	local d=$WORK/textfile
	mkdir -p "$d"
	run "$SG" stats --prometheus --output "$d/smtpguard.prom" --pin-dir "$PIN"
	[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$output"; return 1; }
	[ "$(stat -c %a "$d/smtpguard.prom")" = 644 ]
	[ "$(ls -A "$d")" = smtpguard.prom ]
	run promtool check metrics <"$d/smtpguard.prom"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	# each write replaces the file (a new inode), so a reader holding the
	# old one never sees it change under it
	local ino
	ino=$(stat -c %i "$d/smtpguard.prom")
	"$SG" stats --prometheus --output "$d/smtpguard.prom" --pin-dir "$PIN"
	[ "$(stat -c %i "$d/smtpguard.prom")" != "$ino" ]
	# readers racing 100 writes always see a whole file
	( for _ in $(seq 100); do "$SG" stats --prometheus --output "$d/smtpguard.prom" --pin-dir "$PIN"; done ) &
	local w=$! bad=0
	while kill -0 "$w" 2>/dev/null; do
		tail -n 1 "$d/smtpguard.prom" | grep -q '^smtpguard_offender_last_seen_seconds{' || bad=$((bad + 1))
	done
	wait "$w"
	[ "$bad" -eq 0 ]
	[ "$(ls -A "$d")" = smtpguard.prom ]
}

@test "--output: a failure leaves the old file, says one line and exits 1" {
	local d=$WORK/textfile2
	mkdir -p "$d"
	"$SG" stats --prometheus --output "$d/smtpguard.prom" --pin-dir "$PIN"
	cp "$d/smtpguard.prom" "$WORK/before.prom"
	# the state cannot be read (a --cgroup that is no cgroup): nothing written
	run "$SG" stats --prometheus --output "$d/smtpguard.prom" --pin-dir "$PIN" --cgroup /tmp
	[ "$status" -eq 2 ]
	cmp "$d/smtpguard.prom" "$WORK/before.prom"
	# no such directory
	run "$SG" stats --prometheus --output "$WORK/no-such-dir/smtpguard.prom" --pin-dir "$PIN"
	[ "$status" -eq 1 ]
	[ "$output" = "smtpguard: cannot create a temporary file beside $WORK/no-such-dir/smtpguard.prom: No such file or directory" ]
	# --output goes with --prometheus only
	run "$SG" stats --output "$d/x" --pin-dir "$PIN"
	[ "$status" -eq 2 ]
	[ "$output" = "smtpguard: --output applies only to 'monitor' and 'stats --prometheus'" ]
}

@test "alert rules: promtool check rules and the rule unit tests pass; a broken rule fails them" {
	need_promtool
	run promtool check rules "$TOP/monitoring/prometheus/smtpguard.rules.yml"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	cd "$TOP/monitoring/prometheus"
	local t
	for t in *.test.yml; do
		run promtool test rules "$t"
		[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	done
	# the unit tests see a threshold that would never page, and a rule that
	# pages everywhere
	mkdir -p "$WORK/rules"
	cp smtpguard.test.yml "$WORK/rules/"
	sed 's/\* 60 > 10$/* 60 > 1000/' smtpguard.rules.yml >"$WORK/rules/smtpguard.rules.yml"
	run ! cmp -s smtpguard.rules.yml "$WORK/rules/smtpguard.rules.yml"
	run promtool test rules "$WORK/rules/smtpguard.test.yml"
	[ "$status" -ne 0 ]
	sed 's/smtpguard_loaded == 0$/smtpguard_loaded >= 0/' smtpguard.rules.yml >"$WORK/rules/smtpguard.rules.yml"
	run promtool test rules "$WORK/rules/smtpguard.test.yml"
	[ "$status" -ne 0 ]
}

@test "the rules and the dashboard use only metrics stats --prometheus emits" {
	local emitted used m
	emitted=$("$SG" stats --prometheus --pin-dir "$PIN" | sed -n 's/^# TYPE \([^ ]*\) .*/\1/p')
	[ -n "$emitted" ]
	used=$(/usr/bin/python3 "$TOP/tests/helpers/dashboard_metrics.py" "$TOP/monitoring/grafana/smtpguard.json")
	[ "$(wc -l <<<"$used")" -ge 8 ] || { echo "$used"; return 1; }
	for m in $used; do
		grep -qx "$m" <<<"$emitted" || { echo "dashboard uses $m, not emitted"; return 1; }
	done
	# every panel group is there: fleet overview, per host, top offenders
	local title
	for title in "Fleet overview" "Per host" "Top offenders"; do
		grep -q "\"title\": \"$title\"" "$TOP/monitoring/grafana/smtpguard.json" ||
			{ echo "no '$title' row"; return 1; }
	done
	# the rules' metrics too (the smtpguard_ names in their expressions)
	for m in $(grep -E '^ *expr:' "$TOP/monitoring/prometheus/smtpguard.rules.yml" | grep -oE 'smtpguard_[a-z_]+' | sort -u); do
		grep -qx "$m" <<<"$emitted" || { echo "rules use $m, not emitted"; return 1; }
	done
	# the check does catch a metric smtpguard does not emit
	sed 's/smtpguard_offenders{/smtpguard_no_such_metric{/' "$TOP/monitoring/grafana/smtpguard.json" >"$WORK/dash.json"
	run /usr/bin/python3 "$TOP/tests/helpers/dashboard_metrics.py" "$WORK/dash.json"
	grep -qx smtpguard_no_such_metric <<<"$output"
	run ! grep -qx smtpguard_no_such_metric <<<"$emitted"
}

@test "stats --user NAME|UID: one account's record, text and JSON" {
	run "$SG" stats --user 2102 --pin-dir "$PIN"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	echo "$output"
	grep -qE '^uid: +2102' <<<"$output"
	grep -qE '^attempts: +20$' <<<"$output"
	grep -qE "^last destination: +$MX4:$SG_TEST_PORT$" <<<"$output"
	grep -qE '^last verdict: +refused$' <<<"$output"
	run "$SG" stats --user 2102 --json --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	/usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["uid"] == 2102 and d["count"] == 20 and d["last_verdict"] == "refused", d' "$output"
	# an account with no record (root is allowed), by name
	run "$SG" stats --user root --json --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	[ "$output" = '{"uid":0,"user":"root","count":0}' ]
	run "$SG" stats --user root --pin-dir "$PIN"
	grep -qE '^attempts: +0 \(none on record' <<<"$output"
	run "$SG" stats --user no-such-user-sg --pin-dir "$PIN"
	[ "$status" -eq 2 ]
	[ "$output" = "smtpguard: --user: no user named 'no-such-user-sg'" ]
	run "$SG" stats --user 2102 --pin-dir "${PIN}none"
	[ "$status" -eq 3 ]
}

@test "stats prints one offender table when busiest and most recent are the same rows" {
	run "$SG" stats --top 1 --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	grep -qx 'Offenders (busiest and most recent):' <<<"$output" || { echo "$output"; return 1; }
	run ! grep -q 'Most recent offenders' <<<"$output"
	# they differ once another account is the most recent
	run "$SG" stats --top 3 --pin-dir "$PIN"
	grep -qx 'Busiest offenders:' <<<"$output" || { echo "$output"; return 1; }
	grep -qx 'Most recent offenders:' <<<"$output"
}

@test "readers with CAP_BPF alone: stats, status and log work; status says what it could not verify" {
	[ "$(cat /proc/sys/kernel/cap_last_cap)" -ge 39 ] || skip "no CAP_BPF in this kernel (before 5.8)"
	run capset -all,+bpf "$SG" stats --json --pin-dir "$PIN"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run capset -all,+bpf "$SG" stats --prometheus --pin-dir "$PIN"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	grep -qx 'smtpguard_loaded 1' <<<"$output"
	run capset -all,+bpf "$SG" status --pin-dir "$PIN"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	# listing a cgroup's programs needs CAP_NET_ADMIN: said, not hidden
	grep -q "^attach method: .*(attachment not verified: listing a cgroup's programs needs CAP_NET_ADMIN" <<<"$output"
	run capset -all,+bpf "$SG" status --json --pin-dir "$PIN"
	grep -q '"attach_verified":false' <<<"$output"
	run capset -all,+bpf,+net_admin "$SG" status --json --pin-dir "$PIN"
	grep -q '"attach_verified":true' <<<"$output"
	# log: an event while it follows
	# setpriv itself in the background (no function, no subshell): the PID
	# is the log's, which stops on SIGINT
	setpriv --bounding-set=-all,+bpf --inh-caps=-all,+bpf --ambient-caps=-all,+bpf \
		"$SG" log --json --pin-dir "$PIN" >"$WORK/capbpf.log" 2>&1 &
	echo $! >"$WORK/reader-capbpf.pid"
	sleep 0.5
	as 2104 "$G_PLAIN" "$WORK/sgconnect" "$MX4" "$SG_TEST_PORT" >/dev/null || true
	for _ in $(seq 50); do grep -q '"uid":2104' "$WORK/capbpf.log" && break; sleep 0.1; done
	kill -INT "$(cat "$WORK/reader-capbpf.pid")"
	wait "$(cat "$WORK/reader-capbpf.pid")" || true
	rm -f "$WORK/reader-capbpf.pid"
	grep -q '"uid":2104' "$WORK/capbpf.log" || { cat "$WORK/capbpf.log"; return 1; }
}

@test "readers without access to the pins, or without CAP_BPF where the kernel asks for it: one line, exit 1" {
	local pin_line="smtpguard: cannot access pin dir $PIN: Permission denied (the pins are root's: needs root with CAP_BPF, or CAP_SYS_ADMIN)"
	local cmd
	# another UID: the pins are root's
	for cmd in status "stats --json" "stats --prometheus"; do
		# shellcheck disable=SC2086
		run setpriv --reuid=65534 --regid=65534 --clear-groups "$SG" --pin-dir "$PIN" $cmd
		[ "$status" -eq 1 ] && [[ "$output" != *$'\n'* ]] && [[ "$output" == *"Permission denied (the pins are root's"* ]] ||
			{ echo "$cmd: $status $output"; return 1; }
	done
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$SG" --pin-dir "$PIN" status
	[ "$output" = "$pin_line" ]
	# root without any capability: since Linux 6.5 reading pinned objects
	# asks only for file access; before, with kernel.unprivileged_bpf_disabled
	# set, every bpf() call needs CAP_BPF
	local v maj min
	v=$(uname -r)
	maj=${v%%.*}
	min=${v#*.}
	min=${min%%[!0-9]*}
	run capset -all "$SG" stats --json --pin-dir "$PIN"
	if [ "$maj" -gt 6 ] || { [ "$maj" -eq 6 ] && [ "$min" -ge 5 ]; } ||
		[ "$(cat /proc/sys/kernel/unprivileged_bpf_disabled)" = 0 ]; then
		[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	else
		[ "$status" -eq 1 ] && [[ "$output" != *$'\n'* ]] && [[ "$output" == *"(the pins are root's: needs root with CAP_BPF"* ]] ||
			{ echo "$status $output"; return 1; }
	fi
}

@test "unload without capabilities does what the kernel allows, nothing half-done" {
	X_CG="$(cgroup2_root)/sgx$$"
	X_PIN="/sys/fs/bpf/sgx$$"
	mkdir "$X_CG"
	"$SG" --config "$WORK/policy.conf" --cgroup "$X_CG" --pin-dir "$X_PIN" load
	run capset -all "$SG" --cgroup "$X_CG" --pin-dir "$X_PIN" unload
	echo "$status $output"
	if [ "$status" -eq 0 ]; then
		# the kernel let the pins' owner detach through the pinned programs
		[ -z "$(bpftool cgroup show "$X_CG")" ]
		[ ! -e "$X_PIN" ]
	else
		# refused: one line per hook naming the capability, all kept
		[ "$status" -eq 1 ]
		grep -q 'needs CAP_' <<<"$output"
		[ "$(bpftool cgroup show "$X_CG" | grep -c sg_connect)" -eq 2 ]
		[ -e "$X_PIN/prog_connect4" ]
	fi
}

@test "readers without CAP_SYS_ADMIN, pins gone: one line, never \"not loaded\" on a guess" {
	X_CG="$(cgroup2_root)/sgy$$"
	X_PIN="/sys/fs/bpf/sgy$$"
	mkdir "$X_CG"
	"$SG" --config "$WORK/policy.conf" --cgroup "$X_CG" --pin-dir "$X_PIN" load
	rm -rf "$X_PIN"
	# programs attached but unpinned: only an id lookup tells they are ours
	run capset -all,+bpf,+net_admin "$SG" --cgroup "$X_CG" --pin-dir "$X_PIN" status
	[ "$status" -eq 1 ]
	[ "$output" = "smtpguard: cannot tell whether the connect4 programs attached to $X_CG are smtpguard's: Operation not permitted (finding BPF programs by id needs CAP_SYS_ADMIN)" ]
	run capset -all,+bpf,+net_admin "$SG" --cgroup "$X_CG" --pin-dir "$X_PIN" stats --prometheus
	[ "$status" -eq 1 ]
	run ! grep -q 'smtpguard_loaded 0' <<<"$output"
	run capset -all,+bpf "$SG" --cgroup "$X_CG" --pin-dir "$X_PIN" status
	[ "$status" -eq 1 ]
	[ "$output" = "smtpguard: cannot list the connect4 programs of cgroup $X_CG: Operation not permitted (listing a cgroup's programs needs CAP_NET_ADMIN)" ]
	# with every capability it is found as before
	run "$SG" --cgroup "$X_CG" --pin-dir "$X_PIN" status
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}
