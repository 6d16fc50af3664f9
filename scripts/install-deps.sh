#!/bin/sh
# Installs from the distribution's packages what smtpguard needs, by tier.
#   scripts/install-deps.sh [--runtime] [--build] [--test] [--dry-run]
#     --runtime  what a production host needs to run a smtpguard built from
#                source (libbpf, libelf, zlib): no compiler, no test tools.
#                The portable binary (make static, the tarball of make dist)
#                needs none of them, only glibc 2.34+.
#     --build    compilers, clang/LLVM, bpftool, the libbpf/libelf/zlib headers
#     --test     what `make check` and .ci/run call besides the build tools:
#                bats, iproute2, python3, valgrind, the packaging tools, ...
#     (none)     all three: what the README's two commands need
#     --dry-run  print the commands, one a line, and run none
# Tiers add up (--build --test). The distribution is read from
# /etc/os-release (SMTPGUARD_OS_RELEASE=FILE reads FILE instead, for tests):
#   Debian 12; Ubuntu 22.04 and 24.04 (bpftool from linux-tools; 22.04's
#   libbpf is 0.5, so its build tier builds libbpf 1.1.2 from source into
#   /usr/local, and its runtime tier is empty: use the portable binary);
#   RHEL, AlmaLinux, Rocky, CentOS Stream and CloudLinux 8 and 9
#   (libbpf-devel needs PowerTools/CRB, bats needs EPEL); Fedora.
# Run as root. Exit: 0 done, 1 a command failed, 2 usage error,
# 3 unknown or unsupported distribution (nothing was run).
# shellcheck disable=SC2086 # package lists are split into words on purpose
set -eu

tiers='' dry=0
for a in "$@"; do
	case "$a" in
	--runtime | --build | --test) tiers="$tiers ${a#--}" ;;
	--dry-run) dry=1 ;;
	-h | --help) sed -n '2,/^# Run as root/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "install-deps: unknown option '$a' (usage: install-deps.sh [--runtime|--build|--test] [--dry-run])" >&2; exit 2 ;;
	esac
done
[ -n "$tiers" ] || tiers="runtime build test"
has() { case " $tiers " in *" $1 "*) return 0 ;; esac; return 1; }

# os-release is shell syntax, but it is read, not run: KEY=value or KEY="value"
osr=${SMTPGUARD_OS_RELEASE:-/etc/os-release}
[ -r "$osr" ] || { echo "install-deps: cannot read $osr: unknown distribution" >&2; exit 3; }
osr_get() {
	sed -n "s/^$1=//p" "$osr" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'$/\1/"
}
id=$(osr_get ID) ver=$(osr_get VERSION_ID)
major=${ver%%.*}
krel=$(uname -r) arch=$(uname -m)

# The commands, one a line; printed or run in this order.
cmds=
add() { cmds="$cmds$*
"; }
# pkgs WORDS...: the package list, each package once, in first-seen order
pkgs=
want() {
	for p in "$@"; do
		case " $pkgs " in *" $p "*) ;; *) pkgs="${pkgs:+$pkgs }$p" ;; esac
	done
}

# The tools of the test tier, Debian/Ubuntu names. bpftool comes with the
# build tier (its package differs between the two).
DEB_TEST="bats python3 iproute2 util-linux procps systemd groff-base man-db mandoc
	debhelper dpkg-dev lintian rpm valgrind libclang-rt-dev iptables nftables gnuplot-nox prometheus qemu-system-x86 busybox-static"
DEB_BUILD_NO_LIBBPF="make gcc clang llvm pkg-config libelf-dev zlib1g-dev"
DEB_BUILD="make gcc clang llvm pkg-config libbpf-dev libelf-dev zlib1g-dev"

plan_debian() {
	has runtime && want libbpf1 libelf1 zlib1g
	has build && want $DEB_BUILD bpftool
	has test && want bpftool $DEB_TEST
	return 0
}

# Ubuntu: bpftool is /usr/sbin/bpftool of linux-tools-common, which runs the
# one of the running kernel's linux-tools package.
plan_ubuntu() {
	ubuntu_tools="linux-tools-common linux-tools-$krel"
	case "$ver" in
	24.04)
		has runtime && want libbpf1 libelf1t64 zlib1g
		has build && want $DEB_BUILD $ubuntu_tools
		;;
	22.04)
		# libbpf-dev is 0.5 here; smtpguard needs 1.0+
		has runtime &&
			echo "install-deps: Ubuntu 22.04 runtime: nothing to install; run the portable binary (make dist's tarball), which needs only glibc" >&2
		has build && want $DEB_BUILD_NO_LIBBPF $ubuntu_tools git ca-certificates
		;;
	*) return 1 ;;
	esac
	has test && want $ubuntu_tools $DEB_TEST
	return 0
}

