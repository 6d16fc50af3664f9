#!/usr/bin/env bats
# Issue 11 (part A) and issue 10 (attribution): one reader of the events.
# A running monitor is the reader: it writes every event to syslog and to
# its --output file, and `log` follows that file instead of taking events
# away; `log` shows live events unless --since-load; --user; the global
# event budget with its reserve; exe, cwd and cgroup path of each event.

load lib

RATE=5

setup_file() {
	world_up p
	cp "$TOP/build/tests/sguids" "$WORK/"
	write_config "$WORK/policy.conf" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED" \
		"event_rate = $RATE"
	"$SG" --config "$WORK/policy.conf" --cgroup "$CG" --pin-dir "$PIN" load
}

teardown_file() {
	world_down
}

teardown() {
	stop_readers
}

# uids FIRST COUNT [sguids options]: one refused connect from each UID (as
# root in the test cgroup and client netns, switching real UID).
uids() {
	local first=$1 count=$2
	shift 2
	in_cgroup_exec "$CG" ip netns exec "$NS_C" nice -n 10 "$WORK/sguids" "$@" "$first" "$count" \
		"$MX4" "$SG_TEST_PORT"
}

# start_log FILE [log options]: `smtpguard log` in the background into FILE
start_log() {
	local file=$1
	shift
	local pid fd
	"$SG" log --pin-dir "$PIN" "$@" >"$file" 2>"$file.err" &
	pid=$!
	echo "$pid" >"$WORK/reader-log-$(basename "$file").pid"
	# log shows only what comes after it started: wait until it reads
	# (an fd past stdio: the events map, or the monitor's file), however
	# slowly a busy host starts it
	for _ in $(seq 100); do
		for fd in /proc/"$pid"/fd/*; do
			[ "${fd##*/}" -gt 2 ] 2>/dev/null || continue
			case "$(readlink "$fd")" in
			anon_inode:bpf-map | /run/smtpguard/* | "$WORK"/*) sleep 0.2; return 0 ;;
			esac
		done
		sleep 0.05
	done
	echo "log did not start reading" >&2
	return 1
}

# stop_log FILE: SIGINT, and it must exit 0
stop_log() {
	local pf="$WORK/reader-log-$(basename "$1").pid" rc=0
	kill -INT "$(cat "$pf")"
	wait "$(cat "$pf")" || rc=$?
	rm -f "$pf"
	cat "$1.err"
	[ "$rc" -eq 0 ]
}

# count_uids FILE FIRST COUNT: how many JSON lines of FILE have a uid in range
count_uids() {
	/usr/bin/python3 - "$@" <<'PY'
import json, sys
path, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
n = 0
for line in open(path):
    if line.strip():
        e = json.loads(line)
        n += first <= e["uid"] < first + count
print(n)
PY
}

# wait_count FILE FIRST COUNT WANT: up to 5 s for WANT such lines
wait_count() {
	for _ in $(seq 50); do
		[ "$(count_uids "$@" | head -1)" -ge "$4" ] 2>/dev/null && return 0
		sleep 0.1
	done
	return 0
}

@test "with a monitor running, N refusals from N UIDs appear N times in its file, in log --json and in syslog" {
	local n=12 first=5000
	monitor_to_test_syslog --output "$WORK/events.json"
	start_log "$WORK/log.json" --json
	run uids "$first" "$n"
	[ "$output" = "connects=$n eperm=$n other=0" ]
	wait_count "$WORK/events.json" "$first" "$n" "$n" "$n"
	wait_count "$WORK/log.json" "$first" "$n" "$n" "$n"
	sleep 0.3
	[ "$(count_uids "$WORK/events.json" "$first" "$n")" -eq "$n" ]
	[ "$(count_uids "$WORK/log.json" "$first" "$n")" -eq "$n" ]
	[ "$(grep -c "refused uid=50[01][0-9] " "$WORK/syslog.txt")" -eq "$n" ]
	stop_log "$WORK/log.json"
	# the same lines: log printed what the monitor wrote
	diff <(grep '"uid":50[01][0-9],' "$WORK/events.json") <(grep '"uid":50[01][0-9],' "$WORK/log.json")
	# a log started now: the backlog (the monitor's file) only with --since-load
	start_log "$WORK/later.json" --json
	start_log "$WORK/later-since.json" --json --since-load
	wait_count "$WORK/later-since.json" "$first" "$n" "$n"
	stop_log "$WORK/later.json"
	stop_log "$WORK/later-since.json"
	[ "$(count_uids "$WORK/later-since.json" "$first" "$n")" -eq "$n" ]
	[ "$(count_uids "$WORK/later.json" "$first" "$n")" -eq 0 ]
}

@test "a second monitor for the same pin dir is refused with one line; the state names the first" {
	monitor_to_test_syslog --output "$WORK/events.json"
	run timeout 10 "$SG" monitor --pin-dir "$PIN"
	echo "status $status: $output"
	cat "$WORK/monitor.err"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	grep -q "another monitor (pid $(cat "$WORK/reader-monitor.pid")) reads the events of $PIN" <<<"$output"
}

@test "the monitor reopens its output file on SIGHUP (logrotate), and log follows the new file" {
	monitor_to_test_syslog --output "$WORK/rot.json"
	start_log "$WORK/log-rot.json" --json
	run uids 5100 1
	wait_count "$WORK/rot.json" 5100 1 1
	mv "$WORK/rot.json" "$WORK/rot.json.1"
	kill -HUP "$(cat "$WORK/reader-monitor.pid")"
	sleep 0.3
	run uids 5101 1
	wait_count "$WORK/rot.json" 5101 1 1
	wait_count "$WORK/log-rot.json" 5100 2 2
	[ "$(count_uids "$WORK/rot.json.1" 5100 2)" -eq 1 ]
	[ "$(count_uids "$WORK/rot.json" 5101 1)" -eq 1 ]
	[ "$(count_uids "$WORK/log-rot.json" 5100 2)" -eq 2 ]
	stop_log "$WORK/log-rot.json"
	kill -0 "$(cat "$WORK/reader-monitor.pid")" # SIGHUP did not stop it
}

@test "log shows live events only; --since-load shows the backlog (without a monitor)" {
	run uids 5200 3   # buffered: nobody reads
	sleep 0.2
	start_log "$WORK/since.json" --json --since-load
	wait_count "$WORK/since.json" 5200 3 3
	stop_log "$WORK/since.json"
	[ "$(count_uids "$WORK/since.json" 5200 3)" -eq 3 ]
	run uids 5210 3   # buffered again
	sleep 0.2
	start_log "$WORK/live.json" --json
	run uids 5220 2   # live
	wait_count "$WORK/live.json" 5220 2 2
	stop_log "$WORK/live.json"
	[ "$(count_uids "$WORK/live.json" 5220 2)" -eq 2 ]
	[ "$(count_uids "$WORK/live.json" 5210 3)" -eq 0 ]
}

@test "log steps back when a monitor starts and takes the map again when it stops" {
	start_log "$WORK/hand.json" --json
	run uids 5300 1   # read by log from the map
	wait_count "$WORK/hand.json" 5300 1 1
	monitor_to_test_syslog --output "$WORK/hand-mon.json"
	sleep 0.5
	run uids 5301 1   # read by the monitor; log follows its file
	wait_count "$WORK/hand-mon.json" 5301 1 1
	wait_count "$WORK/hand.json" 5301 1 1
	kill -TERM "$(cat "$WORK/reader-monitor.pid")"
	wait "$(cat "$WORK/reader-monitor.pid")" || true
	rm -f "$WORK/reader-monitor.pid"
	sleep 0.5
	run uids 5302 1   # the map again
	wait_count "$WORK/hand.json" 5302 1 1
	stop_log "$WORK/hand.json"
	[ "$(count_uids "$WORK/hand.json" 5300 3)" -eq 3 ]
	[ "$(count_uids "$WORK/hand-mon.json" 5300 3)" -eq 1 ]
	grep -q "refused uid=5301 " "$WORK/syslog.txt"
	# the state file went with the monitor
	[ ! -e "/run/smtpguard/monitor/${PIN#/}.state" ] || [ ! -e "/run/smtpguard/monitor/$(tr / _ <<<"${PIN#/}").state" ]
}

@test "log --user NAME|UID: one account's events only; an unknown name is a usage error" {
	# one log at a time: without a monitor, two readers of the ring buffer
	# would split the events between them
	start_log "$WORK/user.json" --json --user 5401
	run uids 5400 3
	run uids 65534 1
	wait_count "$WORK/user.json" 5400 3 1
	stop_log "$WORK/user.json"
	start_log "$WORK/user-name.txt" --user nobody
	run uids 5400 3
	run uids 65534 1
	for _ in $(seq 50); do grep -q "uid=65534" "$WORK/user-name.txt" && break; sleep 0.1; done
	stop_log "$WORK/user-name.txt"
	cat "$WORK/user.json" "$WORK/user-name.txt"
	[ "$(count_uids "$WORK/user.json" 5400 3)" -eq 1 ]
	[ "$(count_uids "$WORK/user.json" 5401 1)" -eq 1 ]
	[ "$(grep -c . "$WORK/user-name.txt")" -eq 1 ]
	grep -q " refused uid=65534(nobody) " "$WORK/user-name.txt"
	run "$SG" log --pin-dir "$PIN" --user no-such-user-sgtest
	[ "$status" -eq 2 ]
	[ "$output" = "smtpguard: --user: no such user 'no-such-user-sgtest'" ]
	run "$SG" stats --pin-dir "$PIN" --since-load
	[ "$status" -eq 2 ]
	run "$SG" log --pin-dir "$PIN" --output /dev/null
	[ "$status" -eq 2 ]
}

@test "attribution: executable, current directory and cgroup path, in log and in the monitor's file" {
	local cgpath=${CG#$(cgroup2_root)}
	mkdir -p "$WORK/site one"
	monitor_to_test_syslog --output "$WORK/attr.json"
	start_log "$WORK/attr.txt"
	in_cgroup_exec "$CG" ip netns exec "$NS_C" sh -c \
		'cd "$1/site one" && exec "$1/sguids" --hold 3 5500 1 "$2" "$3"' sh "$WORK" "$MX4" "$SG_TEST_PORT" &
	local holder=$!
	wait_count "$WORK/attr.json" 5500 1 1
	for _ in $(seq 50); do grep -q "uid=5500" "$WORK/attr.txt" && break; sleep 0.1; done
	kill "$holder" 2>/dev/null || true
	wait "$holder" || true
	stop_log "$WORK/attr.txt"
	cat "$WORK/attr.json" "$WORK/attr.txt"
	/usr/bin/python3 - "$WORK/attr.json" "$WORK" "$cgpath" <<'PY'
import json, sys
path, work, cg = sys.argv[1:]
e = [json.loads(l) for l in open(path) if '"uid":5500,' in l][0]
assert e["exe"] == work + "/sguids", e
assert e["cwd"] == work + "/site one", e
assert e["cgroup"] == cg, e
PY
	grep -Eq " refused uid=5500 .* cgroup=[0-9]+ cgroup_path=$cgpath exe=$WORK/sguids cwd=$WORK/site\\\\x20one\$" "$WORK/attr.txt"
	grep -q "uid=5500 .* cgroup_path=$cgpath exe=$WORK/sguids " "$WORK/syslog.txt"
}

@test "global budget: many UIDs cannot flood; the rest is suppressed; an account known before the flood is still reported" {
	local total=100 victim=5999
	write_config "$WORK/budget.conf" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED" \
		"event_rate = $RATE" "event_rate_total = $total"
	"$SG" --config "$WORK/budget.conf" --pin-dir "$PIN" reload
	run "$SG" status --json --pin-dir "$PIN"
	grep -q '"event_rate_total":100' <<<"$output"
	"$SG" stats --reset --pin-dir "$PIN"
	run try "$victim" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"  # the victim is known
	[ "$status" -eq 10 ]
	sleep 1.5
	start_log "$WORK/budget.json" --json
	as "$victim" "$G_PLAIN" "$TOP/build/tests/sgworker" --pause-us 100000 3 "$MX4" "$SG_TEST_PORT" \
		>"$WORK/victim.out" 2>&1 &
	local vpid=$!
	start=$(date +%s.%N)
	run uids 6000 4000 --for 3
	end=$(date +%s.%N)
	echo "flood: $output"
	wait "$vpid" || true
	echo "victim: $(cat "$WORK/victim.out")"
	sleep 0.5
	stop_log "$WORK/budget.json"
	json=$("$SG" stats --json --top 0 --pin-dir "$PIN")
	/usr/bin/python3 - "$json" "$start" "$end" "$total" "$WORK/budget.json" "$victim" "$RATE" <<'PY'
import json, math, sys
d = json.loads(sys.argv[1]); start, end = float(sys.argv[2]), float(sys.argv[3])
total, path, victim, rate = int(sys.argv[4]), sys.argv[5], int(sys.argv[6]), int(sys.argv[7])
c = d["counters"]["ipv4"]
windows = math.ceil(end - start) + 2
print(f"elapsed {end-start:.2f}s refused {c['refused']} events {c['events']} suppressed {c['suppressed']} lost {c['lost']}")
assert c["refused"] > 20 * total * (end - start) / 2, c   # it was a flood
assert c["events"] + c["suppressed"] + c["lost"] == c["refused"], c
assert c["lost"] == 0, c
# a window may give one more per CPU (no atomic fetch on old kernels)
assert c["events"] <= (total + 4) * windows, c
events = [json.loads(l) for l in open(path) if l.strip()]
mine = [e for e in events if e["uid"] == victim]
print(f"victim events: {len(mine)} of {len(events)} logged")
assert len(mine) >= 2 * rate, mine  # all but a window of its own per-UID rate
assert len(mine) <= rate * windows, mine
PY
}
