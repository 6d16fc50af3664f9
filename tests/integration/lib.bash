# Shared setup for the integration tests (bats). Real kernel, as root.
#
# A test world: a cgroup v2 directory the clients run in, a temporary pin dir
# in bpffs, and two network namespaces joined by a veth pair
# (tests/netns-world.sh, which bench/run.sh uses too):
#   client ns  192.0.2.1 / 2001:db8::1, a "local MTA" on loopback :SG_TEST_PORT
#   mx ns      192.0.2.2 / 2001:db8::2, a "remote mail host" on every test port
# Nothing is sent outside these namespaces, and teardown removes everything
# it made, also after a failure.
#
# Knobs (environment):
#   SG_BIN   the smtpguard binary to test (default: $TOP/smtpguard)
#   SG_TEST_PORT, SG_TEST_PORT2, SG_TEST_PORT3, SG_TEST_OPEN_PORT
#       the ports the suite judges on (see below)
#   SG_TEST_PARENT_CG=1      nest each world's cgroup under a parent cgroup
#       that world_up makes and loads an enforcement on, with its own pin dir
#       and SG_TEST_PARENT_CONF (default: the example config `make install`
#       puts in /etc, i.e. what scripts/quickstart.sh loads at the root).
#       Cgroup programs of an ancestor run for its descendants, so this is
#       the README's quickstart-then-`make check` host without touching the
#       real root cgroup.
#   SG_TEST_PARENT_CG=DIR    nest under an existing cgroup DIR instead (its
#       enforcement, if any, is the caller's; SG_TEST_PARENT_PIN names its
#       pin dir so the preflight checks it too).

