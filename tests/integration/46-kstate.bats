#!/usr/bin/env bats
# The kernel-state module (user/kstate_*.c): stats, log and status read
# kernel state only through it, and it refuses maps of another layout by
# name instead of misreading them; stats takes its mode from the attached
# programs (not from the pinned policy map) under the shared lock; the
# offender walk lists each UID once while the LRU map evicts and inserts.

load lib

setup_file() {
	world_up k
	write_config "$WORK/audit.conf" "ports = $SG_TEST_PORT" "mode = audit" "allow_users = root"
	write_config "$WORK/enforce.conf" "ports = $SG_TEST_PORT" "allow_users = root"
	# sizes as include/smtpguard.h has them, from the BTF of the object
	bpftool -j btf dump file "$TOP/build/smtpguard.bpf.o" | /usr/bin/python3 -c '
import json, sys
sizes = {t["name"]: t["size"] for t in json.load(sys.stdin)["types"] if t.get("kind") == "STRUCT"}
print(sizes["sg_stats"], sizes["sg_offender"])' >"$WORK/sizes"
}

teardown_file() {
	local f
	for f in "$WORK"/fill*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	"$SG" --cgroup "$CG" --pin-dir "${PIN}b" unload >/dev/null 2>&1
	rm -rf "${PIN}f" "${PIN}b"
	world_down
}

stats_size() { cut -d' ' -f1 "$WORK/sizes"; }
offender_size() { cut -d' ' -f2 "$WORK/sizes"; }

# foreign_pins: a pin dir with history maps made by "another smtpguard"
# (bpftool), nothing attached; the arguments say what differs.
foreign_pins() {
	local stats_value=$1 off_type=$2 ev_entries=$3
	rm -rf "${PIN}f"
	mkdir -m 0700 "${PIN}f"
	bpftool map create "${PIN}f/stats" type percpu_array key 4 value "$stats_value" entries 2 name sg_stats
	bpftool map create "${PIN}f/offenders" type "$off_type" key 4 value "$(offender_size)" \
		entries 1024 name sg_offenders
	bpftool map create "${PIN}f/events" type ringbuf key 0 value 0 entries "$ev_entries" name sg_events
}

@test "stats refuses a pinned stats map of another value size with one line, exit 1" {
	local want
	want=$(stats_size)
	[ "$want" -gt 8 ]
	for size in 8 $((want + 8)); do
		foreign_pins "$size" lru_hash 262144
		run "$SG" --cgroup "$CG" --pin-dir "${PIN}f" stats --json
		echo "$output"
		[ "$status" -eq 1 ]
		[ "${#lines[@]}" -eq 1 ]
		[ "$output" = "smtpguard: pinned map 'stats' in ${PIN}f has value size $size, this smtpguard expects $want (made by another version?); 'smtpguard load' replaces it" ]
	done
	# --reset refuses the same way and changes nothing
	foreign_pins 8 lru_hash 262144
	bpftool map update pinned "${PIN}f/stats" key 0 0 0 0 value 7 0 0 0 0 0 0 0
	run "$SG" --cgroup "$CG" --pin-dir "${PIN}f" stats --reset
	[ "$status" -eq 1 ]
	[[ "$output" == *"pinned map 'stats' in ${PIN}f has value size"* ]]
	bpftool -j map lookup pinned "${PIN}f/stats" key 0 0 0 0 | /usr/bin/python3 -c '
import json, sys
assert json.load(sys.stdin)["values"][0]["value"][0] in ("0x07", "7"), "reset wrote into a foreign map"'
}

@test "stats refuses an offenders map of another type; a right layout is read" {
	foreign_pins "$(stats_size)" hash 262144
	run "$SG" --cgroup "$CG" --pin-dir "${PIN}f" stats
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = "smtpguard: pinned map 'offenders' in ${PIN}f has type 1, this smtpguard expects 9 (made by another version?); 'smtpguard load' replaces it" ]
	# the same maps with this binary's layout: read (nothing attached, so
	# no mode is known and none is printed)
	foreign_pins "$(stats_size)" lru_hash 262144
	run "$SG" --cgroup "$CG" --pin-dir "${PIN}f" stats --json
	echo "$output"
	[ "$status" -eq 0 ]
	/usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert "mode" not in d and d["offenders_total"] == 0, d' "$output"
}

@test "log refuses an events map of another layout with one line, exit 1" {
	foreign_pins "$(stats_size)" lru_hash 4096
	run timeout 10 "$SG" --cgroup "$CG" --pin-dir "${PIN}f" log
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = "smtpguard: pinned map 'events' in ${PIN}f has max entries 4096, this smtpguard expects 262144 (made by another version?); 'smtpguard load' replaces it" ]
	rm -rf "${PIN}f"
}

@test "stats takes the mode from the attached program, not from the pinned policy map" {
	run "$SG" --config "$WORK/audit.conf" --cgroup "$CG" --pin-dir "$PIN" load
	[ "$status" -eq 0 ]
	run "$SG" --config "$WORK/enforce.conf" --cgroup "$CG" --pin-dir "${PIN}b" load
	[ "$status" -eq 0 ]
	# the pinned policy map of $PIN now says enforce; the program judging
	# for $PIN still audits
	rm "$PIN/policy"
	bpftool map pin id "$(bpftool -j map show pinned "${PIN}b/policy" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')" "$PIN/policy"
	run "$SG" --cgroup "$CG" --pin-dir "$PIN" stats --json
	echo "$output"
	[ "$status" -eq 0 ]
	/usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["mode"] == "audit", d' "$output"
	run "$SG" --cgroup "$CG" --pin-dir "$PIN" stats
	[ "$status" -eq 0 ]
	grep -q "^mode: audit$" <<<"$output"
	run "$SG" --cgroup "$CG" --pin-dir "${PIN}b" unload
	[ "$status" -eq 0 ]
	run "$SG" --config "$WORK/audit.conf" --cgroup "$CG" --pin-dir "$PIN" load
	[ "$status" -eq 0 ]
}

