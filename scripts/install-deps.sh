#!/bin/sh
# Installs what smtpguard needs to build and to run its tests.
# Debian/Ubuntu (apt) and RHEL/AlmaLinux/CloudLinux/Fedora (dnf). Run as root.
#   scripts/install-deps.sh          build + test dependencies
set -eu

if command -v apt-get >/dev/null 2>&1; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends \
		make gcc clang llvm pkg-config libbpf-dev libelf-dev zlib1g-dev bpftool \
		bats iproute2 util-linux procps debhelper dpkg-dev systemd rpm groff-base man-db iptables nftables gnuplot-nox valgrind libclang-rt-dev \
		lintian mandoc >/dev/null
	# promtool (metrics, alert rules and their unit tests) comes only with
	# the server package; its postinst may try to start prometheus, which
	# a policy-rc.d or a PID 1 other than systemd keeps from happening.
	apt-get install -y -qq --no-install-recommends prometheus >/dev/null
elif command -v dnf >/dev/null 2>&1; then
	# bats lives in EPEL on RHEL-family systems
	dnf install -y -q epel-release 2>/dev/null || true
	dnf install -y -q make gcc clang llvm pkgconf-pkg-config libbpf-devel \
		elfutils-libelf-devel zlib-devel bpftool bats iproute util-linux procps-ng rpm-build systemd groff-base man-db iptables-nft nftables gnuplot valgrind compiler-rt
	# promtool: Fedora's golang-github-prometheus; elsewhere install it from
	# the Prometheus release tarball (the monitoring checks need it)
	dnf install -y -q golang-github-prometheus 2>/dev/null ||
		echo "install-deps: no promtool package: install promtool by hand" >&2
else
	echo "install-deps: neither apt-get nor dnf found; install clang, libbpf-dev," \
		"libelf-dev, zlib, bpftool, bats and iproute2 by hand" >&2
	exit 1
fi
