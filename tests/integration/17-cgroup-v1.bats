#!/usr/bin/env bats
# cgroup-v1 hosts (EL8 and its kin) mount no cgroup2 at all. The cgroup v2
# hierarchy still exists in the kernel with every process in its root, so
# smtpguard mounts a cgroup2 of its own under /run and attaches at its root.
# Simulated in a private mount namespace where every cgroup2 mount is gone.
#
# This attaches at the REAL cgroup v2 root (that is the point), so it judges
# only a port nothing else uses ($V1_PORT), allows root, and teardown_file
# unloads on every exit path, from the host's mount namespace, where the
# programs are found by the pin dir their policy records.

load lib

V1_PORT=10026

setup_file() {
	world_up 1
	ip netns exec "$NS_M" "$WORK/sgserve" remote "$V1_PORT" >"$WORK/v1mx.log" 2>&1 &
	echo $! >"$WORK/v1mx.pid"
	for _ in $(seq 100); do grep -q ready "$WORK/v1mx.log" && break; sleep 0.05; done
	write_config "$WORK/v1.conf" "ports = $V1_PORT" "allow_users = root" "allow_groups ="
	# remember whether /run/smtpguard existed, to leave /run as it was
	[ -e /run/smtpguard ] && echo 1 >"$WORK/run-existed" || true
	export V1_PIN="${PIN}v1"
	# programs of ours already at the root (a host enforcement): not ours
	V1_BASE=$(bpftool cgroup show "$(cgroup2_root)" | grep -c sg_connect || true)
	export V1_BASE
}

# at_root: how many sg_connect programs are attached at the v2 root.
at_root() {
	bpftool cgroup show "$(cgroup2_root)" | grep -c sg_connect || true
}

teardown_file() {
	"$SG" --cgroup "$(cgroup2_root)" --pin-dir "$V1_PIN" unload >/dev/null 2>&1
	rm -rf "$V1_PIN"
	if [ ! -e "$WORK/run-existed" ]; then
		rmdir /run/smtpguard/cgroup2 /run/smtpguard 2>/dev/null
	fi
	world_down
}

# in_v1 CMD...: run CMD in a private mount namespace with no cgroup2 mounted.
in_v1() {
	unshare -m --propagation private sh -c '
		awk "\$0 ~ / - cgroup2 / { print \$5 }" /proc/self/mountinfo | sort -r |
			while read -r m; do umount -l "$m"; done
		if grep -q " - cgroup2 " /proc/self/mountinfo; then echo "cgroup2 still mounted"; exit 99; fi
		exec "$@"' sh "$@"
}

@test "no cgroup2 mounted: load mounts one under /run and attaches at the v2 root" {
	run in_v1 "$SG" --config "$WORK/v1.conf" --pin-dir "$V1_PIN" load
	echo "$output"
	[ "$status" -ne 99 ] || skip "cannot unmount cgroup2 in a mount namespace"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "smtpguard: warning: no cgroup v2 filesystem was mounted (a cgroup-v1 host): mounted one at /run/smtpguard/cgroup2 and using its root" ]
	[[ "${lines[1]}" == "smtpguard: loaded (enforce) on /run/smtpguard/cgroup2: 1 port,"* ]]
	# seen from the host: attached at the root of the one v2 hierarchy
	run bpftool cgroup show "$(cgroup2_root)"
	grep -q "cgroup_inet4_connect .* sg_connect4" <<<"$output"
	grep -q "cgroup_inet6_connect .* sg_connect6" <<<"$output"
	[ "$(at_root)" -eq $((V1_BASE + 2)) ]
}

@test "a connect from anywhere on the machine is judged (not only a test cgroup)" {
	# not moved into the test cgroup: this process stays where bats runs
	run ip netns exec "$NS_C" setpriv --reuid="$U_DENIED" --regid="$G_PLAIN" --clear-groups \
		"$WORK/sgconnect" "$MX4" "$V1_PORT"
	[ "$status" -eq 10 ]
	run ip netns exec "$NS_C" setpriv --reuid="$U_DENIED" --regid="$G_PLAIN" --clear-groups \
		"$WORK/sgconnect" "$MX6" "$V1_PORT"
	[ "$status" -eq 10 ]
	# root is allowed by this policy
	run ip netns exec "$NS_C" "$WORK/sgconnect" "$MX4" "$V1_PORT"
	[ "$status" -eq 0 ]
}

@test "status says where: smtpguard's own cgroup2 mount" {
	run in_v1 "$SG" --pin-dir "$V1_PIN" status
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "^cgroup: */run/smtpguard/cgroup2 (id [0-9]*), smtpguard's own cgroup2 mount (no cgroup2 was mounted)$" \
		<<<"$output"
}

@test "reload and unload work on the same host view" {
	run in_v1 "$SG" --config "$WORK/v1.conf" --pin-dir "$V1_PIN" reload
	echo "$output"
	[ "$status" -eq 0 ]
	run in_v1 "$SG" --pin-dir "$V1_PIN" unload
	echo "$output"
	[ "$status" -eq 0 ]
	# each private namespace mounts its own view again, and says so
	[ "${lines[-1]}" = "smtpguard: unloaded from /run/smtpguard/cgroup2" ]
	[ "$(at_root)" -eq "$V1_BASE" ]
	run ip netns exec "$NS_C" setpriv --reuid="$U_DENIED" --regid="$G_PLAIN" --clear-groups \
		"$WORK/sgconnect" "$MX4" "$V1_PORT"
	[ "$status" -eq 0 ]
}