TOP=${SG_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
# SG_BIN: the smtpguard binary under test (default: the tree's own build);
# 70-portable.bats runs suites with the static build here.
SG=${SG_BIN:-$TOP/smtpguard}
# netns_pair, IN_CGROUP_SH, in_cgroup_exec: shared with bench/run.sh
# shellcheck source=../netns-world.sh
. "$TOP/tests/netns-world.sh"

# Test users: none of them is allowed by default.
U_DENIED=1001       # an ordinary hosting account
U_ALLOWED=2000      # listed in allow_users by the test config
U_GROUPED=1002      # not listed, but its primary group is
G_ALLOWED=3000
G_PLAIN=1001

MX4=192.0.2.2
MX6=2001:db8::2

# The ports the suite judges on. Never 25, 465 or 587: on a host where
# scripts/quickstart.sh has run, an enforcement at the root cgroup guards
# those for every process in every network namespace (a cgroup program runs
# for all descendants, and the connect hook does not look at the netns), and
# it refuses the suite's test users there. These are privileged (< 1024):
# redirect_to must name a port only root can bind, and the local MTA here is
# the redirect target. They come from 811-827, a block IANA leaves
# unassigned, so no mail or hosting policy has a reason to guard them (not
# 24 or 26: hosts offer 26 as an alternative SMTP port, and 24 is "any
# private mail system"). Override them if your root policy guards these.
: "${SG_TEST_PORT:=824}"      # the guarded port of the test policies (stands for 25)
: "${SG_TEST_PORT2:=825}"     # a second guarded port (stands for 587)
: "${SG_TEST_PORT3:=826}"     # a third one (stands for 465)
: "${SG_TEST_OPEN_PORT:=827}" # a port the test policies leave open (stands for 80)
export SG_TEST_PORT SG_TEST_PORT2 SG_TEST_PORT3 SG_TEST_OPEN_PORT
SG_TEST_PORTS="$SG_TEST_PORT $SG_TEST_PORT2 $SG_TEST_PORT3 $SG_TEST_OPEN_PORT"
SG_HOST_PIN=/sys/fs/bpf/smtpguard # where `smtpguard load` pins by default

cgroup2_root() {
	awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo
}

# guarded_test_ports PIN: the test ports the enforcement pinned at PIN
# guards, on one line; exit 3 when nothing is loaded there, 1 when its
# policy cannot be read (the message is the output).
guarded_test_ports() {
	local json rc
	json=$("$SG" status --json --pin-dir "$1" 2>&1)
	rc=$?
	[ "$rc" -eq 3 ] && return 3
	[ "$rc" -eq 0 ] || { echo "status exit $rc: $json"; return 1; }
	/usr/bin/python3 -c '
import json, sys
guarded = set(json.loads(sys.argv[1]).get("ports", []))
print(" ".join(p for p in sys.argv[2:] if int(p) in guarded))' "$json" $SG_TEST_PORTS ||
		{ echo "cannot read the ports from: $json"; return 1; }
}

# host_preflight: fail with one line when an enforcement this suite runs
# under (the host's at the default pin dir, or the parent one) guards a
# port the suite judges on: the tests would fail for a reason of the host's.
host_preflight() {
	local pin out rc
	for pin in "$SG_HOST_PIN" ${SG_WORLD_PARENT_PIN:-} ${SG_TEST_PARENT_PIN:-}; do
		out=$(guarded_test_ports "$pin")
		rc=$?
		[ "$rc" -eq 3 ] && continue
		if [ "$rc" -ne 0 ]; then
			echo "world_up: an smtpguard enforcement is pinned at $pin, but its policy cannot be read ($out)" >&2
			return 1
		fi
		if [ -n "$out" ]; then
			echo "world_up: the enforcement pinned at $pin guards port(s) $out, which the tests use: set SG_TEST_PORT, SG_TEST_PORT2, SG_TEST_PORT3 and SG_TEST_OPEN_PORT to ports it does not guard" >&2
			return 1
		fi
	done
}

# parent_up ID: sets PARENT, the cgroup the world's cgroup goes in (see
# SG_TEST_PARENT_CG); with SG_TEST_PARENT_CG=1 it makes one and loads the
# parent enforcement on it.
parent_up() {
	local id=$1
	case "${SG_TEST_PARENT_CG:-}" in
	"" | 0) PARENT=$(cgroup2_root) ;;
	1)
		SG_WORLD_PARENT_CG="$(cgroup2_root)/${id}P"
		SG_WORLD_PARENT_PIN="/sys/fs/bpf/${id}P"
		export SG_WORLD_PARENT_CG SG_WORLD_PARENT_PIN
		mkdir "$SG_WORLD_PARENT_CG" || return 1
		install -m 0600 "${SG_TEST_PARENT_CONF:-$TOP/smtpguard.conf.example}" "$WORK/parent.conf"
		"$SG" --config "$WORK/parent.conf" --cgroup "$SG_WORLD_PARENT_CG" \
			--pin-dir "$SG_WORLD_PARENT_PIN" load >"$WORK/parent.log" 2>&1 ||
			{ echo "world_up: loading the parent enforcement failed: $(cat "$WORK/parent.log")" >&2; return 1; }
		PARENT=$SG_WORLD_PARENT_CG
		;;
	*)
		[ -d "$SG_TEST_PARENT_CG" ] ||
			{ echo "world_up: SG_TEST_PARENT_CG=$SG_TEST_PARENT_CG is not a directory" >&2; return 1; }
		PARENT=$SG_TEST_PARENT_CG
		;;
	esac
}

