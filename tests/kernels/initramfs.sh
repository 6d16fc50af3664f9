#!/usr/bin/env bash
# tests/kernels/initramfs.sh KDIR OUT TOP TESTS...: a small initramfs (newc
# cpio, gzip) for the kernel unpacked in KDIR: a static busybox, the modules
# the guest needs with what they depend on, stage1-init as /init, and
# /sg.env naming the project tree TOP and the bats files to run.
set -euo pipefail
kdir=$1 out=$2 top=$3
shift 3
ver=$(cat "$kdir/ready")
mods="$kdir/root/lib/modules/$ver"
# virtio + 9p for the root, overlay for writes, virtio-rng so nothing waits
# for entropy, veth for the tests' network namespaces
want="virtio_pci 9pnet_virtio 9p overlay virtio-rng veth"

busybox=$(command -v busybox) || { echo "initramfs: no busybox (apt-get install busybox-static)" >&2; exit 77; }
if ldd "$busybox" >/dev/null 2>&1; then
	echo "initramfs: $busybox is not static (apt-get install busybox-static)" >&2
	exit 77
fi

tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree"/{bin,proc,dev,sys,lib/modules/"$ver"}
cp "$busybox" "$tree/bin/busybox"
for a in sh mount umount mkdir modprobe insmod switch_root sleep cat; do
	ln -s busybox "$tree/bin/$a"
done
# each wanted module and its modules.dep line's dependencies
deps=$(for m in $want; do
	f=$(grep -E "(^|/)${m//-/[-_]}\\.ko:" "$mods/modules.dep") ||
		{ echo "initramfs: no module $m in $ver" >&2; exit 1; }
	echo "$f" | tr -d ':' | tr ' ' '\n'
done | sort -u)
for f in $deps; do
	mkdir -p "$tree/lib/modules/$ver/$(dirname "$f")"
	cp "$mods/$f" "$tree/lib/modules/$ver/$f"
done
cp "$mods/modules.dep" "$tree/lib/modules/$ver/"
install -m 0755 "$top/tests/kernels/stage1-init" "$tree/init"
{
	printf 'SG_TOP=%q\n' "$top"
	printf 'SG_TESTS=%q\n' "$*"
	printf 'SG_MODULES=%q\n' "$want"
	echo 'export SG_TOP SG_TESTS'
} >"$tree/sg.env"
(cd "$tree" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$out"
