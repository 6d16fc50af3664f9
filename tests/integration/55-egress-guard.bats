#!/usr/bin/env bats
# issue 14: the egress layer (egress_guard). A "container" as LXC/Incus or
# systemd-nspawn -U make one: a user namespace whose root is the ordinary
# host user $U_DENIED, with its own network namespace, wired by the host (the
# container manager) to the test remote host with a veth pair, in a cgroup
# of its own below the test cgroup. Its root gets past the connect hooks by
# three routes: DNAT of 127.0.0.2 (and [::1]) to the remote inside its own
# namespace, and a raw socket that makes the handshake by hand. With the
# layer on none of them reaches the remote; with it off they all do (so
# these tests can fail). Every packet stays inside namespaces made here.

load lib

CT4=198.51.100.1 # the container's end (TEST-NET-2, inside the test netns)
MXC4=198.51.100.2 # the remote host's second address, facing the container
CT6=2001:db8:1::1
MXC6=2001:db8:1::2

setup_file() {
	world_up g
	cp "$TOP/build/tests/sgrawsyn" "$WORK/"
	CT_CG="$CG/ct"
	CT_REL=${CT_CG#"$(cgroup2_root)"}
	export CT_CG CT_REL
	mkdir "$CT_CG"
	# the container: its init is a sleep owned by the test user
	# (sh execs down to the sleep: $! is its PID)
	sh -c "$IN_CGROUP_SH" sh "$CT_CG" setpriv --reuid="$U_DENIED" --regid="$G_PLAIN" \
		--clear-groups unshare -Urn sleep 900 3>&- &
	echo $! >"$WORK/ct.pid"
	export CT_PID=$!
	for _ in $(seq 50); do
		[ "$(readlink "/proc/$CT_PID/ns/user")" != "$(readlink /proc/self/ns/user)" ] && break
		sleep 0.1
	done
	# the container manager's part: a veth from the remote host's netns
	# into the container's
	ip -n "$NS_M" link add cr type veth peer name ce netns "$CT_PID"
	ip -n "$NS_M" addr add "$MXC4/24" dev cr
	ip -n "$NS_M" addr add "$MXC6/64" dev cr nodad
	ip -n "$NS_M" link set cr up
	# the container root's part: addresses, and the NAT of the issue
	ct ip link set lo up
	ct ip addr add "$CT4/24" dev ce
	ct ip addr add "$CT6/64" dev ce nodad
	ct ip link set ce up
	ct sysctl -qw net.ipv4.conf.all.route_localnet=1 net.ipv4.conf.ce.route_localnet=1
	ct nft -f - <<EOF
table inet sgt {
	chain out {
		type nat hook output priority -100;
		ip daddr 127.0.0.2 tcp dport $SG_TEST_PORT dnat ip to $MXC4
		ip6 daddr ::1 tcp dport $SG_TEST_PORT dnat ip6 to $MXC6
	}
	chain post {
		type nat hook postrouting priority 100;
		oifname "ce" masquerade
	}
	chain norst {
		type filter hook output priority 0;
		oifname "ce" tcp flags & rst == rst drop
	}
}
EOF
	write_config "$WORK/off.conf" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED"
	write_config "$WORK/on.conf" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED" \
		"egress_guard = $CT_REL"
	# the container's owner allowed: its SYNs pass
	write_config "$WORK/owner.conf" "ports = $SG_TEST_PORT" "allow_users = root, $U_DENIED" \
		"egress_guard = $CT_REL"
	# issue 10's rules: the owner's account destinations, allow_cgroups
	write_config "$WORK/acct.conf" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED" \
		"allow_user_destinations = $U_DENIED $MXC4/32:$SG_TEST_PORT, [$MXC6]:$SG_TEST_PORT" \
		"egress_guard = $CT_REL"
	write_config "$WORK/acct-other.conf" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED" \
		"allow_user_destinations = $U_DENIED 203.0.113.0/24:$SG_TEST_PORT" \
		"egress_guard = $CT_REL"
	write_config "$WORK/cgroup.conf" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED" \
		"allow_cgroups = $CT_REL" "egress_guard = $CT_REL"
	"$SG" --config "$WORK/off.conf" --cgroup "$CG" --pin-dir "$PIN" load
}

teardown_file() {
	stop_readers
	[ -f "$WORK/ctlocal.pid" ] && kill "$(cat "$WORK/ctlocal.pid")" 2>/dev/null
	[ -n "${CT_PID:-}" ] && kill "$CT_PID" 2>/dev/null
	rm -f "$WORK/ct.pid"
	if [ -n "${CT_CG:-}" ] && [ -d "$CT_CG" ]; then
		# everything in the container's cgroup was started by this file
		local p
		for _ in $(seq 100); do
			for p in $(cat "$CT_CG/cgroup.procs" 2>/dev/null); do kill "$p" 2>/dev/null; done
			rmdir "$CT_CG" 2>/dev/null && break
			sleep 0.1
		done
		[ -d "$CT_CG" ] && echo "teardown: cannot remove $CT_CG" >&2
	fi
	world_down
}

# ct CMD...: CMD as the container's root (the host's $U_DENIED), in its
# namespaces and cgroup.
ct() {
	in_cgroup_exec "$CT_CG" setpriv --clear-groups \
		nsenter -t "$CT_PID" -U -n -S 0 -G 0 "$@"
}

load_with() {
	run "$SG" --config "$WORK/$1.conf" --cgroup "$CG" --pin-dir "$PIN" load
	[ "$status" -eq 0 ] || { echo "load $1: $output"; return 1; }
}

# route NAME: one attempt by route NAME; sets status/output.
route() {
	case $1 in
	dnat4) run ct "$WORK/sgconnect" 127.0.0.2 "$SG_TEST_PORT" ;;
	# from the container's address: the reply, un-NATed to come from
	# [::1], must not be addressed to ::1 too (no IPv6 route_localnet)
	dnat6) run ct "$WORK/sgconnect" --from "$CT6" ::1 "$SG_TEST_PORT" ;;
	raw4) run ct "$WORK/sgrawsyn" "$CT4" "$MXC4" "$SG_TEST_PORT" ;;
	raw6) run ct "$WORK/sgrawsyn" "$CT6" "$MXC6" "$SG_TEST_PORT" ;;
	esac
}

