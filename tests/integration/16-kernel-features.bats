#!/usr/bin/env bats
# Kernel feature probes and their fallbacks (issue 9): the perf event array
# in place of the ring buffer (before Linux 5.8) and the monotonic clock in
# place of boot time (no bpf_ktime_get_boot_ns before 5.8). This kernel has
# both, so the fallbacks are forced with the test knobs
# SMTPGUARD_FORCE_PERFBUF=1 and SMTPGUARD_FORCE_MONO_CLOCK=1, alone and
# together, and each mode is checked end to end: the events map's type, the
# program the verifier kept, status, log --json, monitor, stats.

load lib

setup_file() {
	world_up f
	# a high event rate: every refusal here must become an event
	write_config "$WORK/policy.conf" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED" \
		"event_rate = 1000"
	export CONF="$WORK/policy.conf"
}

teardown_file() {
	world_down
}

teardown() {
	stop_readers
}

# load_mode MODE: load (or update) with the knobs of MODE: ringbuf, perfbuf,
# mono or both. Output in $output, exit code in $status.
load_mode() {
	local env=()
	case $1 in
	perfbuf) env=(SMTPGUARD_FORCE_PERFBUF=1) ;;
	mono) env=(SMTPGUARD_FORCE_MONO_CLOCK=1) ;;
	both) env=(SMTPGUARD_FORCE_PERFBUF=1 SMTPGUARD_FORCE_MONO_CLOCK=1) ;;
	esac
	run env "${env[@]}" "$SG" --config "$CONF" --cgroup "$CG" --pin-dir "$PIN" load
	echo "$output"
	[ "$status" -eq 0 ]
}

# want_features MODE: the text status line and the JSON field for MODE.
want_features() {
	local text json
	case $1 in
	ringbuf) text="ringbuf, boottime" json='["ringbuf","boottime"]' ;;
	perfbuf) text="perfbuf, boottime" json='["perfbuf","boottime"]' ;;
	mono) text="ringbuf, monotonic" json='["ringbuf","monotonic"]' ;;
	both) text="perfbuf, monotonic" json='["perfbuf","monotonic"]' ;;
	esac
	run sg status
	[ "$status" -eq 0 ]
	grep -q "^features: *$text\$" <<<"$output"
	run sg status --json
	[ "$status" -eq 0 ]
	/usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["features"] == json.loads(sys.argv[2]), d["features"]' "$output" "$json"
}

# nogrep PATTERN TEXT: fails when TEXT has PATTERN (a bare `! grep` that is
# not a test's last command can never fail it).
nogrep() {
	if grep -q "$1" <<<"$2"; then
		echo "unexpected: $1"
		return 1
	fi
}

# stop_reader PID: SIGINT to a log we started; it must exit 0 within 5 s
# (else it is killed and the test fails, rather than hang).
stop_reader() {
	local pid=$1
	kill -INT "$pid"
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	wait "$pid"
}

events_map_type() {
	bpftool -j map show pinned "$PIN/events" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["type"])'
}

# xlated: the connect4 program as the verifier left it (dead branches gone).
xlated() {
	bpftool prog dump xlated pinned "$PIN/prog_connect4"
}

counter() {
	sg stats --json --top 1000 | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"][sys.argv[1]][sys.argv[2]])' "$1" "$2"
}

# log_refusals UID N: `smtpguard log --json` into $WORK/log-UID.json while
# UID makes N refused connects to MX4:$SG_TEST_PORT; the log must see all N and stop
# with exit 0 on SIGINT. (the reader runs as our direct child: a SIGINT to a
# backgrounded shell function would be ignored)
log_refusals() {
	local uid=$1 n=$2 file="$WORK/log-$1.json" pid
	"$SG" log --json --pin-dir "$PIN" >"$file" 2>"$WORK/log-$1.err" &
	pid=$!
	echo "$pid" >"$WORK/reader-log.pid"
	sleep 1 # a perf event array keeps nothing until the reader has its buffers
	for _ in $(seq "$n"); do
		run try "$uid" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
		[ "$status" -eq 10 ]
	done
	for _ in $(seq 50); do
		[ "$(grep -c "\"uid\":$uid," "$file")" -ge "$n" ] && break
		sleep 0.1
	done
	stop_reader "$pid"
	rm -f "$WORK/reader-log.pid"
	cat "$file" "$WORK/log-$1.err"
	[ "$(grep -c "\"uid\":$uid," "$file")" -eq "$n" ]
}

