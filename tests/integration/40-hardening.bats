#!/usr/bin/env bats
# Hardening: no local user can switch the enforcement off or slip past it.
#  - the pin dir and every pin are root-only: a non-root user (also one who
#    is "root" in its own user namespace) can neither read nor change the
#    allow maps, nor detach anything;
#  - a root process's own "allow everything" program in a child cgroup does
#    not override it (cgroup BPF: every effective program must allow);
#  - moving to another (sub)cgroup does not escape it;
#  - another network namespace, and a user namespace root, are covered.

load lib

setup_file() {
	world_up h
	write_config "$WORK/policy.conf" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED"
	"$SG" --config "$WORK/policy.conf" --cgroup "$CG" --pin-dir "$PIN" load
	ATK="${PIN}a"
	export ATK
}

teardown_file() {
	local d
	# attacker programs, then the cgroups made here (deepest first)
	for d in $(find "$CG" -mindepth 1 -type d 2>/dev/null | sort -r); do
		for p in $(bpftool -j cgroup show "$d" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
for p in json.load(sys.stdin): print(p["attach_type"].replace("cgroup_inet4_connect", "connect4").replace("cgroup_inet6_connect", "connect6") + ":" + str(p["id"]))' 2>/dev/null); do
			bpftool cgroup detach "$d" "${p%%:*}" id "${p##*:}" 2>/dev/null
		done
		for pid in $(cat "$d/cgroup.procs" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null
		done
	done
	sleep 0.1
	for d in $(find "$CG" -mindepth 1 -type d 2>/dev/null | sort -r); do
		rmdir "$d" 2>/dev/null
	done
	[ -n "${ATK:-}" ] && rm -rf "$ATK"
	world_down
}

# nonroot CMD...: CMD as the refused UID, outside the test cgroup and netns.
nonroot() {
	setpriv --reuid="$U_DENIED" --regid="$G_PLAIN" --clear-groups "$@"
}

# in_cgroup DIR UID GID CMD...: like `as`, but in cgroup DIR, and with
# nsenter rather than `ip netns exec`, which remounts /sys and so would hide
# the cgroup tree from CMD.
in_cgroup() {
	local dir=$1 uid=$2 gid=$3
	shift 3
	in_cgroup_exec "$dir" nsenter --net="/run/netns/$NS_C" \
		setpriv --reuid="$uid" --regid="$gid" --clear-groups "$@"
}

# rmdir_settled DIR...: a cgroup empties a moment after its last task exits.
rmdir_settled() {
	local d i
	for d in "$@"; do
		for i in $(seq 50); do
			rmdir "$d" 2>/dev/null && break
			sleep 0.05
		done
		[ ! -d "$d" ] || return 1
	done
}

# still_enforced: enforced (lib.bash), and status shows the test policy
# without a warning.
still_enforced() {
	enforced || return 1
	run "$SG" status --pin-dir "$PIN"
	[ "$status" -eq 0 ] && [[ "$output" != *warning* ]]
	grep -q "^allow users: *root(0) $U_ALLOWED$" <<<"$output"
}

map_id() {
	bpftool -j map show pinned "$1" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

@test "the pin dir is 0700 and every pin 0600, all owned by root" {
	[ "$(stat -c '%a %u' "$PIN")" = "700 0" ]
	local n=0 f
	for f in "$PIN"/*; do
		[ "$(stat -c '%a %u %g' "$f")" = "600 0 0" ] || { stat "$f"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -ge 10 ]
	# also when loaded with a permissive umask
	(umask 000 && "$SG" --config "$WORK/policy.conf" --cgroup "$CG" --pin-dir "$PIN" load >/dev/null)
	for f in "$PIN"/*; do
		[ "$(stat -c '%a' "$f")" = 600 ] || { stat "$f"; return 1; }
	done
	[ "$(stat -c '%a' "$PIN")" = 700 ]
}

@test "a pin dir owned by a non-root user is refused, not used" {
	local p="${PIN}u"
	mkdir "$p"
	chown "$U_DENIED" "$p"
	run "$SG" --config "$WORK/policy.conf" --cgroup "$CG" --pin-dir "$p" load
	rmdir "$p"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not a directory owned by root"* ]]
	run bpftool cgroup show "$CG"
	[ "$(grep -c sg_connect <<<"$output")" -eq 2 ]
}

@test "a non-root user can neither read nor change the allow maps" {
	local uids
	uids=$(map_id "$PIN/allow_uids")
	# by path: the pin dir itself refuses (seen through a bind mount in a
	# private mount namespace, since /sys/fs/bpf may be closed already)
	mkdir -p "$WORK/view"
	touch "$WORK/view-uids"
	run unshare -m sh -c '
		mount --bind "$1" "$2/view" && mount --bind "$1/allow_uids" "$2/view-uids" || exit 99
		shift 2
		for cmd in "ls $0/view" "cat $0/view/allow_uids" "cat $0/view-uids"; do
			setpriv --reuid="$1" --regid="$1" --clear-groups sh -c "$cmd" 2>&1 && echo "LEAK: $cmd"
		done
		for p in view/allow_uids view-uids; do
			setpriv --reuid="$1" --regid="$1" --clear-groups bpftool map dump pinned "$0/$p" 2>&1 &&
				echo "LEAK: dump $p"
			setpriv --reuid="$1" --regid="$1" --clear-groups bpftool map update pinned "$0/$p" \
				key 0xe9 0x03 0 0 value 1 2>&1 && echo "LEAK: update $p"
			setpriv --reuid="$1" --regid="$1" --clear-groups unshare --user --map-root-user \
				bpftool map update pinned "$0/$p" key 0xe9 0x03 0 0 value 1 2>&1 &&
				echo "LEAK: userns update $p"
		done
		exit 0' "$WORK" "$PIN" "$WORK" "$U_DENIED"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *LEAK* ]]
	[[ "$output" == *"Permission denied"* ]]
	# by id: needs CAP_SYS_ADMIN in the initial user namespace
	run nonroot bpftool map update id "$uids" key 0xe9 0x03 0 0 value 1
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	run nonroot unshare --user --map-root-user bpftool map dump id "$uids"
	[ "$status" -ne 0 ]
	# through the real path
	run nonroot bpftool map update pinned "$PIN/allow_uids" key 0xe9 0x03 0 0 value 1
	[ "$status" -ne 0 ]
	# the map is unchanged and the refused UID still refused
	run bpftool map dump pinned "$PIN/allow_uids"
	[[ "$output" != *"e9 03 00 00"* ]]
	still_enforced
}

@test "a non-root user cannot detach anything" {
	local p4
	p4=$(bpftool -j prog show pinned "$PIN/prog_connect4" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	for cmd in "bpftool cgroup detach $CG connect4 id $p4" \
		"bpftool cgroup detach $CG connect4 pinned $PIN/prog_connect4" \
		"rm -f $PIN/prog_connect4" \
		"rm -rf $PIN" \
		"$SG unload --pin-dir $PIN"; do
		run nonroot sh -c "$cmd"
		[ "$status" -ne 0 ] || { echo "succeeded: $cmd"; return 1; }
		run nonroot unshare --user --map-root-user sh -c "$cmd"
		[ "$status" -ne 0 ] || { echo "succeeded in a user ns: $cmd"; return 1; }
	done
	# and smtpguard says why, rather than "not loaded"
	run nonroot unshare --user --map-root-user "$SG" unload --pin-dir "$PIN"
	[ "$status" -eq 1 ]
	[[ "$output" == *"initial user namespace"* ]]
	run nonroot "$SG" status --pin-dir "$PIN"
	[ "$status" -eq 1 ]
	run bpftool cgroup show "$CG"
	[ "$(grep -c sg_connect <<<"$output")" -eq 2 ]
	[ "$(bpftool -j prog show pinned "$PIN/prog_connect4" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')" = "$p4" ]
	still_enforced
}

@test "root's own allow-everything program in a child cgroup does not override it" {
	local child="$CG/child" how
	mkdir -p "$child" "$ATK"
	bpftool prog loadall "$TOP/build/tests/allow_all.bpf.o" "$ATK"
	for how in multi override; do
		bpftool cgroup attach "$child" connect4 pinned "$ATK/allow4" "$how"
		bpftool cgroup attach "$child" connect6 pinned "$ATK/allow6" "$how"
		if [ "$how" = multi ]; then
			# and one that also overwrites the verdict (bpf_set_retval)
			bpftool cgroup attach "$child" connect4 pinned "$ATK/force4" multi
			bpftool cgroup attach "$child" connect6 pinned "$ATK/force6" multi
		fi
		run bpftool cgroup tree "$CG"
		echo "# $how: $(grep -c allow <<<"$output") allow-all and $(grep -c force <<<"$output") set_retval programs in the child" >&3
		# the child's effective programs: ours as well
		run bpftool cgroup show "$child" effective
		grep -q sg_connect4 <<<"$output"
		grep -q allow4 <<<"$output"
		run in_cgroup "$child" "$U_DENIED" "$G_PLAIN" "$WORK/sgconnect" "$MX4" "$SG_TEST_PORT"
		[ "$status" -eq 10 ] || { echo "$how v4: $output"; return 1; }
		run in_cgroup "$child" "$U_DENIED" "$G_PLAIN" "$WORK/sgconnect" "$MX6" "$SG_TEST_PORT"
		[ "$status" -eq 10 ] || { echo "$how v6: $output"; return 1; }
		run in_cgroup "$child" "$U_DENIED" "$G_PLAIN" "$WORK/sgconnect" --fastopen "$MX4" "$SG_TEST_PORT"
		[ "$status" -eq 10 ] || { echo "$how tfo: $output"; return 1; }
		# a root process there: a non-allowed UID is still refused
		run in_cgroup "$child" 0 0 setpriv --reuid="$U_DENIED" "$WORK/sgconnect" "$MX4" "$SG_TEST_PORT"
		[ "$status" -eq 10 ]
		# the allowed UID is unaffected
		run in_cgroup "$child" "$U_ALLOWED" "$G_PLAIN" "$WORK/sgconnect" "$MX4" "$SG_TEST_PORT"
		[ "$status" -eq 0 ]
		for p in allow4 allow6 force4 force6; do
			t=connect${p: -1}
			bpftool cgroup detach "$child" "$t" pinned "$ATK/$p" 2>/dev/null || true
		done
	done
	rm -rf "$ATK"
	rmdir_settled "$child"
	still_enforced
}

@test "moving a process to a sub-cgroup, or trying to leave, does not escape" {
	local sub="$CG/a/b" pid
	mkdir -p "$sub"
	rm -f "$WORK/go"
	# a refused process that waits, then connects; root moves it meanwhile
	in_cgroup "$CG" "$U_DENIED" "$G_PLAIN" sh -c '
		while [ ! -e "$1/go" ]; do sleep 0.05; done
		exec "$1/sgconnect" "$2" "$3"' sh "$WORK" "$MX4" "$SG_TEST_PORT" >"$WORK/moved.out" 2>&1 &
	pid=$!
	echo "$pid" >"$WORK/moved.pid"
	sleep 0.2
	echo "$pid" >"$sub/cgroup.procs"
	grep -q "^0::.*/a/b$" "/proc/$pid/cgroup"
	touch "$WORK/go"
	wait "$pid" && rc=0 || rc=$?
	rm -f "$WORK/moved.pid"
	cat "$WORK/moved.out"
	[ "$rc" -eq 10 ]
	# the user cannot move itself out: the cgroup files are root's
	run in_cgroup "$sub" "$U_DENIED" "$G_PLAIN" sh -c '
		[ -e "$1/cgroup.procs" ] && [ -e "$2/cgroup.procs" ] || exit 99
		echo $$ >"$1/cgroup.procs" && echo "MOVED to root"
		echo $$ >"$2/cgroup.procs" && echo "MOVED to parent"
		exec "$3/sgconnect" "$4" "$5"' sh "$(cgroup2_root)" "$CG" "$WORK" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 10 ]
	[[ "$output" != *MOVED* ]]
	rmdir_settled "$sub" "$CG/a"
}

@test "a delegated subtree: the user moves itself between its own cgroups and is still refused" {
	local d="$CG/deleg"
	mkdir -p "$d"
	chown "$U_DENIED:$G_PLAIN" "$d" "$d/cgroup.procs" "$d/cgroup.threads" "$d/cgroup.subtree_control"
	run in_cgroup "$d" "$U_DENIED" "$G_PLAIN" sh -c '
		mkdir "$1/mine" && echo $$ >"$1/mine/cgroup.procs" || exit 99
		grep -q "/deleg/mine$" /proc/self/cgroup || exit 98
		exec "$2/sgconnect" "$3" "$4"' sh "$d" "$WORK" "$MX4" "$SG_TEST_PORT"
	rmdir_settled "$d/mine" "$d"
	[ "$status" -eq 10 ] || { echo "$status $output"; return 1; }
}

@test "a fresh network namespace (unshare -n) is covered" {
	# inside: loopback plus a "remote" address on it, a listener on the
	# guarded and an open port; the refused UID gets EPERM on the guarded one
	# only. Nothing leaves the ns.
	run in_cgroup "$CG" 0 0 unshare -n sh -c '
		ip link set lo up && ip addr add 198.51.100.1/32 dev lo || exit 99
		"$1/sgserve" fresh "$3" "$4" >"$1/fresh.log" 2>&1 &
		srv=$!
		for i in $(seq 100); do grep -q ready "$1/fresh.log" 2>/dev/null && break; sleep 0.05; done
		setpriv --reuid="$2" --regid="$2" --clear-groups "$1/sgconnect" 198.51.100.1 "$3"
		echo "rcguarded=$?"
		setpriv --reuid="$2" --regid="$2" --clear-groups "$1/sgconnect" 198.51.100.1 "$4"
		echo "rcopen=$?"
		"$1/sgconnect" 198.51.100.1 "$3"
		echo "rcroot=$?"
		kill $srv; wait $srv
		exit 0' sh "$WORK" "$U_DENIED" "$SG_TEST_PORT" "$SG_TEST_OPEN_PORT"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"EPERM"*"rcguarded=10"* ]]
	[[ "$output" == *"connected 220 fresh $SG_TEST_OPEN_PORT"*"rcopen=0"* ]]
	[[ "$output" == *"connected 220 fresh $SG_TEST_PORT"*"rcroot=0"* ]]
}

@test "a user who maps itself to root in a user namespace is still refused (own netns too)" {
	run as "$U_DENIED" "$G_PLAIN" unshare --user --map-root-user "$WORK/sgconnect" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 10 ]
	run as "$U_DENIED" "$G_PLAIN" unshare --user --map-root-user "$WORK/sgconnect" "$MX6" "$SG_TEST_PORT"
	[ "$status" -eq 10 ]
	mkdir -m 1777 "$WORK/u"
	run as "$U_DENIED" "$G_PLAIN" unshare --user --map-root-user --net sh -c '
		id -u
		ip link set lo up && ip addr add 198.51.100.1/32 dev lo || exit 99
		"$1/sgserve" userns "$2" "$3" >"$1/u/userns.log" 2>&1 &
		srv=$!
		for i in $(seq 100); do grep -q ready "$1/u/userns.log" 2>/dev/null && break; sleep 0.05; done
		"$1/sgconnect" 198.51.100.1 "$2"; echo "rcguarded=$?"
		"$1/sgconnect" 198.51.100.1 "$3"; echo "rcopen=$?"
		kill $srv; wait $srv
		exit 0' sh "$WORK" "$SG_TEST_PORT" "$SG_TEST_OPEN_PORT"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == 0* ]]
	[[ "$output" == *"rcguarded=10"* ]]
	[[ "$output" == *"rcopen=0"* ]]
}