# gets_through NAME: the route reaches the remote (one more accept there).
gets_through() {
	local before after
	before=$(mx_accepts "$SG_TEST_PORT")
	route "$1"
	[ "$status" -eq 0 ] || { echo "$1: want exit 0, got $status: $output"; return 1; }
	for _ in $(seq 20); do
		after=$(mx_accepts "$SG_TEST_PORT")
		[ "$after" -gt "$before" ] && return 0
		sleep 0.1
	done
	echo "$1: the remote accepted nothing ($before -> $after)"
	return 1
}

# blocked NAME: the attempt fails and the remote accepts nothing. The SYN
# is dropped: connect() times out (SO_SNDTIMEO: EINPROGRESS), the raw
# socket's sendto gets EPERM (its first and only SYN).
blocked() {
	local before after
	before=$(mx_accepts "$SG_TEST_PORT")
	route "$1"
	case "$1:$status:$output" in
	dnat*:1:"Operation now in progress" | raw*:10:"Operation not permitted") ;;
	*) echo "$1: want a dropped SYN, got $status: $output"; return 1 ;;
	esac
	sleep 0.3
	after=$(mx_accepts "$SG_TEST_PORT")
	[ "$before" = "$after" ] || { echo "$1: the remote accepted $before -> $after"; return 1; }
}

eg_json() {
	"$SG" stats --json --pin-dir "$PIN" | /usr/bin/python3 -c \
		'import json,sys; d=json.load(sys.stdin)["egress"]; print(d'"$1"')'
}

