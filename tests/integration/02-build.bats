#!/usr/bin/env bats
# The build's own promises (issue 12): a missing vmlinux.h stops make before
# anything is compiled, with a line saying how to make one; a failed recipe
# leaves no half-written target; each install path and source list is
# defined in one place.

TOP=${SG_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}

setup() {
	T=$(mktemp -d /tmp/smtpguard-build.XXXXXX)
}

teardown() {
	rm -rf "$T"
}

@test "an architecture without vmlinux.h fails first, naming the file and how to make it" {
	run make -C "$TOP" --no-print-directory ARCH=sgnosuch OUTPUT="$T/out" "$T/out/smtpguard.bpf.o"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ] || { echo "$output"; return 1; }
	[[ "$output" == *"no vmlinux/sgnosuch/vmlinux.h (ARCH=sgnosuch, this host: $(uname -m))"* ]]
	[[ "$output" == *'`mkdir -p vmlinux/sgnosuch && bpftool btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/sgnosuch/vmlinux.h`'* ]]
	# nothing was compiled, and no empty vmlinux dir was left
	[ ! -e "$T/out/smtpguard.bpf.o" ]
	[ ! -e "$TOP/vmlinux/sgnosuch" ]
	# the targets that need no BPF object still work without one
	run make -C "$TOP" --no-print-directory -n ARCH=sgnosuch clean
	[ "$status" -eq 0 ]
}

@test "a failing recipe deletes its target (.DELETE_ON_ERROR)" {
	run make -C "$TOP" -pnq --no-print-directory all
	grep -qx '.DELETE_ON_ERROR:' <<<"$output"
	# a BPF compile that fails half-way (this clang writes, then fails)
	# leaves no object behind for the next make to take as up to date
	cat >"$T/fakeclang" <<'S'
#!/bin/sh
while [ $# -gt 1 ]; do [ "$1" = -o ] && { echo partial >"$2"; exit 1; }; shift; done
exit 1
S
	chmod +x "$T/fakeclang"
	run make -C "$TOP" --no-print-directory OUTPUT="$T/out" CLANG="$T/fakeclang" "$T/out/smtpguard.bpf.o"
	[ "$status" -ne 0 ]
	[ ! -e "$T/out/smtpguard.bpf.o" ] || { cat "$T/out/smtpguard.bpf.o"; return 1; }
}

@test "install paths and source lists are each defined once in the build files" {
	local v n
	for v in PREFIX SBINDIR SYSCONFDIR CORE_SRCS KERN_SRCS UNIT_TESTS HELPERS; do
		n=$(cat "$TOP/Makefile" "$TOP"/mk/*.mk | grep -cE "^$v[[:space:]]*[:?]?=")
		[ "$n" -eq 1 ] || { echo "$v is assigned $n times"; return 1; }
	done
	# the fuzzers build the same pure-logic sources as the CLI, not a copy of the list
	run grep -E '^[[:space:]]*user/[a-z_]+\.c' "$TOP"/mk/*.mk
	[ "$status" -eq 1 ] || { echo "a source list in mk/: $output"; return 1; }
}

@test "make install lays out the package; uninstall removes it but keeps the config" {
	make -C "$TOP" -s all
	run make -C "$TOP" -s install DESTDIR="$T/root" PREFIX=/usr UNITDIR=/usr/lib/systemd/system
	[ "$status" -eq 0 ]
	local f
	for f in usr/sbin/smtpguard etc/smtpguard/smtpguard.conf usr/lib/systemd/system/smtpguard.service \
		usr/lib/smtpguard/stop-unless-restart usr/share/man/man8/smtpguard.8; do
		[ -e "$T/root/$f" ] || { echo "missing $f"; return 1; }
	done
	grep -q "^ExecStart=/usr/sbin/smtpguard" "$T/root/usr/lib/systemd/system/smtpguard.service"
	run make -C "$TOP" -s uninstall DESTDIR="$T/root" PREFIX=/usr UNITDIR=/usr/lib/systemd/system
	[ "$status" -eq 0 ]
	run find "$T/root" -type f
	[ "$output" = "$T/root/etc/smtpguard/smtpguard.conf" ]
}

@test "the connect programs read user_port only as a full 4-byte load" {
	# Older verifiers accept only 4-byte reads of bpf_sock_addr.user_port
	# (offset 24); clang may narrow a read it is free to narrow. The
	# instruction after each source line reading it must be a u32 load at 24.
	command -v llvm-objdump >/dev/null || skip "llvm-objdump not installed (package llvm)"
	make -C "$TOP" -s "$TOP/build/smtpguard.bpf.o"
	run llvm-objdump -S --no-show-raw-insn "$TOP/build/smtpguard.bpf.o"
	[ "$status" -eq 0 ]
	local reads
	reads=$(awk '/^;.*ctx->user_port/ && !/ctx->user_port *=/ { want = 1; next }
		want && /^ *[0-9]+:/ { print; want = 0 }' <<<"$output")
	[ "$(wc -l <<<"$reads")" -eq 2 ] || { echo "reads: $reads"; return 1; }
	run grep -cE '= \*\(u32 \*\)\(r[0-9] \+ 24\)$' <<<"$reads"
	[ "$output" -eq 2 ] || { echo "$reads"; return 1; }
	# and no narrower load anywhere in the port's four bytes
	run grep -E '\*\(u(8|16) \*\)\(r[0-9] \+ 2[4-7]\)' <<<"$(llvm-objdump -d "$TOP/build/smtpguard.bpf.o")"
	[ "$status" -eq 1 ] || { echo "$output"; return 1; }
}
