#!/usr/bin/env bats
# Packages: `dpkg-buildpackage -us -uc -b` builds a .deb from a copy of this
# tree (the package's clean step runs `make clean`, so never in the tree
# itself), and the .deb goes through install -> status/check-config ->
# reinstall (upgrade path) -> purge on this host. The package build never
# runs the test suite, and the maintainer scripts never load the enforcer
# here: systemd is not PID 1, and nothing in this file loads anything.
# The RPM spec is built with rpmbuild where the rpm tools are installed.
#
# Safety: the install tests skip (with the reason) when a smtpguard package,
# a /usr/sbin/smtpguard or a loaded smtpguard at the default pin dir already
# exists, or when systemd runs (the postinst would then really load it at
# the cgroup root). Teardown purges only what this file installed.

load lib

DEFAULT_PIN=/sys/fs/bpf/smtpguard

setup_file() {
	B=$(mktemp -d /tmp/smtpguard-pkg.XXXXXX)
	export B
}

teardown_file() {
	if [ -f "$B/installed-by-us" ] && dpkg-query -W -f '${Status}' smtpguard 2>/dev/null |
		grep -q installed; then
		dpkg --purge smtpguard >/dev/null 2>&1
	fi
	if [ -f "$B/pindir-by-us" ] && [ -d "$DEFAULT_PIN" ]; then
		"$SG" unload --pin-dir "$DEFAULT_PIN" >/dev/null 2>&1
		rmdir "$DEFAULT_PIN" 2>/dev/null
	fi
	rm -rf "$B"
	return 0
}

need_build_tools() {
	command -v dpkg-buildpackage >/dev/null ||
		skip "dpkg-buildpackage not installed (package dpkg-dev)"
	command -v dh >/dev/null || skip "debhelper not installed"
}

# may_install: only on a host where installing cannot disturb anything real.
may_install() {
	need_build_tools
	[ -f "$B/deb" ] || skip "no .deb was built (see the build test)"
	if [ -f "$B/installed-by-us" ]; then
		return 0
	fi
	if dpkg-query -W -f '${Status}' smtpguard 2>/dev/null | grep -q installed; then
		skip "a smtpguard package is already installed here: not touching it"
	fi
	[ ! -e /usr/sbin/smtpguard ] || skip "/usr/sbin/smtpguard exists (not ours): not touching it"
	[ ! -e "$DEFAULT_PIN" ] || skip "$DEFAULT_PIN exists: smtpguard is in use on this host"
	[ ! -d /run/systemd/system ] ||
		skip "systemd runs here: the postinst would load the enforcer at the cgroup root"
}

# nothing_at_root: no smtpguard program attached at the cgroup v2 root.
nothing_at_root() {
	local out
	out=$(bpftool cgroup show "$(cgroup2_root)" 2>&1) || true
	! grep -q 'sg_connect' <<<"$out" || { echo "attached at the root: $out"; return 1; }
}