@test "layer off: the connect hooks refuse the container root, but all three routes get through" {
	run ct "$WORK/sgconnect" "$MXC4" "$SG_TEST_PORT"
	[ "$status" -eq 10 ] || { echo "direct connect: want EPERM, got $status: $output"; return 1; }
	gets_through dnat4
	gets_through dnat6
	gets_through raw4
	gets_through raw6
	run bpftool cgroup show "$CT_CG"
	[ "$status" -eq 0 ]
	[ -z "$output" ] || { echo "attached with the layer off: $output"; return 1; }
}

@test "layer on: load attaches sock_create and egress to the container cgroup only" {
	load_with on
	run bpftool cgroup show "$CT_CG"
	[ "$(grep -c 'sock_create.*sg_eg_sock' <<<"$output")" -eq 1 ] || { echo "$output"; return 1; }
	[ "$(grep -c 'egress.*sg_egress' <<<"$output")" -eq 1 ] || { echo "$output"; return 1; }
	run bpftool cgroup show "$CG"
	[ "$(grep -c sg_eg <<<"$output")" -eq 0 ] || { echo "$output"; return 1; }
	run "$SG" status --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	grep -q "egress guard: *$CT_REL" <<<"$output" || { echo "$output"; return 1; }
	for p in prog_eg_sock prog_egress eg_owner eg_stats; do
		[ -e "$PIN/$p" ] || { echo "missing pin $p"; return 1; }
	done
	run "$SG" status --json --pin-dir "$PIN"
	/usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); l=d["egress_layer"]
assert d["egress_guard"] == [sys.argv[2]] and [e["path"] for e in l] == [sys.argv[2]], d
assert len(l[0]["sock_create"]) == 1 and len(l[0]["egress"]) == 1, l' "$output" "$CT_REL"
}

@test "layer on: DNAT of 127.0.0.2 to the remote is dropped" {
	blocked dnat4
}

@test "layer on: DNAT of [::1] to the remote is dropped" {
	blocked dnat6
}

@test "layer on: a raw-socket handshake to the remote is dropped (IPv4 and IPv6)" {
	blocked raw4
	blocked raw6
}

@test "layer on: the drops are counted and logged with verdict dropped" {
	local n
	n=$(eg_json '["ipv4"]["dropped"]')
	[ "$n" -ge 2 ] || { echo "ipv4 dropped: $n"; return 1; }
	n=$(eg_json '["ipv6"]["dropped"]')
	[ "$n" -ge 2 ] || { echo "ipv6 dropped: $n"; return 1; }
	"$SG" log --json --pin-dir "$PIN" >"$WORK/eg.log" 2>&1 &
	echo $! >"$WORK/reader-log.pid"
	sleep 0.5
	blocked dnat4
	for _ in $(seq 30); do grep -q dropped "$WORK/eg.log" && break; sleep 0.1; done
	stop_readers
	run cat "$WORK/eg.log"
	grep -q "\"verdict\":\"dropped\",\"uid\":$U_DENIED," <<<"$output" ||
		{ echo "$output"; return 1; }
	# the final destination, after NAT, and the port
	grep -q "\"addr\":\"$MXC4\",\"port\":$SG_TEST_PORT," <<<"$output" ||
		{ echo "no final destination: $output"; return 1; }
	# stats --reset clears this layer's counters too
	run "$SG" stats --reset --pin-dir "$PIN"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	n=$(eg_json '["ipv4"]["dropped"]')
	[ "$n" -eq 0 ] || { echo "ipv4 dropped after reset: $n"; return 1; }
}

@test "layer on: loopback inside the container keeps working" {
	# sh execs down to sgserve, so $! is its PID; fd 3 closed: bats must
	# not wait for it
	sh -c "$IN_CGROUP_SH" sh "$CT_CG" setpriv --clear-groups \
		nsenter -t "$CT_PID" -U -n -S 0 -G 0 "$WORK/sgserve" ctlocal "$SG_TEST_PORT" \
		>"$WORK/ctlocal.log" 2>&1 3>&- &
	echo $! >"$WORK/ctlocal.pid"
	for _ in $(seq 50); do grep -q ready "$WORK/ctlocal.log" && break; sleep 0.1; done
	run ct "$WORK/sgconnect" 127.0.0.1 "$SG_TEST_PORT"
	[ "$status" -eq 0 ] || { echo "127.0.0.1: $status $output"; return 1; }
	kill "$(cat "$WORK/ctlocal.pid")"
	rm -f "$WORK/ctlocal.pid"
}

