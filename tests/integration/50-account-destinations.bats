#!/usr/bin/env bats
# Issue 10: per-account destinations (allow_user_destinations,
# allow_group_destinations) and allow by service (allow_cgroups), on the
# real kernel. Guarded ports are $SG_TEST_PORT and $SG_TEST_PORT2 (they
# stand for 25 and 587); the remote host is 192.0.2.2 / 2001:db8::2.

load lib

U_ALICE=1001     # has her own relay destinations
U_BOB=1004       # has none
U_ANY=1003       # a port-less DEST: every guarded port
U_GMEMBER=1006   # not listed; its primary group G_RELAY is
G_RELAY=1005

setup_file() {
	world_up d
	CGREL=${CG#"$(cgroup2_root)"}  # the test cgroup, relative to the cgroup v2 root
	export CGREL
	mkdir -p "$CG/mta/worker" "$CG/other"
	write_config "$WORK/acct.conf" \
		"# issue 10 test policy" \
		"ports = $SG_TEST_PORT, $SG_TEST_PORT2" \
		"allow_users = root, $U_ALLOWED" \
		"allow_user_destinations = $U_ALICE $MX4/32:$SG_TEST_PORT, [2001:db8::/64]:$SG_TEST_PORT" \
		"allow_user_destinations = $U_ANY 192.0.2.0/24" \
		"allow_group_destinations = $G_RELAY [$MX6]:$SG_TEST_PORT2, $MX4:$SG_TEST_PORT2" \
		"allow_cgroups = $CGREL/mta"
	"$SG" --config "$WORK/acct.conf" --cgroup "$CG" --pin-dir "$PIN" load
}

teardown_file() {
	local d p
	for d in "$CG/mta/worker" "$CG/mta" "$CG/other"; do
		[ -d "$d" ] || continue
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
			echo "$p" >"$(cgroup2_root)/cgroup.procs" 2>/dev/null
		done
		rmdir "$d" 2>/dev/null
	done
	world_down
}

# try_in DIR UID GID ARGS...: one connect from cgroup DIR (below the test one).
try_in() {
	local dir=$1 uid=$2 gid=$3
	shift 3
	in_cgroup_exec "$dir" ip netns exec "$NS_C" \
		setpriv --reuid="$uid" --regid="$gid" --clear-groups "$WORK/sgconnect" "$@"
}

# verdict WANT UID GID ADDR PORT: WANT is ok (connected) or eperm.
verdict() {
	local want=$1
	shift
	run try "$@"
	case "$want" in
	ok) [ "$status" -eq 0 ] || { echo "want connected, got $status: $output ($*)"; return 1; } ;;
	eperm) [ "$status" -eq 10 ] || { echo "want EPERM, got $status: $output ($*)"; return 1; } ;;
	esac
}

# counter FAMILY NAME: one counter from stats --json.
counter() {
	"$SG" stats --json --pin-dir "$PIN" |
		/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"][sys.argv[1]][sys.argv[2]])' "$1" "$2"
}

prog_ids() {
	"$SG" status --json --pin-dir "$PIN" | /usr/bin/python3 -c \
		'import json,sys; d=json.load(sys.stdin); print(d["connect4"]["prog_id"], d["connect6"]["prog_id"])'
}

@test "alice reaches her own prefix:port over IPv4, not the same address on another guarded port" {
	verdict ok "$U_ALICE" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	verdict eperm "$U_ALICE" "$G_PLAIN" "$MX4" "$SG_TEST_PORT2"
}

@test "bob is refused on alice's destination" {
	verdict eperm "$U_BOB" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	verdict eperm "$U_BOB" "$G_PLAIN" "$MX6" "$SG_TEST_PORT"
}

@test "an IPv6 destination in brackets with a port, and an IPv4-mapped one judged as IPv4" {
	verdict ok "$U_ALICE" "$G_PLAIN" "$MX6" "$SG_TEST_PORT"
	verdict eperm "$U_ALICE" "$G_PLAIN" "$MX6" "$SG_TEST_PORT2"
	verdict ok "$U_ALICE" "$G_PLAIN" "::ffff:$MX4" "$SG_TEST_PORT"
	verdict eperm "$U_ALICE" "$G_PLAIN" "::ffff:$MX4" "$SG_TEST_PORT2"
	verdict eperm "$U_BOB" "$G_PLAIN" "::ffff:$MX4" "$SG_TEST_PORT"
}

@test "a port-less DEST allows every guarded port, of its family only" {
	verdict ok "$U_ANY" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	verdict ok "$U_ANY" "$G_PLAIN" "$MX4" "$SG_TEST_PORT2"
	verdict eperm "$U_ANY" "$G_PLAIN" "$MX6" "$SG_TEST_PORT"
}