@test "dpkg-buildpackage -us -uc -b builds the .deb, without running the tests" {
	need_build_tools
	local src=$B/src/smtpguard
	mkdir -p "$src"
	tar -C "$TOP" --exclude=./.git --exclude=./build --exclude=./smtpguard \
		--exclude=./debian/.debhelper --exclude=./debian/smtpguard \
		--exclude=./debian/files --exclude='./debian/*.substvars' \
		--exclude=./debian/debhelper-build-stamp -cf - . | tar -C "$src" -xf -
	run sh -c 'cd "$1" && dpkg-buildpackage -us -uc -b >"$2/build.log" 2>&1' sh "$src" "$B"
	[ "$status" -eq 0 ] || { tail -40 "$B/build.log"; return 1; }
	local deb
	deb=$(ls "$B"/src/smtpguard_*_*.deb)
	[ -f "$deb" ]
	echo "$deb" >"$B/deb"
	# the suite needs root and attaches programs: it must not run here
	! grep -qE 'run-tests|bats|make.* check' "$B/build.log"
	grep -q 'override_dh_auto_test' "$src/debian/rules"

	run dpkg-deb -c "$deb"
	local f
	for f in ./usr/sbin/smtpguard ./etc/smtpguard/smtpguard.conf \
		/systemd/system/smtpguard.service /systemd/system/smtpguard-monitor.service \
		./usr/share/man/man8/smtpguard.8.gz ./usr/share/man/man5/smtpguard.conf.5.gz \
		./usr/share/bash-completion/completions/smtpguard; do
		grep -qF -- "$f" <<<"$output" || { echo "$f not in the package"; echo "$output"; return 1; }
	done
	run dpkg-deb -f "$deb" Depends
	grep -q libbpf <<<"$output"
	dpkg-deb -e "$deb" "$B/ctl"
	[ "$(cat "$B/ctl/conffiles")" = /etc/smtpguard/smtpguard.conf ]
	# removal unloads first; an upgrade reloads in place, never stops
	grep -q 'smtpguard unload' "$B/ctl/prerm"
	grep -B1 "deb-systemd-invoke stop 'smtpguard.service'" "$B/ctl/prerm" |
		grep -qF '[ "$1" = remove ]'
	! grep -q "restart 'smtpguard.service'" "$B/ctl/postinst"
}

@test "dpkg -i installs it, enabled, and without systemd as PID 1 loads nothing" {
	may_install
	touch "$B/installed-by-us"
	run dpkg -i "$(cat "$B/deb")"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -x /usr/sbin/smtpguard ]
	[ -f /etc/smtpguard/smtpguard.conf ]
	# enabled into sysinit.target (what systemd will start at the next boot)
	[ -L /etc/systemd/system/sysinit.target.wants/smtpguard.service ]
	[ ! -e /etc/systemd/system/multi-user.target.wants/smtpguard-monitor.service ]
	# ... but not loaded now
	[ ! -e "$DEFAULT_PIN" ]
	nothing_at_root
}

@test "installed: status from /usr/sbin says not loaded; check-config passes on the conffile" {
	may_install
	[ -f "$B/installed-by-us" ] || skip "not installed by this file"
	run /usr/sbin/smtpguard status
	echo "$output"
	[ "$status" -eq 3 ]
	grep -q 'not loaded' <<<"$output"
	run /usr/sbin/smtpguard status --json
	[ "$status" -eq 3 ]
	grep -q '"loaded":false' <<<"$output"
	run /usr/sbin/smtpguard check-config /etc/smtpguard/smtpguard.conf
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'OK' <<<"$output"
	run /usr/sbin/smtpguard check-config
	[ "$status" -eq 0 ]
	run /usr/sbin/smtpguard --version
	grep -qF "$(dpkg-query -W -f '${Version}' smtpguard)" <<<"$output"
	run man -w smtpguard.conf
	[ "$status" -eq 0 ]
	[ ! -e "$DEFAULT_PIN" ]
}

@test "reinstall (the upgrade path) keeps an edited conffile and loads nothing" {
	may_install
	[ -f "$B/installed-by-us" ] || skip "not installed by this file"
	echo "# edited by the admin" >>/etc/smtpguard/smtpguard.conf
	cp /etc/smtpguard/smtpguard.conf "$B/edited.conf"
	run dpkg -i "$(cat "$B/deb")"
	echo "$output"
	[ "$status" -eq 0 ]
	cmp "$B/edited.conf" /etc/smtpguard/smtpguard.conf
	[ ! -e "$DEFAULT_PIN" ]
	nothing_at_root
}

