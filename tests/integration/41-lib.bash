# Reload under load, shared by 41-reload-under-load.bats (bpf_link) and
# 43-prog-attach.bats (BPF_PROG_ATTACH fallback). Needs lib.bash and a
# world_up'd world with smtpguard loaded on it.

# Three policies that differ in ports, users, groups and destinations but
# judge the workers alike: U_ALLOWED and G_ALLOWED allowed, U_DENIED not,
# the remote mail host not an allowed destination, $SG_TEST_PORT guarded.
write_rotating_configs() {
	write_config "$WORK/rot0.conf" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED" \
		"allow_groups = $G_ALLOWED"
	write_config "$WORK/rot1.conf" "ports = $SG_TEST_PORT, $SG_TEST_PORT2, 2525" \
		"allow_users = root, $U_ALLOWED, 2001, 2002" "allow_groups = $G_ALLOWED, 3001" \
		"allow_destinations = 198.51.100.0/24, 2001:db8:ffff::/48"
	write_config "$WORK/rot2.conf" "ports = $SG_TEST_PORT, $SG_TEST_PORT3" "allow_users = $U_ALLOWED, 4000" \
		"allow_groups = $G_ALLOWED" "allow_destinations = 203.0.113.7, 127.0.0.0/8, ::1"
}

# worker NAME UID GID SECONDS ADDR: a background sgworker; its pid file lets
# world_down kill it after a failure.
start_worker() {
	local name=$1 uid=$2 gid=$3 secs=$4 addr=$5
	as "$uid" "$gid" "$WORK/sgworker" "$secs" "$addr" "$SG_TEST_PORT" >"$WORK/w-$name.out" 2>&1 &
	echo $! >"$WORK/w-$name.pid"
}

# count NAME FIELD: ok, eperm or other of a finished worker.
count() {
	sed -n "s/.*\\b$2=\\([0-9]*\\).*/\\1/p" "$WORK/w-$1.out"
}

# run_while_working MAX OUT CMD...: CMD again and again (at most MAX times)
# while any worker of start_worker runs, its output appended to OUT; then
# waits for the workers. Sets RUNS (CMD may read it) and FAILED.
run_while_working() {
	local max=$1 out=$2 w alive
	shift 2
	RUNS=0 FAILED=0
	sleep 0.3
	while [ "$RUNS" -lt "$max" ]; do
		alive=0
		for w in "$WORK"/w-*.pid; do
			kill -0 "$(cat "$w")" 2>/dev/null && alive=1
		done
		[ "$alive" = 1 ] || break
		"$@" >>"$out" 2>&1 || FAILED=$((FAILED + 1))
		RUNS=$((RUNS + 1))
	done
	for w in "$WORK"/w-*.pid; do
		wait "$(cat "$w")" 2>/dev/null
		rm -f "$w"
	done
}

# workers_judged "ALLOWED..." "DENIED...": prints every worker's counts
# (fd 3); the allowed ones connected and were never refused, the denied ones
# tried and never got through.
workers_judged() {
	local w
	for w in $1 $2; do
		echo "#   $w: $(cat "$WORK/w-$w.out")" >&3
	done
	for w in $1; do
		[ "$(count $w eperm)" -eq 0 ] || { echo "$w was refused"; return 1; }
		[ "$(count $w ok)" -gt 0 ] || { echo "$w never connected"; return 1; }
	done
	for w in $2; do
		[ "$(count $w ok)" -eq 0 ] || { echo "$w got through $(count $w ok) times"; return 1; }
		[ "$(count $w eperm)" -gt 0 ] || { echo "$w never tried"; return 1; }
	done
}

# reload_rotating: reload with the next rotating config (by RUNS).
reload_rotating() {
	"$SG" --pin-dir "$PIN" --config "$WORK/rot$((RUNS % 3)).conf" reload >/dev/null
}

# reload_under_load SECONDS MAX_RELOADS: workers connect for SECONDS while
# reload runs in a loop (at most MAX_RELOADS times); then the counts.
# SG_TEST_TIME_SCALE=N makes that N times SECONDS, for a slow machine where
# fewer than 5 reloads fit (the emulated kernel of tests/kernels/).
reload_under_load() {
	local secs=$(($1 * ${SG_TEST_TIME_SCALE:-1})) max=$2
	cp "$TOP/build/tests/sgworker" "$WORK/"
	write_rotating_configs
	start_worker allowed4 "$U_ALLOWED" "$G_PLAIN" "$secs" "$MX4"
	start_worker allowed6 "$U_ALLOWED" "$G_PLAIN" "$secs" "$MX6"
	start_worker grouped4 "$U_GROUPED" "$G_ALLOWED" "$secs" "$MX4"
	start_worker denied4 "$U_DENIED" "$G_PLAIN" "$secs" "$MX4"
	start_worker denied6 "$U_DENIED" "$G_PLAIN" "$secs" "$MX6"
	: >"$WORK/reload.err"
	run_while_working "$max" "$WORK/reload.err" reload_rotating
	echo "# $RUNS reloads ($FAILED failed) while workers connected for ${secs}s:" >&3
	workers_judged "allowed4 allowed6 grouped4" "denied4 denied6" || return 1
	[ "$FAILED" -eq 0 ] || { tail -30 "$WORK/reload.err"; return 1; }
	[ "$RUNS" -ge 5 ] || { echo "only $RUNS reloads"; return 1; }
}
