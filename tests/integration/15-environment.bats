#!/usr/bin/env bats
# What the host must offer, and what load does about it: bpffs is mounted
# when missing; no cgroup v2 is one clear line and exit 1; a refused command
# leaves no pin dir behind. Runs in private mount namespaces where it
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
	# A private mount namespace without the host's bpffs: load must mount a
	# fresh one. Its pins vanish with the namespace, which detaches them.
	run unshare --mount --propagation private sh -c '
		umount -l /sys/fs/bpf 2>/dev/null
		stat -f -c %T /sys/fs/bpf
		"$1" --config "$3" --cgroup "$2" load || exit 10
		stat -f -c %T /sys/fs/bpf
		stat -c %a /sys/fs/bpf/smtpguard
		"$1" status >/dev/null || exit 11
		"$1" unload' sh "$SG" "$CG" "$WORK/policy.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(sed -n 1p <<<"$output")" = sysfs ]
	grep -qx "bpf_fs" <<<"$output"
	grep -qx 700 <<<"$output"
	run bpftool cgroup show "$CG"
	[ "$status" -eq 0 ]
	[[ "$output" != *connect* ]] || { echo "left attached: $output"; return 1; }
}

@test "no cgroup v2 mounted: one line naming it, exit 1, nothing pinned" {
	local cg2
	cg2=$(cgroup2_root)
	run unshare --mount --propagation private sh -c '
		umount -l "$1" || exit 20
		exec "$2" --pin-dir "$3" load' sh "$cg2" "$SG" "$PIN"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "smtpguard: no cgroup v2 filesystem is mounted"* ]]
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