@test "group destinations: the primary group's DESTs, on their port only" {
	verdict ok "$U_GMEMBER" "$G_RELAY" "$MX4" "$SG_TEST_PORT2"
	verdict ok "$U_GMEMBER" "$G_RELAY" "$MX6" "$SG_TEST_PORT2"
	verdict eperm "$U_GMEMBER" "$G_RELAY" "$MX4" "$SG_TEST_PORT"
	verdict eperm "$U_GMEMBER" "$G_PLAIN" "$MX4" "$SG_TEST_PORT2"
}

@test "allow_cgroups: a process in the allowed cgroup or below connects whatever its UID" {
	run try_in "$CG/mta" "$U_BOB" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
	run try_in "$CG/mta/worker" "$U_BOB" "$G_PLAIN" "$MX6" "$SG_TEST_PORT2"
	[ "$status" -eq 0 ]
	run try_in "$CG/other" "$U_BOB" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 10 ]
	verdict eperm "$U_BOB" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
}

@test "counters: allowed by account destination and by cgroup, exactly" {
	local a4 a6 c4 r4
	a4=$(counter ipv4 allowed_acct_dst)
	a6=$(counter ipv6 allowed_acct_dst)
	c4=$(counter ipv4 allowed_cgroup)
	r4=$(counter ipv4 refused)
	verdict ok "$U_ALICE" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	verdict ok "$U_ALICE" "$G_PLAIN" "::ffff:$MX4" "$SG_TEST_PORT"   # counted as IPv4
	verdict ok "$U_GMEMBER" "$G_RELAY" "$MX6" "$SG_TEST_PORT2"
	verdict eperm "$U_BOB" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	run try_in "$CG/mta/worker" "$U_BOB" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
	[ "$(counter ipv4 allowed_acct_dst)" -eq $((a4 + 2)) ]
	[ "$(counter ipv6 allowed_acct_dst)" -eq $((a6 + 1)) ]
	[ "$(counter ipv4 allowed_cgroup)" -eq $((c4 + 1)) ]
	[ "$(counter ipv4 refused)" -eq $((r4 + 1)) ]
	run "$SG" stats --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	grep -q "allowed: account destination" <<<"$output"
	grep -q "allowed: cgroup" <<<"$output"
	run "$SG" stats --prometheus --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	grep -q "^smtpguard_connects_total{verdict=\"allowed_account_destination\",family=\"ipv4\"} $((a4 + 2))\$" <<<"$output"
	grep -q '^smtpguard_connects_total{verdict="allowed_cgroup",family="ipv4"} ' <<<"$output"
}

@test "status shows the rules, their lines, the cgroup and the limits" {
	run "$SG" status --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	echo "$output"
	grep -q "^allow user dests: *$U_ALICE $MX4/32:$SG_TEST_PORT (line 4), $U_ALICE \[2001:db8::/64\]:$SG_TEST_PORT (line 4), $U_ANY 192.0.2.0/24 (line 5)\$" <<<"$output"
	grep -q "^allow group dests: *$G_RELAY $MX4/32:$SG_TEST_PORT2 (line 6), $G_RELAY \\[$MX6/128\\]:$SG_TEST_PORT2 (line 6)\$" <<<"$output"
	grep -Eq "^allow cgroups: +$CGREL/mta \(id [0-9]+, line 7\)\$" <<<"$output"
	grep -Eq "^limits: .*account destinations 5/65536 \(trie entries 6/65536\), cgroups 1/256\$" <<<"$output"
	run "$SG" status --json --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	/usr/bin/python3 - "$output" "$CGREL" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
u = d["allow_user_destinations"]
assert [(e["uid"], e["destination"], e["port"], e["line"]) for e in u] == [
    (1001, "192.0.2.2/32", 824, 4), (1001, "2001:db8::/64", 824, 4), (1003, "192.0.2.0/24", None, 5)], u
assert len(d["allow_group_destinations"]) == 2
assert d["allow_cgroups"][0]["path"] == sys.argv[2] + "/mta" and d["allow_cgroups"][0]["line"] == 7
assert d["limits"]["account_destinations"] == {"used": 5, "max": 65536}
assert d["limits"]["cgroups"] == {"used": 1, "max": 256}
PY
}

