#!/usr/bin/env bats
# Reaching other platforms (issue 13, part A):
#  - make static: one binary for Debian 12, Ubuntu 22.04/24.04 and EL9: no
#    dynamic dependency but libc, no glibc symbol newer than 2.34, and the
#    core enforcement suites pass with it (SG_BIN, tests/integration/lib.bash);
#  - make dist: the release tarball and its install.sh, installed only into
#    a throwaway root (--destdir), never into this host's /usr or /etc;
#  - scripts/install-deps.sh: the exact commands and package lists per
#    distribution and tier (--dry-run against tests/fixtures/os-release), and
#    that a real run runs exactly those (package managers faked in PATH).

bats_require_minimum_version 1.5.0

TOP=${SG_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
STATIC="$TOP/build/static/smtpguard"
FIX="$TOP/tests/fixtures/os-release"
DEPS="$TOP/scripts/install-deps.sh"
VERSION=$(sed -n 's/^VERSION *:= *//p' "$TOP/Makefile")
DIST="smtpguard-$VERSION-$(uname -m)"

setup_file() {
	# the outer make's MAKEFLAGS (SANITIZE=1 in CI's second run) must not
	# change what make static builds: it ignores SANITIZE on purpose
	make -C "$TOP" -s static helpers >/dev/null
}

setup() {
	T=$(mktemp -d /tmp/smtpguard-portable.XXXXXX)
}

teardown() {
	rm -rf "$T"
}

@test "the static binary needs no shared library but libc" {
	run readelf -d "$STATIC"
	[ "$status" -eq 0 ]
	run sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' <<<"$output"
	echo "NEEDED: $output"
	[ "$output" = "libc.so.6" ]
	# and it runs: glibc's loader, the version line
	run readelf -l "$STATIC"
	[[ "$output" == *"[Requesting program interpreter: /lib64/ld-linux-x86-64.so.2]"* ]]
	run "$STATIC" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "smtpguard $VERSION "* ]]
}

@test "the static binary requires no glibc symbol version newer than 2.34" {
	local newest
	run objdump -T "$STATIC"
	[ "$status" -eq 0 ]
	newest=$(grep -o 'GLIBC_[0-9][0-9.]*' <<<"$output" | sed 's/^GLIBC_//' | sort -uV | tail -n 1)
	echo "# newest glibc symbol version: $newest" >&3
	[ -n "$newest" ]
	[ "$(printf '%s\n2.34\n' "$newest" | sort -V | tail -n 1)" = 2.34 ]
	# libbpf's own symbols are inside, not imported
	run grep -c 'bpf_object__open' <<<"$output"
	[ "$output" -eq 0 ]
	run nm "$STATIC"
	grep -q ' T bpf_object__open_mem$' <<<"$output"
}

@test "check-portable.sh refuses the dynamic build and a too-new glibc, in one line" {
	run "$TOP/scripts/check-portable.sh" "$TOP/smtpguard"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "check-portable: $TOP/smtpguard needs "*"libbpf.so.1"*"besides libc (link it with make static)" ]]
	run "$TOP/scripts/check-portable.sh" "$STATIC" 2.17
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"needs GLIBC_2.34 ("*"__libc_start_main"*"), newer than 2.17"* ]]
	run "$TOP/scripts/check-portable.sh" "$STATIC"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "the suites run the binary SG_BIN names" {
	# proof that the next test judges the static binary: a binary that
	# fails makes the suite fail
	SG_BIN=/bin/false run bats --tap -f 'load attaches one program' "$TOP/tests/integration/10-enforce.bats"
	[ "$status" -ne 0 ]
	grep -q '^not ok 1 ' <<<"$output" || { echo "$output"; return 1; }
}

@test "the static binary passes the core enforcement suites (10-enforce, 41-reload-under-load)" {
	SG_BIN="$STATIC" run bats --tap "$TOP/tests/integration/10-enforce.bats" \
		"$TOP/tests/integration/41-reload-under-load.bats"
	echo "$output"
	[ "$status" -eq 0 ]
	run grep -c '^ok ' <<<"$output"
	[ "$output" -ge 20 ]
	[ "$(grep -c '^not ok ' <<<"$output" || true)" -eq 0 ]
}