# world_up NAME: sets CG, PIN, NS_C, NS_M, WORK and starts the listeners.
# Fails (after cleaning up) when the host's enforcement guards a test port.
world_up() {
	local id="sgt$$${1:-}"
	unset CG PIN NS_C NS_M SG_WORLD_PARENT_CG SG_WORLD_PARENT_PIN
	WORK=$(mktemp -d /tmp/smtpguard-test.XXXXXX)
	chmod 755 "$WORK"
	export WORK
	parent_up "$id" && host_preflight || { world_down; return 1; }
	cp "$TOP/build/tests/sgconnect" "$TOP/build/tests/sgserve" "$WORK/"
	CG="$PARENT/$id"
	PIN="/sys/fs/bpf/$id"
	NS_C="${id}c"
	NS_M="${id}m"
	export CG PIN NS_C NS_M
	mkdir -p "$CG"
	netns_pair "$NS_C" "$NS_M" || { echo "world_up: cannot set up $NS_C and $NS_M" >&2; world_down; return 1; }
	ip netns exec "$NS_M" "$WORK/sgserve" remote $SG_TEST_PORTS >"$WORK/mx.log" 2>&1 &
	echo $! >"$WORK/mx.pid"
	ip netns exec "$NS_C" "$WORK/sgserve" local "$SG_TEST_PORT" >"$WORK/local.log" 2>&1 &
	echo $! >"$WORK/local.pid"
	for _ in $(seq 100); do
		grep -q ready "$WORK/mx.log" && grep -q ready "$WORK/local.log" && break
		sleep 0.05
	done
	grep -q ready "$WORK/mx.log" && grep -q ready "$WORK/local.log"
}

# world_down: undo world_up; safe to call more than once and after failures.
world_down() {
	[ -n "${PIN:-}" ] && "$SG" unload --pin-dir "$PIN" >/dev/null 2>&1
	[ -n "${PIN:-}" ] && rm -rf "$PIN" 2>/dev/null
	local f
	for f in "$WORK"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null && rm -f "$f"
	done
	[ -n "${NS_C:-}" ] && ip netns del "$NS_C" 2>/dev/null
	[ -n "${NS_M:-}" ] && ip netns del "$NS_M" 2>/dev/null
	if [ -n "${CG:-}" ] && [ -d "$CG" ]; then
		# move stragglers (there should be none) out, then remove it
		local p
		for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do
			echo "$p" >"$(cgroup2_root)/cgroup.procs" 2>/dev/null
		done
		rmdir "$CG" 2>/dev/null
	fi
	# the parent enforcement of SG_TEST_PARENT_CG=1, if this world made one
	if [ -n "${SG_WORLD_PARENT_PIN:-}" ]; then
		"$SG" unload --pin-dir "$SG_WORLD_PARENT_PIN" >/dev/null 2>&1
		rm -rf "$SG_WORLD_PARENT_PIN" 2>/dev/null
	fi
	[ -n "${SG_WORLD_PARENT_CG:-}" ] && rmdir "$SG_WORLD_PARENT_CG" 2>/dev/null
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
	return 0
}

# as UID GID CMD...: run CMD in the test cgroup and client namespace with
# that real/effective UID and GID and no supplementary groups.
as() {
	local uid=$1 gid=$2
	shift 2
	in_cgroup_exec "$CG" ip netns exec "$NS_C" \
		setpriv --reuid="$uid" --regid="$gid" --clear-groups "$@"
}

# spawn UID GID [sgconnect args]: like try, in the background; SPAWNED is
# the PID the connecting process has (sh execs down to sgconnect).
spawn() {
	local uid=$1 gid=$2
	shift 2
	sh -c "$IN_CGROUP_SH" sh "$CG" \
		ip netns exec "$NS_C" setpriv --reuid="$uid" --regid="$gid" --clear-groups \
		"$WORK/sgconnect" "$@" &
	SPAWNED=$!
}

# try UID GID [sgconnect args]: one connect; sets $status/$output via bats run.
try() {
	local uid=$1 gid=$2
	shift 2
	as "$uid" "$gid" "$WORK/sgconnect" "$@"
}

# sg ARGS: smtpguard with this world's cgroup and pin dir.
sg() {
	"$SG" --pin-dir "$PIN" "$@"
}

# write_config FILE LINES...: one line per argument.
write_config() {
	local f=$1
	shift
	printf '%s\n' "$@" >"$f"
}

# outside_bats CMD...: CMD in an environment without this bats run's state
# (BATS_* variables, exported helpers, bats-core's libexec on PATH), so a
# bats started by CMD starts afresh.
outside_bats() {
	local path
	path=$(tr ':' '\n' <<<"$PATH" | grep -v bats-core | paste -sd: -)
	env -i PATH="$path" HOME="${HOME:-/root}" TERM="${TERM:-dumb}" "$@"
}