# libbpf 1.1.2 (Debian 12's) from its source, for Ubuntu 22.04: into
# /usr/local, which that pkg-config and ld.so search, with the kernel UAPI
# headers it was written against (22.04's linux-libc-dev is 5.15's). Not
# run here: this machine is Debian 12.
libbpf_from_source() {
	src=/usr/local/src/libbpf-1.1.2
	add "test -d $src || git clone --depth 1 --branch v1.1.2 https://github.com/libbpf/libbpf $src"
	add "make -C $src/src install install_uapi_headers PREFIX=/usr/local LIBDIR=/usr/local/lib"
	add "ldconfig"
}

# EL: package names shared by 8 and 9, then what the version changes.
plan_el() {
	has runtime && want libbpf elfutils-libelf zlib
	has build && want make gcc clang llvm pkgconf-pkg-config libbpf-devel elfutils-libelf-devel \
		zlib-devel bpftool
	if has test; then
		want bats python3 iproute util-linux procps-ng bpftool systemd groff-base man-db rpm-build \
			valgrind compiler-rt nftables gnuplot
		if [ "$major" = 8 ]; then want iptables; else want iptables-nft; fi
	fi
}

# el_repos: libbpf-devel is in PowerTools (8) / CodeReady Builder (9),
# bats in EPEL; each is enabled only for the tier that needs it.
el_repos() {
	epel_url=https://dl.fedoraproject.org/pub/epel/epel-release-latest-$major.noarch.rpm
	if has build; then
		case "$id:$major" in
		rhel:*) add "subscription-manager repos --enable codeready-builder-for-rhel-$major-$arch-rpms" ;;
		cloudlinux:8) add "dnf install -y dnf-plugins-core"
			add "dnf config-manager --set-enabled cloudlinux-PowerTools" ;;
		# CloudLinux 9 enables no extra repository for these (as cPanel's
		# installer assumes; not verified here)
		cloudlinux:9) ;;
		*:8) add "dnf install -y dnf-plugins-core"; add "dnf config-manager --set-enabled powertools" ;;
		*:9) add "dnf install -y dnf-plugins-core"; add "dnf config-manager --set-enabled crb" ;;
		esac
	fi
	if has test; then
		case "$id" in
		rhel | cloudlinux) add "dnf install -y $epel_url" ;;
		*) add "dnf install -y epel-release" ;;
		esac
	fi
}

case "$id:$ver" in
debian:12)
	plan_debian
	family=apt ;;
ubuntu:*)
	plan_ubuntu || {
		echo "install-deps: unsupported Ubuntu $ver (from $osr): supported are 22.04 and 24.04" >&2
		exit 3
	}
	family=apt ;;
rhel:8* | rhel:9* | almalinux:8* | almalinux:9* | rocky:8* | rocky:9* | centos:8* | centos:9* | \
	cloudlinux:8* | cloudlinux:9*)
	plan_el
	el_repos
	family=dnf ;;
fedora:*)
	plan_el
	family=dnf ;;
*)
	echo "install-deps: unknown distribution '${id:-?} ${ver:-?}' (from $osr): supported are Debian 12, Ubuntu 22.04/24.04, RHEL/AlmaLinux/Rocky/CentOS/CloudLinux 8 and 9, Fedora; install the packages README.md lists by hand" >&2
	exit 3 ;;
esac

if [ -n "$pkgs" ]; then
	if [ "$family" = apt ]; then
		cmds="apt-get update
${cmds}apt-get install -y --no-install-recommends $pkgs
"
	else
		add "dnf install -y $pkgs"
	fi
fi
[ "$id:$ver" = ubuntu:22.04 ] && has build && libbpf_from_source

export DEBIAN_FRONTEND=noninteractive
printf '%s' "$cmds" | while IFS= read -r c; do
	if [ "$dry" -eq 1 ]; then
		printf '%s\n' "$c"
	else
		sh -c "$c" || { echo "install-deps: failed: $c" >&2; exit 1; }
	fi
done