@test "make dist: the tarball holds the binary, units, man pages, completion, config and install.sh" {
	make -C "$TOP" -s dist >/dev/null
	run tar -tzf "$TOP/build/dist/$DIST.tar.gz"
	[ "$status" -eq 0 ]
	local want
	want=$(printf '%s\n' LICENSE LICENSE.BSD-2-Clause LICENSE.GPL-2.0 README.md completion/ \
		completion/smtpguard.bash install.sh man/ man/smtpguard.8 man/smtpguard.conf.5 smtpguard \
		smtpguard.conf.example stop-unless-restart systemd/ systemd/smtpguard-monitor.service \
		systemd/smtpguard-textfile.service systemd/smtpguard-textfile.timer \
		systemd/smtpguard.service | sed "s|^|$DIST/|")
	[ "$output" = "$(printf '%s/\n%s' "$DIST" "$want")" ] || { diff <(echo "$output") <(printf '%s/\n%s\n' "$DIST" "$want"); return 1; }
	run tar -tvzf "$TOP/build/dist/$DIST.tar.gz"
	[ "$(grep -vc ' 0/0 ' <<<"$output")" -eq 0 ]
	tar -C "$T" -xzf "$TOP/build/dist/$DIST.tar.gz"
	# the packed binary is the portable one, without its debug info
	"$TOP/scripts/check-portable.sh" "$T/$DIST/smtpguard"
	[ -x "$T/$DIST/install.sh" ]
	run readelf -S "$T/$DIST/smtpguard"
	[[ "$output" != *".debug_info"* ]]
}

@test "install.sh installs into a throwaway root, keeps an existing config and uninstalls" {
	make -C "$TOP" -s dist >/dev/null
	tar -C "$T" -xzf "$TOP/build/dist/$DIST.tar.gz"
	run "$T/$DIST/install.sh" --destdir "$T/root"
	[ "$status" -eq 0 ]
	local f
	for f in usr/local/sbin/smtpguard:755 usr/local/lib/smtpguard/stop-unless-restart:755 \
		usr/local/lib/systemd/system/smtpguard.service:644 \
		usr/local/lib/systemd/system/smtpguard-monitor.service:644 \
		usr/local/lib/systemd/system/smtpguard-textfile.service:644 \
		usr/local/lib/systemd/system/smtpguard-textfile.timer:644 \
		usr/local/share/man/man8/smtpguard.8:644 usr/local/share/man/man5/smtpguard.conf.5:644 \
		usr/local/share/bash-completion/completions/smtpguard:644 etc/smtpguard/smtpguard.conf:640; do
		[ "$(stat -c %a "$T/root/${f%:*}")" = "${f##*:}" ] || { echo "${f%:*}: $(stat -c %a "$T/root/${f%:*}" 2>&1)"; return 1; }
	done
	[ "$(find "$T/root" -type f | wc -l)" -eq 10 ]
	cmp "$T/$DIST/smtpguard" "$T/root/usr/local/sbin/smtpguard"
	cmp "$TOP/smtpguard.conf.example" "$T/root/etc/smtpguard/smtpguard.conf"
	[ "$(stat -c %U:%G "$T/root/etc/smtpguard/smtpguard.conf")" = root:root ]
	# the units point at this prefix
	run grep -h '^Exec' "$T/root/usr/local/lib/systemd/system/smtpguard.service"
	[ "${lines[0]}" = "ExecStart=/usr/local/sbin/smtpguard load" ]
	[ "${lines[2]}" = "ExecStop=/usr/local/lib/smtpguard/stop-unless-restart %n /usr/local/sbin/smtpguard unload" ]
	run grep -c '/usr/sbin\|/usr/lib/smtpguard' "$T/root/usr/local/lib/systemd/system/smtpguard.service" \
		"$T/root/usr/local/lib/systemd/system/smtpguard-monitor.service" \
		"$T/root/usr/local/lib/systemd/system/smtpguard-textfile.service"
	[[ "$output" != *":"[1-9]* ]] || { echo "$output"; return 1; }
	# the installed binary runs
	"$T/root/usr/local/sbin/smtpguard" check-config "$T/root/etc/smtpguard/smtpguard.conf" >/dev/null
	# again over an edited config: kept
	echo "# mine" >>"$T/root/etc/smtpguard/smtpguard.conf"
	run "$T/$DIST/install.sh" --destdir "$T/root"
	[ "$status" -eq 0 ]
	[[ "$output" == *"keeping existing $T/root/etc/smtpguard/smtpguard.conf"* ]]
	[ "$(tail -n 1 "$T/root/etc/smtpguard/smtpguard.conf")" = "# mine" ]
	run "$T/$DIST/install.sh" --destdir "$T/root" --uninstall
	[ "$status" -eq 0 ]
	run find "$T/root" -type f
	[ "$output" = "$T/root/etc/smtpguard/smtpguard.conf" ]
}

