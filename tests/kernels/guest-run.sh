#!/bin/bash
# PID 1 of the guest once the host's / (read-only 9p under a tmpfs overlay)
# is its root: the kernel file systems the tests need, loopback up, then
# tests/run-tests.sh on $SG_TESTS in the project tree $SG_TOP (both from
# stage1-init). The last line on the console is the one run-qemu.sh reads:
#   sg-kernel: RESULT PASS|FAIL kernel=VERSION rc=N summary=...
# then the guest powers off. Nothing here runs on the host.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LC_ALL=C.UTF-8
poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	sleep 60
}
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# what udev would add: bash's process substitution needs /dev/fd
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# fresh /run and /tmp: the host's netns names and temp files stay out. A
# project tree below them (a CI clone in /tmp) is carried over the new
# mount by a bind.
case "$SG_TOP" in
/tmp/* | /run/*) keep_top=1 ;;
*) keep_top=0 ;;
esac
if [ "$keep_top" = 1 ]; then
	mkdir -p /sg-top && mount --bind "$SG_TOP" /sg-top
fi
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
if [ "$keep_top" = 1 ]; then
	mkdir -p "$SG_TOP" && mount --bind /sg-top "$SG_TOP"
fi
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t bpf bpf /sys/fs/bpf
mount --make-rshared /
dmesg -n 1
ip link set lo up

# TCG runs the guest about ten times slower: reload-under-load gives its
# workers this many times longer so that its 5 reloads fit
export SG_TEST_TIME_SCALE=${SG_TEST_TIME_SCALE:-8}

kernel=$(uname -r)
echo "sg-kernel: guest up: kernel $kernel ($(uname -v)), $(nproc) CPUs"
echo "sg-kernel: running tests/run-tests.sh $SG_TESTS"
start=$(date +%s)
log=/tmp/sg-kernel-run.log
# run-tests.sh shows a bats run's TAP only when it ends: a heartbeat meanwhile
(while sleep 120; do echo "sg-kernel: still running, $(($(date +%s) - start))s"; done) &
beat=$!
cd "$SG_TOP" && tests/run-tests.sh $SG_TESTS 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
kill "$beat"
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
verdict=FAIL
[ "$rc" -eq 0 ] && [ -n "$summary" ] && verdict=PASS
echo "sg-kernel: RESULT $verdict kernel=$kernel rc=$rc seconds=$(($(date +%s) - start)) summary=${summary:-none}"
poweroff_now