# events_sane FILE UID: every event of UID has a timestamp within 5 s of now
# and the right fields (a wrong clock conversion would be off by far more
# than that wherever boot and monotonic time differ; see the unit test).
events_sane() {
	/usr/bin/python3 - "$1" "$2" "$SG_TEST_PORT" <<'PY'
import json, sys, time
now = time.time()
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mine = [e for e in ev if e["uid"] == int(sys.argv[2])]
assert mine, ev
for e in mine:
    assert abs(e["ts"] - now) < 5, (e["ts"], now)
    assert e["verdict"] == "refused" and e["port"] == int(sys.argv[3]) and e["comm"] == "sgconnect", e
PY
}

# check_mode MODE UID: load with MODE, then everything a user sees.
check_mode() {
	local mode=$1 uid=$2 before_ev before_lost
	load_mode "$mode"
	want_features "$mode"
	case $mode in
	perfbuf | both) [ "$(events_map_type)" = perf_event_array ] ;;
	*) [ "$(events_map_type)" = ringbuf ] ;;
	esac
	# the verifier kept only the chosen branch of each choice
	local x
	x=$(xlated)
	case $mode in
	# (the perf output helper shows as the kernel function behind it,
	# bpf_event_output_data, on some kernels)
	perfbuf | both)
		grep -q 'bpf_perf_event_output\|bpf_event_output_data' <<<"$x"
		nogrep 'bpf_ringbuf_output' "$x" ;;
	*)
		grep -q 'bpf_ringbuf_output' <<<"$x"
		nogrep 'bpf_perf_event_output\|bpf_event_output_data' "$x" ;;
	esac
	case $mode in
	mono | both)
		grep -q 'bpf_ktime_get_ns' <<<"$x"
		nogrep 'bpf_ktime_get_boot_ns' "$x" ;;
	*)
		grep -q 'bpf_ktime_get_boot_ns' <<<"$x"
		nogrep 'bpf_ktime_get_ns' "$x" ;;
	esac
	# the pinned counters survive a change of mode; compare with before
	before_ev=$(counter ipv4 events)
	before_lost=$(counter ipv4 lost)
	log_refusals "$uid" 3
	events_sane "$WORK/log-$uid.json" "$uid"
	[ "$(counter ipv4 events)" -eq $((before_ev + 3)) ]
	[ "$(counter ipv4 lost)" -eq "$before_lost" ]
	# offender stamps come out in wall-clock time too
	sg stats --json --top 1000 | /usr/bin/python3 -c '
import json, sys, time
o = [o for o in json.load(sys.stdin)["offenders"] if o["uid"] == int(sys.argv[1])][0]
assert o["count"] == 3, o
for k in ("first_seen", "last_seen"):
    assert abs(o[k] - time.time()) < 10, (k, o[k], time.time())' "$uid"
}

@test "the probes find every feature on this kernel (SMTPGUARD_DEBUG lists them)" {
	run env SMTPGUARD_DEBUG=1 "$SG" --config "$CONF" --cgroup "$CG" --pin-dir "$PIN" load
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^smtpguard: kernel feature .*: yes$' <<<"$output")" -eq 12 ]
	nogrep '^smtpguard: kernel feature .*: no$' "$output"
	grep -q 'kernel feature read-only global data (BPF_F_RDONLY_PROG, Linux 5.2): yes' <<<"$output"
	grep -q 'kernel feature the BPF ring buffer (BPF_MAP_TYPE_RINGBUF, Linux 5.8): yes' <<<"$output"
	# nothing is said without the debug knob (no fallback was needed)
	run "$SG" --config "$CONF" --cgroup "$CG" --pin-dir "$PIN" load
	[ "$status" -eq 0 ]
	nogrep 'kernel feature\|lacks' "$output"
}

@test "default: ring buffer and boot time" {
	check_mode ringbuf 1161
}