@test "install.sh --prefix /usr puts the units in /usr/lib/systemd/system; --dry-run changes nothing" {
	make -C "$TOP" -s dist >/dev/null
	tar -C "$T" -xzf "$TOP/build/dist/$DIST.tar.gz"
	run "$T/$DIST/install.sh" --prefix /usr --destdir "$T/root" --dry-run
	[ "$status" -eq 0 ]
	[ ! -e "$T/root" ]
	grep -qx "install -D -m 0755 $T/$DIST/smtpguard $T/root/usr/sbin/smtpguard" <<<"$output"
	grep -qx "install -m 0644 $T/$DIST/systemd/smtpguard.service $T/root/usr/lib/systemd/system/smtpguard.service" <<<"$output"
	grep -qx "install -m 0640 $T/$DIST/smtpguard.conf.example $T/root/etc/smtpguard/smtpguard.conf" <<<"$output"
	run "$T/$DIST/install.sh" --prefix relative
	[ "$status" -eq 2 ]
	[ "$output" = "install.sh: --prefix must be an absolute path: relative" ]
	run "$T/$DIST/install.sh" --bogus
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
}

# deps FIXTURE ARGS...: install-deps' dry run for that os-release
deps() {
	local f=$1
	shift
	SMTPGUARD_OS_RELEASE="$FIX/$f" run "$DEPS" "$@" --dry-run
}

DEB12_RUNTIME="libbpf1 libelf1 zlib1g"
DEB_BUILD="make gcc clang llvm pkg-config libbpf-dev libelf-dev zlib1g-dev"
DEB_TEST="bats python3 iproute2 util-linux procps systemd groff-base man-db mandoc debhelper dpkg-dev lintian rpm valgrind libclang-rt-dev iptables nftables gnuplot-nox prometheus qemu-system-x86 busybox-static"
APT="apt-get install -y --no-install-recommends"

