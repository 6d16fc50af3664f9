#!/usr/bin/env bats
# What the host must offer, and what load does about it: bpffs is mounted
# when missing, a bpffs that is not the host's is refused (no cgroup v2 at
# all: 17-cgroup-v1.bats); a refused command leaves no pin dir behind. Runs in private mount namespaces where it
# unmounts things, so the host's mounts are never touched.

load lib

setup_file() {
	world_up v
	# a config of its own: not the host's /etc/smtpguard/smtpguard.conf
	write_config "$WORK/policy.conf" "ports = $SG_TEST_PORT" "allow_users = root"
}

teardown_file() {
	world_down
}

@test "load mounts bpffs at /sys/fs/bpf when nothing is mounted there" {
	# A mount namespace without bpffs whose PID 1 is in it (its own PID
	# namespace), as on a host where nothing mounted bpffs: load mounts it.
	SMTPGUARD_TEST_HOST_PID=1 run unshare --mount --pid --fork --mount-proc --propagation private sh -c '
		umount -l /sys/fs/bpf 2>/dev/null
		stat -f -c %T /sys/fs/bpf
		"$1" --config "$3" --cgroup "$2" load || exit 10
		stat -f -c %T /sys/fs/bpf
		stat -c %a /sys/fs/bpf/smtpguard
		"$1" --cgroup "$2" status >/dev/null || exit 11
		"$1" --cgroup "$2" unload' sh "$SG" "$CG" "$WORK/policy.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(sed -n 1p <<<"$output")" = sysfs ]
	grep -qx "bpf_fs" <<<"$output"
	grep -qx 700 <<<"$output"
	run bpftool cgroup show "$CG"
	[ "$status" -eq 0 ]
	[[ "$output" != *connect* ]] || { echo "left attached: $output"; return 1; }
}

@test "a bpffs mounted only in a private mount namespace is refused: exit 1, nothing attached" {
	# A sandboxed unit or a container: pins there would vanish with it.
	# This shell stands for the host (PID 1 may not be inspectable here).
	SMTPGUARD_TEST_HOST_PID=$$ run unshare --mount --propagation private sh -c '
		umount -l /sys/fs/bpf 2>/dev/null
		exec "$1" --config "$3" --cgroup "$2" load' sh "$SG" "$CG" "$WORK/policy.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$output" = "smtpguard: pin dir /sys/fs/bpf/smtpguard: the bpffs at /sys/fs/bpf is mounted only in this mount namespace, not the host's: its pins would vanish with the namespace (run smtpguard in the host's mount namespace)" ]
	run bpftool cgroup show "$CG"
	[[ "$output" != *connect* ]]
}

@test "a private mount namespace that shares the host's bpffs may pin there" {
	SMTPGUARD_TEST_HOST_PID=$$ run unshare --mount --propagation private \
		"$SG" --config "$WORK/policy.conf" --cgroup "$CG" --pin-dir "$PIN" load
	echo "$output"
	[ "$status" -eq 0 ]
	[ -e "$PIN/prog_connect4" ]
	run "$SG" --cgroup "$CG" --pin-dir "$PIN" unload
	[ "$status" -eq 0 ]
	[ ! -e "$PIN" ]
}

@test "a refused load or reload leaves no pin dir behind" {
	run "$SG" --pin-dir "$PIN" --cgroup /nonexistent load
	[ "$status" -eq 2 ]
	[ ! -e "$PIN" ]
	run "$SG" --pin-dir "$PIN" --cgroup /tmp load
	[ "$status" -eq 2 ]
	[[ "$output" == *"is not a cgroup v2 directory"* ]]
	[ ! -e "$PIN" ]
	run "$SG" --pin-dir "$PIN" reload
	[ "$status" -eq 3 ]
	[ ! -e "$PIN" ]
}