@test "dpkg --purge runs 'smtpguard unload' and removes every file" {
	may_install
	[ -f "$B/installed-by-us" ] || skip "not installed by this file"
	# An empty pin dir stands for leftovers: the prerm's unload must clear
	# them (nothing is loaded or attached by this test).
	touch "$B/pindir-by-us"
	mkdir -m 0700 "$DEFAULT_PIN"
	run dpkg --purge smtpguard
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'smtpguard: not loaded' <<<"$output"
	[ ! -e "$DEFAULT_PIN" ]
	rm -f "$B/pindir-by-us"
	! dpkg-query -W -f '${Status}' smtpguard 2>/dev/null | grep -q installed
	local f
	for f in /usr/sbin/smtpguard /etc/smtpguard /lib/systemd/system/smtpguard.service \
		/usr/lib/systemd/system/smtpguard.service \
		/lib/systemd/system/smtpguard-monitor.service \
		/usr/share/man/man8/smtpguard.8.gz /usr/share/man/man5/smtpguard.conf.5.gz \
		/usr/share/bash-completion/completions/smtpguard /usr/share/doc/smtpguard; do
		[ ! -e "$f" ] || { echo "left behind: $f"; return 1; }
	done
	run sh -c 'ls -d /etc/systemd/system/*/smtpguard* /var/lib/systemd/deb-systemd-helper-*/*smtpguard* \
		/var/lib/systemd/deb-systemd-helper-*/*/*smtpguard* 2>/dev/null'
	[ -z "$output" ] || { echo "left behind: $output"; return 1; }
	rm -f "$B/installed-by-us"
	nothing_at_root
}

@test "rpm spec parses and rpmbuild -bb packages the same files" {
	command -v rpmbuild >/dev/null && command -v rpmspec >/dev/null ||
		skip "rpm tools not installed (package rpm / rpm-build)"
	local spec=$TOP/rpm/smtpguard.spec ver
	run rpmspec -P "$spec"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	ver=$(rpmspec -q --qf '%{VERSION}\n' "$spec" 2>/dev/null | head -1)
	[ "$ver" = "$(sed -n 's/^VERSION *:= *//p' "$TOP/Makefile")" ] ||
		{ echo "spec version $ver differs from the Makefile's"; return 1; }
	local t=$B/rpm
	mkdir -p "$t/SOURCES"
	tar -C "$TOP" --exclude=./.git --exclude=./build --exclude=./smtpguard --exclude=./debian \
		--transform "s,^\\.,smtpguard-$ver," -czf "$t/SOURCES/smtpguard-$ver.tar.gz" .
	# --nodeps: BuildRequires name RPM packages this host may not have as
	# RPMs; systemd scriptlet macros are stubbed where systemd-rpm-macros is
	# missing (Debian's rpm).
	local stubs=()
	if [ -z "$(rpm --eval '%{?systemd_post:yes}')" ]; then
		stubs=(--define 'systemd_requires %{nil}' --define 'systemd_post() :'
			--define 'systemd_preun() :' --define 'systemd_postun() :'
			--define 'systemd_postun_with_restart() :')
	fi
	run rpmbuild -bb --nodeps --define "_topdir $t" "${stubs[@]}" "$spec"
	[ "$status" -eq 0 ] || { echo "$output" | tail -40; return 1; }
	local rpmf
	rpmf=$(ls "$t"/RPMS/*/smtpguard-"$ver"-*.rpm | grep -v debug | head -1)
	run rpm -qlp "$rpmf"
	local f
	for f in /usr/sbin/smtpguard /etc/smtpguard/smtpguard.conf /systemd/system/smtpguard.service \
		/systemd/system/smtpguard-monitor.service /man8/smtpguard.8 /man5/smtpguard.conf.5 \
		/usr/share/bash-completion/completions/smtpguard; do
		grep -qF -- "$f" <<<"$output" || { echo "$f not in the rpm"; echo "$output"; return 1; }
	done
	run rpm -qcp "$rpmf"
	[ "$output" = /etc/smtpguard/smtpguard.conf ]
	run rpm -qp --scripts "$rpmf"
	grep -q 'smtpguard unload' <<<"$output"
	! grep -q 'try-restart smtpguard.service' <<<"$output"
}