@test "SMTPGUARD_FORCE_PERFBUF=1: perf event array, events and counters right" {
	check_mode perfbuf 1162
}

@test "SMTPGUARD_FORCE_MONO_CLOCK=1: monotonic stamps, converted to wall-clock time" {
	check_mode mono 1163
}

@test "both knobs together" {
	check_mode both 1164
}

@test "perfbuf: with no reader running, events are counted as lost, never silently dropped" {
	load_mode perfbuf
	local ev lost refused
	ev=$(counter ipv4 events) lost=$(counter ipv4 lost) refused=$(counter ipv4 refused)
	for _ in 1 2; do
		run try 1165 "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
		[ "$status" -eq 10 ]
	done
	[ "$(counter ipv4 refused)" -eq $((refused + 2)) ]
	[ "$(counter ipv4 events)" -eq "$ev" ]
	[ "$(counter ipv4 lost)" -eq $((lost + 2)) ]
}

@test "perfbuf: monitor writes events to syslog" {
	load_mode both
	monitor_to_test_syslog
	sleep 0.3
	monitor_logs_refusal 1166
}

@test "perfbuf: a second reader that comes and goes does not leave the first one deaf" {
	load_mode perfbuf
	local uid=1167 file="$WORK/first.json"
	"$SG" log --json --pin-dir "$PIN" >"$file" 2>&1 &
	echo $! >"$WORK/reader-first.pid"
	sleep 0.5
	# the second reader takes every CPU's slot, and the kernel empties
	# them when it exits
	"$SG" log --json --pin-dir "$PIN" >/dev/null 2>&1 &
	local second=$!
	sleep 0.5
	stop_reader "$second"
	sleep 3 # the first reader's next re-open check (every 2 s) claims the slots back
	run try "$uid" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 10 ]
	for _ in $(seq 50); do grep -q "\"uid\":$uid," "$file" && break; sleep 0.1; done
	stop_reader "$(cat "$WORK/reader-first.pid")"
	rm -f "$WORK/reader-first.pid"
	cat "$file"
	grep -q "\"uid\":$uid," "$file"
}

@test "loading without knobs after a perfbuf load switches back cleanly; a running log follows" {
	load_mode both
	[ "$(events_map_type)" = perf_event_array ]
	local uid=1168 file="$WORK/follow.json"
	"$SG" log --json --pin-dir "$PIN" >"$file" 2>&1 &
	echo $! >"$WORK/reader-follow.pid"
	sleep 0.5
	# the pinned perf event array does not fit a ring buffer: started afresh
	load_mode ringbuf
	grep -q "pinned map 'events' has a different layout.*starting it afresh" <<<"$output"
	[ "$(events_map_type)" = ringbuf ]
	want_features ringbuf
	# counters and offenders are kept across the switch
	[ "$(counter ipv4 refused)" -gt 0 ]
	sleep 3 # the log's next re-open check (every 2 s) finds the new map
	run try "$uid" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 10 ]
	for _ in $(seq 50); do grep -q "\"uid\":$uid," "$file" && break; sleep 0.1; done
	stop_reader "$(cat "$WORK/reader-follow.pid")"
	rm -f "$WORK/reader-follow.pid"
	cat "$file"
	events_sane "$file" "$uid"
	# and a reload (no knobs) stays on the ring buffer with nothing to redo
	run sg --config "$CONF" reload
	[ "$status" -eq 0 ]
	nogrep "different layout" "$output"
	[ "$(events_map_type)" = ringbuf ]
	check_mode ringbuf 1169
}

@test "a refused load (missing feature or not) leaves no pin dir and nothing attached" {
	# a kernel lacking a required feature cannot be made here; what the
	# line says is checked by the unit test. The probes run before the pin
	# dir is made: a load refused later (bad cgroup) leaves nothing either.
	local pin=/sys/fs/bpf/sgt$$fnone
	run env SMTPGUARD_FORCE_PERFBUF=1 "$SG" --config "$CONF" --cgroup /nonexistent --pin-dir "$pin" load
	[ "$status" -eq 2 ]
	[ ! -e "$pin" ]
}
