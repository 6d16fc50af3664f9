#!/usr/bin/env bash
# tests/kernels/fetch-kernel.sh CACHE: Debian 12's stock kernel package
# (the one linux-image-amd64 depends on today, or $SG_KERNEL_PKG), fetched
# with `apt-get download` and unpacked with `dpkg-deb -x` under CACHE,
# never installed: this host's /boot, /lib/modules and bootloader stay as
# they are. Adds a modules.dep (busybox depmod) so the initramfs can
# modprobe. Prints the unpacked directory on stdout.
# Exit 0 ok, 77 the package cannot be had (no apt, no network: not the
# project's fault; the caller says so), 1 anything else.
set -euo pipefail
cache=${1:?usage: fetch-kernel.sh CACHE}

command -v apt-get >/dev/null || { echo "fetch-kernel: no apt-get here: cannot fetch Debian's kernel package" >&2; exit 77; }
pkg=${SG_KERNEL_PKG:-$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)}
[ -n "$pkg" ] || { echo "fetch-kernel: apt-cache knows no linux-image-amd64 (no Debian 12 package lists? run apt-get update)" >&2; exit 77; }

dir="$cache/$pkg"
if [ ! -f "$dir/ready" ]; then
	rm -rf "$dir"
	mkdir -p "$dir/deb"
	# apt drops privileges to _apt, which must be able to write here
	chmod 777 "$dir/deb"
	(cd "$dir/deb" && apt-get download -q "$pkg" >&2) ||
		{ echo "fetch-kernel: apt-get download $pkg failed (network or mirror)" >&2; rm -rf "$dir"; exit 77; }
	dpkg-deb -x "$dir"/deb/*.deb "$dir/root"
	dpkg-deb -f "$dir"/deb/*.deb Version >"$dir/pkgversion"
	ver=$(ls "$dir/root/lib/modules")
	busybox depmod -b "$dir/root" "$ver"
	rm -rf "$dir/deb"
	echo "$ver" >"$dir/ready"
fi
echo "$dir"