@test "install-deps: Debian 12 lists per tier" {
	deps debian-12
	[ "$status" -eq 0 ]
	[ "$output" = "apt-get update
$APT $DEB12_RUNTIME $DEB_BUILD bpftool $DEB_TEST" ]
	deps debian-12 --runtime
	[ "$output" = "apt-get update
$APT libbpf1 libelf1 zlib1g" ]
	deps debian-12 --build
	[ "$output" = "apt-get update
$APT $DEB_BUILD bpftool" ]
	deps debian-12 --test
	[ "$output" = "apt-get update
$APT bpftool $DEB_TEST" ]
	# the tiers add up
	deps debian-12 --build --test
	[ "$output" = "apt-get update
$APT $DEB_BUILD bpftool $DEB_TEST" ]
}

@test "install-deps: a production host gets no compiler, test or packaging tool, no extra repository" {
	local f p
	for f in debian-12 ubuntu-24.04 almalinux-8 almalinux-9 rocky-9 cloudlinux-8 rhel-9; do
		deps "$f" --runtime
		[ "$status" -eq 0 ]
		# one install line (after apt-get update): no repository set up
		[ "$(grep -vcx 'apt-get update' <<<"$output")" -eq 1 ] || { echo "$f: $output"; return 1; }
		for p in $(tail -n 1 <<<"$output"); do
			case "$p" in
			*-dev | *-devel | gcc | clang | llvm | make | bats | valgrind | gnuplot* | rpm* | debhelper | \
				python3 | prometheus | iptables* | nftables | bpftool | linux-tools-*)
				echo "$f --runtime installs $p"; return 1 ;;
			esac
		done
	done
}

@test "install-deps: Ubuntu 24.04 and 22.04 (bpftool from linux-tools; libbpf from source on 22.04)" {
	local tools="linux-tools-common linux-tools-$(uname -r)"
	deps ubuntu-24.04
	[ "$status" -eq 0 ]
	[ "$output" = "apt-get update
$APT libbpf1 libelf1t64 zlib1g $DEB_BUILD $tools $DEB_TEST" ]
	deps ubuntu-24.04 --runtime
	[ "$output" = "apt-get update
$APT libbpf1 libelf1t64 zlib1g" ]
	deps ubuntu-22.04 --build
	[ "$status" -eq 0 ]
	[ "$output" = "apt-get update
$APT make gcc clang llvm pkg-config libelf-dev zlib1g-dev $tools git ca-certificates
test -d /usr/local/src/libbpf-1.1.2 || git clone --depth 1 --branch v1.1.2 https://github.com/libbpf/libbpf /usr/local/src/libbpf-1.1.2
make -C /usr/local/src/libbpf-1.1.2/src install install_uapi_headers PREFIX=/usr/local LIBDIR=/usr/local/lib
ldconfig" ]
	# 0.5 is never installed there
	[[ "$output" != *libbpf-dev* ]]
	deps ubuntu-22.04 --test
	[ "$output" = "apt-get update
$APT $tools $DEB_TEST" ]
	# nothing for a 22.04 production host: the portable binary needs only glibc
	SMTPGUARD_OS_RELEASE="$FIX/ubuntu-22.04" run --separate-stderr "$DEPS" --runtime --dry-run
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ "$stderr" == *"nothing to install; run the portable binary"* ]]
}

EL_RUNTIME="libbpf elfutils-libelf zlib"
EL_BUILD="make gcc clang llvm pkgconf-pkg-config libbpf-devel elfutils-libelf-devel zlib-devel bpftool"
EL_TEST="bats python3 iproute util-linux procps-ng systemd groff-base man-db rpm-build valgrind compiler-rt nftables gnuplot"
DNF="dnf install -y"

@test "install-deps: EL9 enables CRB for libbpf-devel and EPEL for bats (AlmaLinux, Rocky, RHEL, CloudLinux)" {
	local f
	for f in almalinux-9 rocky-9; do
		deps "$f"
		[ "$status" -eq 0 ]
		[ "$output" = "$DNF dnf-plugins-core
dnf config-manager --set-enabled crb
$DNF epel-release
$DNF $EL_RUNTIME $EL_BUILD $EL_TEST iptables-nft" ] || { echo "$f: $output"; return 1; }
	done
	deps rhel-9
	[ "$output" = "subscription-manager repos --enable codeready-builder-for-rhel-9-$(uname -m)-rpms
$DNF https://dl.fedoraproject.org/pub/epel/epel-release-latest-9.noarch.rpm
$DNF $EL_RUNTIME $EL_BUILD $EL_TEST iptables-nft" ]
	deps cloudlinux-9
	[ "$output" = "$DNF https://dl.fedoraproject.org/pub/epel/epel-release-latest-9.noarch.rpm
$DNF $EL_RUNTIME $EL_BUILD $EL_TEST iptables-nft" ]
	# each repository only for the tier that needs it
	deps almalinux-9 --runtime
	[ "$output" = "$DNF $EL_RUNTIME" ]
	deps almalinux-9 --build
	[ "$output" = "$DNF dnf-plugins-core
dnf config-manager --set-enabled crb
$DNF $EL_BUILD" ]
	deps almalinux-9 --test
	[ "$output" = "$DNF epel-release
$DNF bats python3 iproute util-linux procps-ng bpftool systemd groff-base man-db rpm-build valgrind compiler-rt nftables gnuplot iptables-nft" ]
}

@test "install-deps: EL8 enables PowerTools (CloudLinux: cloudlinux-PowerTools) and EPEL" {
	local f
	for f in almalinux-8 rocky-8; do
		deps "$f"
		[ "$status" -eq 0 ]
		[ "$output" = "$DNF dnf-plugins-core
dnf config-manager --set-enabled powertools
$DNF epel-release
$DNF $EL_RUNTIME $EL_BUILD $EL_TEST iptables" ] || { echo "$f: $output"; return 1; }
	done
	deps cloudlinux-8
	[ "$output" = "$DNF dnf-plugins-core
dnf config-manager --set-enabled cloudlinux-PowerTools
$DNF https://dl.fedoraproject.org/pub/epel/epel-release-latest-8.noarch.rpm
$DNF $EL_RUNTIME $EL_BUILD $EL_TEST iptables" ]
	deps rhel-8 --build
	[ "$output" = "subscription-manager repos --enable codeready-builder-for-rhel-8-$(uname -m)-rpms
$DNF $EL_BUILD" ]
}

@test "install-deps: an unknown distribution or option is one line and its own exit code, nothing run" {
	local f
	for f in debian-11 alpine-3.20; do
		deps "$f"
		[ "$status" -eq 3 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == "install-deps: unknown distribution '"*"' (from $FIX/$f): supported are Debian 12, Ubuntu 22.04/24.04"* ]]
	done
	SMTPGUARD_OS_RELEASE="$T/none" run "$DEPS" --dry-run
	[ "$status" -eq 3 ]
	[ "$output" = "install-deps: cannot read $T/none: unknown distribution" ]
	printf 'ID=ubuntu\nVERSION_ID="20.04"\n' >"$T/focal"
	SMTPGUARD_OS_RELEASE="$T/focal" run "$DEPS" --dry-run
	[ "$status" -eq 3 ]
	[ "$output" = "install-deps: unsupported Ubuntu 20.04 (from $T/focal): supported are 22.04 and 24.04" ]
	deps debian-12 --runtim
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "install-deps: unknown option '--runtim'"* ]]
}

@test "install-deps: a real run runs exactly the dry run's commands, and stops at the first failure" {
	# dnf and subscription-manager are fakes that log; this host has neither
	mkdir "$T/bin"
	printf '#!/bin/sh\necho "dnf $*" >>%s/log\n[ "$*" != "install -y epel-release" ] || [ -z "${FAIL_EPEL:-}" ]\n' "$T" >"$T/bin/dnf"
	chmod +x "$T/bin/dnf"
	deps almalinux-9
	local want=$output
	PATH="$T/bin:$PATH" SMTPGUARD_OS_RELEASE="$FIX/almalinux-9" run "$DEPS"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/log")" = "$want" ]
	rm "$T/log"
	FAIL_EPEL=1 PATH="$T/bin:$PATH" SMTPGUARD_OS_RELEASE="$FIX/almalinux-9" run "$DEPS"
	[ "$status" -eq 1 ]
	[ "$output" = "install-deps: failed: dnf install -y epel-release" ]
	[ "$(tail -n 1 "$T/log")" = "dnf install -y epel-release" ]
}

@test "the README's first command (quickstart) and .ci/run call install-deps with no tier: real Debian packages" {
	grep -qx 'scripts/install-deps.sh' "$TOP/scripts/quickstart.sh"
	grep -qx 'scripts/install-deps.sh' "$TOP/.ci/run"
	# and on this host (Debian 12) every name in that list is a real package
	# (installed, or known to apt)
	[ "$(. /etc/os-release && echo "$ID:$VERSION_ID")" = debian:12 ] || skip "this host is not Debian 12"
	SMTPGUARD_OS_RELEASE=/etc/os-release run "$DEPS" --dry-run
	[ "$status" -eq 0 ]
	local p unknown=
	for p in ${lines[1]#"$APT "}; do
		apt-cache show --no-all-versions "$p" >/dev/null 2>&1 || unknown="$unknown $p"
	done
	[ -z "$unknown" ] || { echo "no such package here:$unknown"; return 1; }
}
