#!/usr/bin/env bash
# tests/kernels/run-qemu.sh [BATS_FILE...]: the core suite on a second
# kernel, Debian 12's stock one (`make check-kernels`). Boots it under
# qemu-system-x86_64 (TCG: no KVM needed) with the host's / as the guest's
# root over 9p, read-only, under a tmpfs overlay; the guest runs
# tests/run-tests.sh on the bats files (default: $SG_KERNEL_TESTS or the
# core set below) and powers off. Prints the guest console, then one line:
#   check-kernels: PASS|FAIL|SKIP ... kernel VERSION ... N passed, N failed
# Exit 0 pass, 1 fail (tests, boot or timeout), 77 skip: qemu, busybox or
# the kernel package cannot be had here (not the project's fault).
# Knobs: SG_KERNEL_PKG (a linux-image-* package, default: what
# linux-image-amd64 depends on), SG_KERNEL_TIMEOUT (seconds, 2400),
# SG_QEMU_ACCEL (tcg; kvm where /dev/kvm works), SG_QEMU_SMP (2),
# SG_QEMU_CPU (max; host with kvm), SG_QEMU_MEM (MiB, 2048),
# SG_KERNEL_CACHE (build/kernels).
# The host is not changed: nothing goes to /boot, the guest has no network
# card and writes only to its own tmpfs; qemu is ended by PID on every exit.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
top=$(pwd)
here=tests/kernels

: "${SG_KERNEL_TESTS:=tests/integration/10-enforce.bats tests/integration/41-reload-under-load.bats tests/integration/43-prog-attach.bats tests/integration/44-lost-pins.bats tests/integration/45-fail-closed.bats}"
: "${SG_KERNEL_TIMEOUT:=2400}"
: "${SG_QEMU_ACCEL:=tcg}"
: "${SG_QEMU_SMP:=2}"
: "${SG_QEMU_CPU:=max}"
: "${SG_QEMU_MEM:=2048}"
: "${SG_KERNEL_CACHE:=$top/build/kernels}"
[ $# -gt 0 ] && SG_KERNEL_TESTS="$*"

skip() {
	echo "check-kernels: SKIP (second kernel not tested): $*"
	exit 77
}
fail() {
	echo "check-kernels: FAIL: $*"
	exit 1
}

[ -x smtpguard ] && [ -x build/tests/sgconnect ] || fail "build first: make all unit-tests helpers"
# qemu and a static busybox: installed with apt when missing (CI, as root)
if ! command -v qemu-system-x86_64 >/dev/null || ! busybox --list 2>/dev/null | grep -x depmod >/dev/null ||
	ldd "$(command -v busybox)" >/dev/null 2>&1; then
	[ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null ||
		skip "needs qemu-system-x86 and busybox-static (apt-get install qemu-system-x86 busybox-static)"
	echo "check-kernels: installing qemu-system-x86 busybox-static"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		qemu-system-x86 busybox-static >/dev/null ||
		skip "apt-get install qemu-system-x86 busybox-static failed"
fi

mkdir -p "$SG_KERNEL_CACHE"
kdir=$("$here/fetch-kernel.sh" "$SG_KERNEL_CACHE")
rc=$?
[ "$rc" -eq 77 ] && skip "Debian's kernel package cannot be fetched (see above)"
[ "$rc" -eq 0 ] || fail "fetching the kernel package failed"
ver=$(cat "$kdir/ready")
pkg="$(basename "$kdir") $(cat "$kdir/pkgversion")"
initrd="$SG_KERNEL_CACHE/initramfs-$ver.cpio.gz"
console="$SG_KERNEL_CACHE/console-$ver.log"
"$here/initramfs.sh" "$kdir" "$initrd" "$top" $SG_KERNEL_TESTS
rc=$?
[ "$rc" -eq 77 ] && skip "cannot build the initramfs (see above)"
[ "$rc" -eq 0 ] || fail "building the initramfs failed"

: >"$console"
qpid="" tpid=""
cleanup() {
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null
		sleep 1
		kill -KILL "$qpid" 2>/dev/null
	fi
	[ -n "$qpid" ] && wait "$qpid" 2>/dev/null
	return 0
}
trap cleanup EXIT
trap 'cleanup; echo "check-kernels: FAIL: interrupted"; exit 1' INT TERM

echo "check-kernels: booting $pkg (kernel $ver) under qemu ($SG_QEMU_ACCEL, $SG_QEMU_SMP vCPUs, ${SG_QEMU_MEM} MiB), timeout ${SG_KERNEL_TIMEOUT}s"
echo "check-kernels: tests: $SG_KERNEL_TESTS"
start=$(date +%s)
# nice: the host's CPUs are shared; -nodefaults + -nic none: no network card
nice -n 10 qemu-system-x86_64 -accel "$SG_QEMU_ACCEL" -cpu "$SG_QEMU_CPU" -smp "$SG_QEMU_SMP" -m "$SG_QEMU_MEM" \
	-nodefaults -no-user-config -display none -monitor none -nic none -no-reboot \
	-serial "file:$console" \
	-kernel "$kdir/root/boot/vmlinuz-$ver" -initrd "$initrd" \
	-append "console=ttyS0 loglevel=4 panic=-1 rdinit=/init" \
	-virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap \
	-device virtio-rng-pci </dev/null &
qpid=$!
tail -n +1 -f --pid="$qpid" "$console" &
tpid=$!
while kill -0 "$qpid" 2>/dev/null; do
	if [ $(($(date +%s) - start)) -ge "$SG_KERNEL_TIMEOUT" ]; then
		cleanup
		fail "kernel $ver: no result within ${SG_KERNEL_TIMEOUT}s (console: $console)"
	fi
	sleep 2
done
wait "$qpid"
qrc=$?
qpid=""
sleep 1
secs=$(($(date +%s) - start))
result=$(tr -d '\r' <"$console" | grep '^sg-kernel: RESULT ' | tail -n 1)
[ -n "$result" ] || fail "kernel $ver: the guest gave no result line (qemu exit $qrc, console: $console)"
summary=${result##*summary=}
case "$result" in
"sg-kernel: RESULT PASS "*)
	echo "check-kernels: PASS: Debian 12 stock kernel $ver ($pkg) under qemu $SG_QEMU_ACCEL: $summary in ${secs}s"
	;;
*) fail "Debian 12 stock kernel $ver ($pkg) under qemu $SG_QEMU_ACCEL: $summary in ${secs}s (console: $console)" ;;
esac