# bad_reload NAME WANT LINES...: a reload with config NAME.conf of LINES is
# refused, exit 2, with exactly "NAME.conf:WANT".
bad_reload() {
	local f="$WORK/$1.conf" want=$2
	shift 2
	write_config "$f" "$@"
	run "$SG" --config "$f" --cgroup "$CG" --pin-dir "$PIN" reload
	[ "$status" -eq 2 ] || { echo "$f: exit $status: $output"; return 1; }
	[ "$output" = "$f:$want" ] || { echo "$f: $output"; return 1; }
}

@test "config errors name FILE:LINE exactly and change nothing in the kernel" {
	local before
	before=$(prog_ids)
	bad_reload bad1 "2: destination $MX4/32:$SG_TEST_PORT3: port $SG_TEST_PORT3 is not a guarded port (not in 'ports')" \
		"ports = $SG_TEST_PORT" "allow_user_destinations = $U_ALICE $MX4:$SG_TEST_PORT3"
	bad_reload bad2 "3: malformed prefix '2001:db8::/64:$SG_TEST_PORT': length must be 0-128" \
		"ports = $SG_TEST_PORT" "" "allow_group_destinations = $G_RELAY 2001:db8::/64:$SG_TEST_PORT"
	bad_reload bad3 "1: 'allow_user_destinations' needs an account and at least one destination" \
		"allow_user_destinations = $U_ALICE"
	bad_reload bad4 "1: cgroup '/' would allow every process: name the MTA's service, such as /system.slice/postfix.service" \
		"allow_cgroups = /"
	bad_reload bad5 "1: bad port '0' in destination '[$MX6]:0': must be a number from 1 to 65535" \
		"allow_user_destinations = $U_ALICE [$MX6]:0"
	[ "$(prog_ids)" = "$before" ]
	verdict ok "$U_ALICE" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
}

@test "unknown accounts and missing cgroups: skipped with a warning by reload, errors for check-config" {
	write_config "$WORK/skip.conf" \
		"ports = $SG_TEST_PORT, $SG_TEST_PORT2" \
		"allow_users = root, $U_ALLOWED" \
		"allow_user_destinations = no-such-user-sgtest $MX4:$SG_TEST_PORT" \
		"allow_user_destinations = $U_ALICE $MX4/32:$SG_TEST_PORT" \
		"allow_cgroups = $CGREL/no-such-cgroup, $CGREL/mta"
	run "$SG" --config "$WORK/skip.conf" check-config
	[ "$status" -eq 2 ]
	[ "$output" = "$WORK/skip.conf:3: unknown user 'no-such-user-sgtest'" ]
	sed -i 's/^allow_user_destinations = no-such.*//' "$WORK/skip.conf"
	run "$SG" --config "$WORK/skip.conf" check-config
	[ "$status" -eq 2 ]
	[ "$output" = "$WORK/skip.conf:5: cgroup '$CGREL/no-such-cgroup' does not exist under $(cgroup2_root)" ]
	write_config "$WORK/skip.conf" \
		"ports = $SG_TEST_PORT, $SG_TEST_PORT2" \
		"allow_users = root, $U_ALLOWED" \
		"allow_user_destinations = no-such-user-sgtest $MX4:$SG_TEST_PORT" \
		"allow_user_destinations = $U_ALICE $MX4/32:$SG_TEST_PORT" \
		"allow_cgroups = $CGREL/no-such-cgroup, $CGREL/mta"
	run "$SG" --config "$WORK/skip.conf" --cgroup "$CG" --pin-dir "$PIN" reload
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx "$WORK/skip.conf:3: warning: unknown user 'no-such-user-sgtest' (skipped)" <<<"$output"
	grep -qx "$WORK/skip.conf:5: warning: cgroup '$CGREL/no-such-cgroup' does not exist (skipped)" <<<"$output"
	run "$SG" status --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	grep -q "^skipped: *user no-such-user-sgtest (skip.conf:3), cgroup $CGREL/no-such-cgroup (skip.conf:5)\$" <<<"$output"
	verdict ok "$U_ALICE" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	verdict eperm "$U_ANY" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"    # its line is gone now
	run try_in "$CG/mta/worker" "$U_BOB" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
}

@test "allow_cgroups: a cgroup removed and made again is a new id, refused until reload" {
	"$SG" --config "$WORK/acct.conf" --cgroup "$CG" --pin-dir "$PIN" reload
	rmdir "$CG/mta/worker" "$CG/mta"
	mkdir -p "$CG/mta/worker"
	run try_in "$CG/mta/worker" "$U_BOB" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 10 ]
	"$SG" --config "$WORK/acct.conf" --cgroup "$CG" --pin-dir "$PIN" reload
	run try_in "$CG/mta/worker" "$U_BOB" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
}