# enforced: the test enforcement judges both hooks at $SG_TEST_PORT: the
# denied UID is refused (EPERM) and the allowed UID connects, over IPv4 and
# IPv6 (every test policy allows U_ALLOWED and not U_DENIED). Says which.
enforced() {
	local who dst
	for who in "$U_DENIED 10 denied" "$U_ALLOWED 0 allowed"; do
		set -- $who
		for dst in "$MX4" "$MX6"; do
			run try "$1" "$G_PLAIN" "$dst" "$SG_TEST_PORT"
			[ "$status" -eq "$2" ] ||
				{ echo "$3 UID $1 to $dst: want exit $2, got $status: $output"; return 1; }
		done
	done
}

# stop_readers: stop the log/monitor readers a test started and recorded in
# $WORK/reader*.pid (ours, by PID), also when the test failed half-way.
stop_readers() {
	local f
	for f in "$WORK"/reader*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null && rm -f "$f"
	done
	return 0
}

# monitor_to_test_syslog: `smtpguard monitor` for this world's pin dir, in a
# private mount namespace whose private /dev has a test syslog socket at
# /dev/log; what it logs goes to $WORK/syslog.txt, its stderr to
# $WORK/monitor.err. Both are readers (stop_readers, or kill by their pid
# files). Returns once the monitor has said it started (or after 5 s).
# ARGS are more monitor options (--output FILE).
monitor_to_test_syslog() {
	cat >"$WORK/syslogd.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
out = open(sys.argv[1], "w", buffering=1)
while True:
    out.write(s.recv(4096).decode(errors="replace") + "\n")
PY
	rm -f "$WORK/syslog.txt" # a run before said "monitor started" in it
	unshare --mount --propagation private sh -c '
		mount -t tmpfs tmpfs /dev && mknod -m 666 /dev/null c 1 3
		/usr/bin/python3 "$1/syslogd.py" "$1/syslog.txt" & echo $! >"$1/reader-syslogd.pid"
		for i in $(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done
		sg=$2 pin=$3; shift 3; exec "$sg" monitor --pin-dir "$pin" "$@"' sh "$WORK" "$SG" "$PIN" "$@" 2>"$WORK/monitor.err" &
	echo $! >"$WORK/reader-monitor.pid"
	for _ in $(seq 50); do grep -q "monitor started" "$WORK/syslog.txt" 2>/dev/null && break; sleep 0.1; done
}

# monitor_logs_refusal UID: with monitor_to_test_syslog running, a refused
# connect of UID becomes one syslog line naming it, and SIGTERM stops the
# monitor (exit 0, "monitor stopped" logged). Stops both readers.
monitor_logs_refusal() {
	local uid=$1 pid mpid rc=0
	spawn "$uid" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	pid=$SPAWNED
	wait "$pid" || true
	for _ in $(seq 50); do grep -q "uid=$uid" "$WORK/syslog.txt" && break; sleep 0.1; done
	mpid=$(cat "$WORK/reader-monitor.pid")
	kill -TERM "$mpid"
	wait "$mpid" || rc=$? # not `run wait`: a subshell cannot wait for our child
	rm -f "$WORK/reader-monitor.pid"
	echo "monitor exit: $rc"
	cat "$WORK/monitor.err"
	sleep 0.2
	kill "$(cat "$WORK/reader-syslogd.pid")"
	rm -f "$WORK/reader-syslogd.pid"
	cat "$WORK/syslog.txt"
	[ "$rc" -eq 0 ] || return 1
	grep -Eq "smtpguard\[[0-9]+\]: refused uid=$uid pid=$pid comm=sgconnect dst=$MX4:$SG_TEST_PORT family=ipv4 " \
		"$WORK/syslog.txt" || { echo "no refusal line for uid $uid"; return 1; }
	grep -q "monitor stopped" "$WORK/syslog.txt" || { echo "no 'monitor stopped'"; return 1; }
}

mx_accepts() {
	grep -c "^accept ${1}\$" "$WORK/mx.log" || true
}