@test "stats waits for a command holding the lock" {
	rm -f "$WORK/locked" "$WORK/released"
	flock -x /run/smtpguard.lock -c "touch '$WORK/locked'; sleep 1.5; touch '$WORK/released'" &
	echo $! >"$WORK/holder.pid"
	for _ in $(seq 100); do [ -e "$WORK/locked" ] && break; sleep 0.1; done
	[ -e "$WORK/locked" ]
	run "$SG" --cgroup "$CG" --pin-dir "$PIN" stats --json
	[ "$status" -eq 0 ]
	# stats finished only after the holder let go
	[ -e "$WORK/released" ]
	wait "$(cat "$WORK/holder.pid")"
	rm -f "$WORK/holder.pid"
}

# fill N FIRST [SECONDS]: N offender records for UIDs FIRST.. into the
# pinned offenders map (bpf(2) from python: bpftool would take a process a
# record); with SECONDS, keeps inserting new UIDs that long, so the LRU map
# evicts while it is read.
fill() {
	/usr/bin/python3 - "$PIN/offenders" "$@" <<'EOF'
import ctypes, os, struct, sys, time
nr = {"x86_64": 321, "aarch64": 280, "ppc64le": 361, "s390x": 351, "riscv64": 280}[os.uname().machine]
libc = ctypes.CDLL(None, use_errno=True)
def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    r = libc.syscall(nr, cmd, buf, 128)
    if r < 0:
        raise OSError(ctypes.get_errno(), "bpf cmd %d" % cmd)
    return r
path = ctypes.create_string_buffer(sys.argv[1].encode())
fd = bpf(7, struct.pack("QII", ctypes.addressof(path), 0, 0))  # BPF_OBJ_GET
key = ctypes.create_string_buffer(4)
val = ctypes.create_string_buffer(int(sys.argv[4]))
def put(uid):
    struct.pack_into("I", key, 0, uid)
    struct.pack_into("QQQ", val, 0, 1, 1, 1)
    bpf(2, struct.pack("IIQQQ", fd, 0, ctypes.addressof(key), ctypes.addressof(val), 0))
n, uid = int(sys.argv[2]), int(sys.argv[3])
for u in range(uid, uid + n):
    put(u)
end = time.time() + float(sys.argv[5]) if len(sys.argv) > 5 else 0
uid += n
while time.time() < end:
    put(uid)
    uid += 1
EOF
}

@test "the offender walk lists each UID once while the LRU map evicts and inserts" {
	fill 70000 100000 "$(offender_size)"
	fill 1 200000 "$(offender_size)" 6 &
	echo $! >"$WORK/fill.pid"
	for i in 1 2 3 4; do
		"$SG" --cgroup "$CG" --pin-dir "$PIN" stats --json --top 100000 >"$WORK/stats-$i.json"
	done
	wait "$(cat "$WORK/fill.pid")"
	rm -f "$WORK/fill.pid"
	for i in 1 2 3 4; do
		/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
uids = [o["uid"] for o in d["offenders"]]
dup = len(uids) - len(set(uids))
print("# %s: %d rows, %d duplicates" % (sys.argv[1], len(uids), dup))
assert dup == 0, "%d UIDs listed twice" % dup
assert len(uids) == d["offenders_total"] and len(uids) > 60000, len(uids)
' "$WORK/stats-$i.json" >&3
	done
}

@test "status, stats, log and unload refuse a --cgroup that is not a cgroup v2 directory (not \"not loaded\")" {
	rm -rf "$PIN"   # the programs stay attached; only the cgroup finds them
	for cmd in status stats log unload; do
		run timeout 10 "$SG" --cgroup "$WORK" --pin-dir "$PIN" "$cmd"
		echo "$cmd: $output"
		[ "$status" -eq 2 ]
		[ "$output" = "smtpguard: $WORK is not a cgroup v2 directory" ]
	done
	# still attached, still found where it is
	run "$SG" --cgroup "$CG" --pin-dir "$PIN" status
	[ "$status" -eq 0 ]
	run "$SG" --cgroup "$CG" --pin-dir "$PIN" unload
	[ "$status" -eq 0 ]
	[ "$output" = "smtpguard: unloaded from $CG" ]
}

@test "a pin that cannot be opened is an error naming it, not a state read past" {
	run "$SG" --config "$WORK/audit.conf" --cgroup "$CG" --pin-dir "$PIN" load
	[ "$status" -eq 0 ]
	rm "$PIN/prog_connect4"
	mkdir "$PIN/prog_connect4"   # bpffs: a directory is no BPF object
	run "$SG" --cgroup "$CG" --pin-dir "$PIN" status
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == "smtpguard: cannot open pin prog_connect4 in $PIN: "* ]]
	# unload refuses too, and keeps every pin
	run "$SG" --cgroup "$CG" --pin-dir "$PIN" unload
	[ "$status" -eq 1 ]
	[ -e "$PIN/stats" ]
	rmdir "$PIN/prog_connect4"
	run "$SG" --cgroup "$CG" --pin-dir "$PIN" unload
	[ "$status" -eq 0 ]
	[ "$output" = "smtpguard: unloaded from $CG" ]
}