@test "layer on: an allowed owner gets through by the same routes" {
	load_with owner
	gets_through dnat4
	gets_through raw4
	load_with on
	blocked dnat4
}

@test "layer on: the owner's account destinations and allow_cgroups apply to the final destination" {
	local a
	load_with acct
	a=$(eg_json '["ipv4"]["allowed_acct_dst"]')
	gets_through dnat4
	gets_through raw4
	gets_through raw6
	[ "$(eg_json '["ipv4"]["allowed_acct_dst"]')" -ge $((a + 2)) ]
	# an account destination elsewhere does not cover the remote
	load_with acct-other
	blocked dnat4
	blocked raw4
	load_with cgroup
	a=$(eg_json '["ipv4"]["allowed_cgroup"]')
	gets_through dnat4
	[ "$(eg_json '["ipv4"]["allowed_cgroup"]')" -gt "$a" ]
	load_with on
	blocked dnat4
}

@test "a reload without egress_guard detaches the layer, and the routes are open again" {
	load_with off
	run bpftool cgroup show "$CT_CG"
	[ -z "$output" ] || { echo "still attached: $output"; return 1; }
	[ ! -e "$PIN/prog_egress" ]
	gets_through dnat4
}

@test "unload removes the layer and every pin" {
	load_with on
	run "$SG" unload --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	run bpftool cgroup show "$CT_CG"
	[ -z "$output" ] || { echo "left attached: $output"; return 1; }
	run bpftool cgroup show "$CG"
	[ -z "$output" ] || { echo "left attached: $output"; return 1; }
	[ ! -e "$PIN" ]
	load_with off
}

@test "with every pin gone, status finds the layer on its cgroup and unload removes it" {
	load_with on
	rm -rf "$PIN"
	run "$SG" status --cgroup "$CG" --pin-dir "$PIN"
	grep -q "egress layer: *$CT_REL (sock_create program [1-9]" <<<"$output" ||
		{ echo "$output"; return 1; }
	blocked dnat4
	run "$SG" unload --cgroup "$CG" --pin-dir "$PIN"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run bpftool cgroup show "$CT_CG"
	[ -z "$output" ] || { echo "left attached: $output"; return 1; }
	run bpftool cgroup show "$CG"
	[ -z "$output" ] || { echo "left attached: $output"; return 1; }
	load_with off
}

@test "egress_guard: a cgroup that does not exist is an error for check-config, skipped by load" {
	write_config "$WORK/missing.conf" "ports = $SG_TEST_PORT" "egress_guard = /sg-no-such-cgroup-$$"
	run "$SG" check-config "$WORK/missing.conf"
	[ "$status" -eq 2 ]
	[ "$output" = "$WORK/missing.conf:2: egress_guard cgroup /sg-no-such-cgroup-$$ does not exist ($(cgroup2_root)/sg-no-such-cgroup-$$: No such file or directory)" ] ||
		{ echo "$output"; return 1; }
	# load skips it with a warning and enforces the rest
	run "$SG" --config "$WORK/missing.conf" --cgroup "$CG" --pin-dir "$PIN" load
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	grep -q "^$WORK/missing.conf:2: warning: egress_guard cgroup /sg-no-such-cgroup-$$ does not exist (skipped)$" <<<"$output" ||
		{ echo "$output"; return 1; }
	run "$SG" status --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	case $output in *egress*) echo "$output"; return 1 ;; esac
	load_with off
	write_config "$WORK/nested.conf" "egress_guard = /a" "egress_guard = /a/b"
	run "$SG" check-config "$WORK/nested.conf"
	[ "$status" -eq 2 ]
	[ "$output" = "$WORK/nested.conf:2: egress_guard /a/b lies inside /a (line 1)" ] ||
		{ echo "$output"; return 1; }
}