@test "reload keeps the counters and swaps the rules; an empty config allows no one by them" {
	local a4
	"$SG" --config "$WORK/acct.conf" --cgroup "$CG" --pin-dir "$PIN" reload
	verdict ok "$U_ANY" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	a4=$(counter ipv4 allowed_acct_dst)
	[ "$a4" -gt 0 ]
	write_config "$WORK/none.conf" "ports = $SG_TEST_PORT, $SG_TEST_PORT2" "allow_users = root, $U_ALLOWED"
	"$SG" --config "$WORK/none.conf" --cgroup "$CG" --pin-dir "$PIN" reload
	[ "$(counter ipv4 allowed_acct_dst)" -eq "$a4" ]
	verdict eperm "$U_ALICE" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	verdict eperm "$U_GMEMBER" "$G_RELAY" "$MX4" "$SG_TEST_PORT2"
	run try_in "$CG/mta" "$U_BOB" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 10 ]
	run "$SG" status --pin-dir "$PIN"
	grep -q "^allow user dests: *(none)\$" <<<"$output"
	grep -q "^allow cgroups: *(none)\$" <<<"$output"
	"$SG" --config "$WORK/acct.conf" --cgroup "$CG" --pin-dir "$PIN" reload
	verdict ok "$U_ALICE" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
}

@test "explain judges account destinations and allow_cgroups as the kernel does (users x destinations x ports x cgroups)" {
	local u g d p c kern want cells=0 line
	"$SG" --config "$WORK/acct.conf" --cgroup "$CG" --pin-dir "$PIN" reload
	for ug in "$U_ALICE:$G_PLAIN" "$U_BOB:$G_PLAIN" "$U_ANY:$G_PLAIN" "$U_GMEMBER:$G_RELAY"; do
		u=${ug%:*} g=${ug#*:}
		for d in "$MX4" "$MX6" "::ffff:$MX4"; do
			for p in "$SG_TEST_PORT" "$SG_TEST_PORT2"; do
				for c in "" /mta/worker /other; do
					run try_in "$CG$c" "$u" "$g" "$d" "$p"
					case "$status" in
					0) kern=allowed ;;
					10) kern=refused ;;
					*) echo "connect $u $d $p $c: $status $output"; return 1 ;;
					esac
					[[ $d == *:* ]] && d6="[$d]" || d6=$d
					run "$SG" explain --json --pin-dir "$PIN" --config "$WORK/acct.conf" \
						--user "$u" --group "$g" --cgroup-path "$CGREL$c" "$d6:$p"
					[ "$status" -eq 0 ] || { echo "explain: $status $output"; return 1; }
					want=$(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])' <<<"$output")
					[ "$want" = "$kern" ] ||
						{ echo "uid $u gid $g $d6:$p cgroup $c: kernel $kern, explain $output"; return 1; }
					cells=$((cells + 1))
				done
			done
		done
	done
	echo "# $cells cells: explain agrees with the kernel" >&3
	[ "$cells" -eq 72 ]
	# the deciding rule, and the line it is written on
	run "$SG" explain --pin-dir "$PIN" --config "$WORK/acct.conf" --user "$U_ALICE" \
		--group "$G_PLAIN" "$MX4:$SG_TEST_PORT"
	[ "$status" -eq 0 ]
	line=$(grep -n "^allow_user_destinations = $U_ALICE " "$WORK/acct.conf" | cut -d: -f1)
	[[ $output == "allowed: $MX4:$SG_TEST_PORT — allow_user_destinations "*"$MX4/32:$SG_TEST_PORT (acct.conf:$line)" ]] ||
		{ echo "$output"; return 1; }
	run "$SG" explain --pin-dir "$PIN" --config "$WORK/acct.conf" --user "$U_BOB" \
		--group "$G_PLAIN" --cgroup-path "$CGREL/mta/worker" "$MX4:$SG_TEST_PORT"
	line=$(grep -n "^allow_cgroups = " "$WORK/acct.conf" | cut -d: -f1)
	[ "$output" = "allowed: $MX4:$SG_TEST_PORT — allow_cgroups $CGREL/mta (acct.conf:$line)" ] ||
		{ echo "$output"; return 1; }
	run "$SG" explain --pin-dir "$PIN" --user "$U_BOB" --group "$G_PLAIN" "$MX4:$SG_TEST_PORT"
	[[ $output == "refused: "*"no allow_user_destinations entry of uid $U_BOB matches"*"allow_cgroups not applied (no --cgroup-path); mode enforce" ]] ||
		{ echo "$output"; return 1; }
}
