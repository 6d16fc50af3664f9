# Shared setup for the integration tests (bats). Real kernel, as root.
#
# A test world: a cgroup v2 directory the clients run in, a temporary pin dir
# in bpffs, and two network namespaces joined by a veth pair:
#   client ns  192.0.2.1 / 2001:db8::1, a "local MTA" on loopback :25
#   mx ns      192.0.2.2 / 2001:db8::2, a "remote mail host" on :25 :80 :587
# Nothing is sent outside these namespaces, and teardown removes everything
# it made, also after a failure.

TOP=${SG_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
SG="$TOP/smtpguard"

# Test users: none of them is allowed by default.
U_DENIED=1001       # an ordinary hosting account
U_ALLOWED=2000      # listed in allow_users by the test config
U_GROUPED=1002      # not listed, but its primary group is
G_ALLOWED=3000
G_PLAIN=1001

MX4=192.0.2.2
MX6=2001:db8::2

cgroup2_root() {
	awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo
}

# world_up NAME: sets CG, PIN, NS_C, NS_M, WORK and starts the listeners.
world_up() {
	local id="sgt$$${1:-}"
	WORK=$(mktemp -d /tmp/smtpguard-test.XXXXXX)
	chmod 755 "$WORK"
	cp "$TOP/build/tests/sgconnect" "$TOP/build/tests/sgserve" "$WORK/"
	CG="$(cgroup2_root)/$id"
	PIN="/sys/fs/bpf/$id"
	NS_C="${id}c"
	NS_M="${id}m"
	mkdir -p "$CG"
	ip netns add "$NS_C"
	ip netns add "$NS_M"
	ip -n "$NS_C" link set lo up
	ip -n "$NS_M" link set lo up
	ip -n "$NS_C" link add vc type veth peer name vm netns "$NS_M"
	ip -n "$NS_C" addr add 192.0.2.1/24 dev vc
	ip -n "$NS_M" addr add 192.0.2.2/24 dev vm
	ip -n "$NS_C" addr add 2001:db8::1/64 dev vc nodad
	ip -n "$NS_M" addr add 2001:db8::2/64 dev vm nodad
	ip -n "$NS_C" link set vc up
	ip -n "$NS_M" link set vm up
	ip netns exec "$NS_M" "$WORK/sgserve" remote 25 80 587 >"$WORK/mx.log" 2>&1 &
	echo $! >"$WORK/mx.pid"
	ip netns exec "$NS_C" "$WORK/sgserve" local 25 >"$WORK/local.log" 2>&1 &
	echo $! >"$WORK/local.pid"
	for _ in $(seq 100); do
		grep -q ready "$WORK/mx.log" && grep -q ready "$WORK/local.log" && break
		sleep 0.05
	done
	grep -q ready "$WORK/mx.log" && grep -q ready "$WORK/local.log"
	export WORK CG PIN NS_C NS_M
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
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
	return 0
}

# as UID GID CMD...: run CMD in the test cgroup and client namespace with
# that real/effective UID and GID and no supplementary groups.
as() {
	local uid=$1 gid=$2
	shift 2
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$CG" \
		ip netns exec "$NS_C" setpriv --reuid="$uid" --regid="$gid" --clear-groups "$@"
}

# spawn UID GID [sgconnect args]: like try, in the background; SPAWNED is
# the PID the connecting process has (sh execs down to sgconnect).
spawn() {
	local uid=$1 gid=$2
	shift 2
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$CG" \
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

mx_accepts() {
	grep -c "^accept ${1}\$" "$WORK/mx.log" || true
}
