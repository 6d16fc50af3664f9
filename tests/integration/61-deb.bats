#!/usr/bin/env bats
# Packages: `dpkg-buildpackage -us -uc -b` builds a .deb from a copy of this
# tree (the package's clean step runs `make clean`, so never in the tree
# itself); `rpmbuild -bb` builds the RPM where the rpm tools are installed.
#
# Nothing is ever installed onto this host: the .deb goes through install,
# upgrade and purge inside a throwaway root (in_root in units-lib.bash: a
# private mount namespace with overlays over /etc, /usr and /var whose upper
# layers are in a test directory, and a tmpfs on /run). There,
# /usr/sbin/smtpguard is diverted (dpkg-divert) to a wrapper that runs the
# packaged binary with this test's --config, --cgroup and --pin-dir, and
# systemctl is tests/helpers/fake-systemctl, so the maintainer scripts never
# load anything at the real cgroup root. The last test compares the host's
# smtpguard files and package state with a snapshot taken before the first.
#
# Upgrades keep enforcement: workers retry connects to a remote guarded port while
# the package is upgraded back and forth. dpkg runs the maintainer scripts
# in their real order (old prerm upgrade, new preinst upgrade, old postrm
# upgrade, new postinst configure); the RPM scriptlets are run in rpm's
# (new %post, old %preun, old %postun, new %posttrans). 0 may get through.

load lib
load 41-lib
load units-lib

setup_file() {
	B=$(mktemp -d /tmp/smtpguard-pkg.XXXXXX)
	export B
	host_snapshot >"$B/host.before"
	world_up p
	unit_config
}

teardown_file() {
	world_down
	rm -rf "$B"
	return 0
}

setup() {
	: >"$WORK/sg.calls"
	rm -f "$WORK/churn.out"
}

need_build_tools() {
	command -v dpkg-buildpackage >/dev/null ||
		skip "dpkg-buildpackage not installed (package dpkg-dev)"
	command -v dh >/dev/null || skip "debhelper not installed"
}

# need_deb: the build test made the .deb (and its upgrade twin).
need_deb() {
	need_build_tools
	[ -f "$B/deb2" ] || skip "no .deb was built (see the build test)"
}

# root_prepare DIR: a throwaway root in DIR whose /usr/sbin/smtpguard is
# diverted to a wrapper around the packaged binary.
root_prepare() {
	local r=$1
	mkdir -p "$r"
	write_wrapper "$r/sgwrap" "$B/x/usr/sbin/smtpguard" "$r/hostns"
	in_root "$r" sh -c 'dpkg-divert --quiet --local --rename \
		--divert /usr/sbin/smtpguard.distrib --add /usr/sbin/smtpguard &&
		install -m 0755 "$1" /usr/sbin/smtpguard' sh "$r/sgwrap"
}

# in_nosd / in_sd CMD...: CMD in the throwaway root without / with systemd.
in_nosd() { FAKE_SD_STATE=$B/sd-nosd in_root "$B/root-nosd" "$@"; }
in_sd() { FAKE_SD_STATE=$B/sd-sd in_root --systemd "$B/root-sd" "$@"; }

# upgrade IN: dpkg -i of the twin version and of the built one, in turn.
upgrade() {
	local n
	n=$(cat "$B/n" 2>/dev/null || echo 0)
	echo $((n + 1)) >"$B/n"
	if [ $((n % 2)) = 0 ]; then
		"$1" dpkg -i "$(cat "$B/deb2")"
	else
		"$1" dpkg -i "$(cat "$B/deb")"
	fi
}

# purged IN: the package and all its files are gone from that root.
purged() {
	run "$1" sh -c 'dpkg-query -W -f "\${Status}" smtpguard 2>/dev/null; echo
		for f in /usr/sbin/smtpguard.distrib /etc/smtpguard /lib/systemd/system/smtpguard.service \
			/usr/lib/systemd/system/smtpguard.service /lib/systemd/system/smtpguard-monitor.service \
			/lib/systemd/system/smtpguard-textfile.timer /lib/systemd/system/smtpguard-textfile.service \
			/usr/lib/smtpguard /usr/share/man/man8/smtpguard.8.gz /usr/share/man/man5/smtpguard.conf.5.gz \
			/usr/share/bash-completion/completions/smtpguard /usr/share/doc/smtpguard \
			/etc/systemd/system/*/smtpguard* /var/lib/systemd/deb-systemd-helper-*/*smtpguard* \
			/var/lib/systemd/deb-systemd-helper-*/*/*smtpguard*; do
			[ -e "$f" ] && echo "left behind: $f"
		done; true'
	echo "$output"
	[[ "${lines[0]}" != *" installed"* ]]
	[ "${#lines[@]}" -le 1 ]
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
	run grep -qE 'run-tests|bats|make.* check' "$B/build.log"
	[ "$status" -eq 1 ]
	grep -q 'override_dh_auto_test' "$src/debian/rules"

	run dpkg-deb -c "$deb"
	local f
	for f in ./usr/sbin/smtpguard ./etc/smtpguard/smtpguard.conf \
		/systemd/system/smtpguard.service /systemd/system/smtpguard-monitor.service \
		/systemd/system/smtpguard-textfile.service /systemd/system/smtpguard-textfile.timer \
		./usr/share/man/man8/smtpguard.8.gz ./usr/share/man/man5/smtpguard.conf.5.gz \
		./usr/share/bash-completion/completions/smtpguard \
		./usr/lib/smtpguard/stop-unless-restart; do
		grep -qF -- "$f" <<<"$output" || { echo "$f not in the package"; echo "$output"; return 1; }
	done
	# the config is readable by root only
	grep -qE '^-rw-r----- root/root .* \./etc/smtpguard/smtpguard\.conf$' <<<"$output" ||
		{ grep smtpguard.conf <<<"$output"; return 1; }
	run dpkg-deb -f "$deb" Depends
	grep -q libbpf <<<"$output"
	dpkg-deb -e "$deb" "$B/ctl"
	[ "$(sort "$B/ctl/conffiles")" = $'/etc/logrotate.d/smtpguard\n/etc/smtpguard/smtpguard.conf' ]
	# removal unloads first; an upgrade reloads in place, never stops
	grep -q 'smtpguard unload' "$B/ctl/prerm"
	grep -B1 "deb-systemd-invoke stop 'smtpguard.service'" "$B/ctl/prerm" |
		grep -qF '[ "$1" = remove ]'
	run grep -q "restart 'smtpguard.service'" "$B/ctl/postinst"
	[ "$status" -eq 1 ]
	run grep -qs "stop 'smtpguard.service'" "$B/ctl/preinst"
	[ "$status" -ne 0 ]

	# lintian: no error or warning (the 0640 config is overridden, on purpose)
	if command -v lintian >/dev/null; then
		run lintian --fail-on error,warning "$deb"
		[ "$status" -eq 0 ] || { echo "$output"; return 1; }
		run grep -E '^[EW]:' <<<"$output"
		[ "$status" -eq 1 ] || { echo "$output"; return 1; }
	fi

	# the packaged binary, for the wrapper; and the same package as a newer
	# version, to upgrade to and back
	dpkg-deb -x "$deb" "$B/x"
	mkdir -p "$B/v2"
	dpkg-deb -R "$deb" "$B/v2/tree"
	sed -i 's/^Version: .*/&+t2/' "$B/v2/tree/DEBIAN/control"
	dpkg-deb --root-owner-group -b "$B/v2/tree" "$B/v2/smtpguard_t2.deb" >/dev/null
	echo "$B/v2/smtpguard_t2.deb" >"$B/deb2"
}

@test "without systemd: dpkg -i into a throwaway root installs it, enabled, and loads nothing" {
	need_deb
	root_prepare "$B/root-nosd"
	run in_nosd dpkg -i "$(cat "$B/deb")"
	echo "$output"
	[ "$status" -eq 0 ]
	run in_nosd sh -c '
		stat -c "%a %U:%G %n" /etc/smtpguard/smtpguard.conf /usr/lib/smtpguard/stop-unless-restart \
			/usr/sbin/smtpguard.distrib
		ls /etc/systemd/system/sysinit.target.wants/smtpguard.service
		ls /etc/systemd/system/multi-user.target.wants/smtpguard-monitor.service 2>&1
		dpkg-query -W -f "\${Status}\n" smtpguard'
	echo "$output"
	[ "${lines[0]}" = "640 root:root /etc/smtpguard/smtpguard.conf" ]
	[ "${lines[1]}" = "755 root:root /usr/lib/smtpguard/stop-unless-restart" ]
	[ "${lines[2]}" = "755 root:root /usr/sbin/smtpguard.distrib" ]
	[ "${lines[3]}" = /etc/systemd/system/sysinit.target.wants/smtpguard.service ]
	[[ "${lines[4]}" == *"No such file"* ]]
	[ "${lines[5]}" = "install ok installed" ]
	# not loaded by the install, and nothing but status was asked
	unloaded
	run grep -v '^status' "$WORK/sg.calls"
	[ -z "$output" ]
}

@test "installed: the packaged binary checks the conffile and knows its version" {
	need_deb
	[ -d "$B/root-nosd/var.u" ] || skip "not installed (see the previous test)"
	run in_nosd /usr/sbin/smtpguard.distrib check-config /etc/smtpguard/smtpguard.conf
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'OK' <<<"$output"
	run in_nosd /usr/sbin/smtpguard.distrib --version
	grep -qF "$(dpkg-deb -f "$(cat "$B/deb")" Version)" <<<"$output"
	run in_nosd man -w smtpguard.conf
	[ "$status" -eq 0 ]
}

@test "without systemd: upgrades under load keep enforcement (0 connections through) and the conffile" {
	need_deb
	[ -d "$B/root-nosd/var.u" ] || skip "not installed (see the first install test)"
	in_nosd sh -c 'echo "# edited by the admin" >>/etc/smtpguard/smtpguard.conf'
	in_nosd cat /etc/smtpguard/smtpguard.conf >"$B/edited.conf"
	# loaded by the admin (without systemd the package loads nothing)
	in_nosd /usr/sbin/smtpguard load
	loaded
	: >"$WORK/sg.calls"
	rm -f "$B/n"
	churn_under_load 10 2 upgrade in_nosd
	loaded
	# each upgrade asked whether it was loaded, then swapped in with load
	[ "$(grep -c '^load$' "$WORK/sg.calls")" -ge 2 ]
	run grep -c '^unload' "$WORK/sg.calls"
	[ "$output" = 0 ]
	in_nosd cat /etc/smtpguard/smtpguard.conf | cmp - "$B/edited.conf"
}

@test "without systemd: dpkg --purge unloads and removes every file" {
	need_deb
	[ -d "$B/root-nosd/var.u" ] || skip "not installed (see the first install test)"
	loaded || in_nosd /usr/sbin/smtpguard load
	run in_nosd dpkg --purge smtpguard
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'unload' "$WORK/sg.calls"
	unloaded
	purged in_nosd
}

@test "with systemd: dpkg -i enables and starts smtpguard.service (loads on the test cgroup)" {
	need_deb
	root_prepare "$B/root-sd"
	mkdir -p "$B/sd-sd"
	run in_sd dpkg -i "$(cat "$B/deb")"
	echo "$output"
	[ "$status" -eq 0 ] || { cat "$B/sd-sd/calls"; return 1; }
	grep -q 'daemon-reload' "$B/sd-sd/calls"
	grep -qx 'exec ExecStart: /usr/sbin/smtpguard load' "$B/sd-sd/calls"
	[ -e "$B/sd-sd/smtpguard.service.active" ]
	loaded
	run try "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 10 ]
}

@test "with systemd: upgrades under load reload in place, never stop (0 connections through)" {
	need_deb
	[ -e "$B/sd-sd/smtpguard.service.active" ] || skip "not started (see the previous test)"
	: >"$B/sd-sd/calls"
	rm -f "$B/n"
	churn_under_load 10 2 upgrade in_sd
	loaded
	grep -qE '^(--quiet )?reload smtpguard.service$' "$B/sd-sd/calls" || { cat "$B/sd-sd/calls"; return 1; }
	grep -qx 'exec ExecReload: /usr/sbin/smtpguard load' "$B/sd-sd/calls"
	run grep -E 'stop|restart|ExecStop' "$B/sd-sd/calls"
	[ "$status" -eq 1 ] || { echo "$output"; return 1; }
	# daemon-reload comes before the reload
	[ "$(grep -n 'daemon-reload' "$B/sd-sd/calls" | head -1 | cut -d: -f1)" -lt \
		"$(grep -n 'ExecReload' "$B/sd-sd/calls" | head -1 | cut -d: -f1)" ]
	run grep -c '^unload' "$WORK/sg.calls"
	[ "$output" = 0 ]
}

@test "with systemd: dpkg --purge stops the unit (a stop job: unload) and removes every file" {
	need_deb
	[ -e "$B/sd-sd/smtpguard.service.active" ] || skip "not started (see the first systemd test)"
	: >"$B/sd-sd/calls"
	run in_sd dpkg --purge smtpguard
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'stop smtpguard.service' "$B/sd-sd/calls"
	grep -qx 'exec ExecStop: /usr/lib/smtpguard/stop-unless-restart smtpguard.service /usr/sbin/smtpguard unload' \
		"$B/sd-sd/calls"
	unloaded
	purged in_sd
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
		/systemd/system/smtpguard-monitor.service /systemd/system/smtpguard-textfile.timer \
		/systemd/system/smtpguard-textfile.service /man8/smtpguard.8 /man5/smtpguard.conf.5 \
		/usr/share/bash-completion/completions/smtpguard /smtpguard/stop-unless-restart \
		/etc/logrotate.d/smtpguard; do
		grep -qF -- "$f" <<<"$output" || { echo "$f not in the rpm"; echo "$output"; return 1; }
	done
	run rpm -qcp "$rpmf"
	[ "$(sort <<<"$output")" = $'/etc/logrotate.d/smtpguard\n/etc/smtpguard/smtpguard.conf' ]
	run rpm -qp --licensefiles "$rpmf"
	grep -q '/LICENSE$' <<<"$output" || { echo "no %license: $output"; return 1; }
	# the config is readable by root only
	run rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]' "$rpmf"
	grep -qx -- '-rw-r----- root:root /etc/smtpguard/smtpguard.conf' <<<"$output" ||
		{ echo "$output"; return 1; }
	run rpm -qp --scripts "$rpmf"
	grep -q 'smtpguard unload' <<<"$output"
	run grep -q 'try-restart smtpguard.service' <<<"$output"
	[ "$status" -eq 1 ]
	# the scriptlets and the package's files, for the next tests
	local tag
	mkdir -p "$B/rpmx" "$B/rpms"
	for tag in POSTIN PREUN POSTUN POSTTRANS; do
		rpm -qp --qf "%{$tag}\n" "$rpmf" >"$B/rpms/$tag"
	done
	rpm2archive - <"$rpmf" | tar -C "$B/rpmx" -xzf -
	grep -q 'systemctl reload smtpguard.service' "$B/rpms/POSTTRANS"
	run grep -q 'reload' "$B/rpms/POSTUN"
	[ "$status" -eq 1 ]
}

# rpm_root DIR: a throwaway root with the RPM's units and helper in place
# and /usr/sbin/smtpguard a wrapper around the RPM's binary.
rpm_root() {
	local r=$1
	mkdir -p "$r"
	write_wrapper "$r/sgwrap" "$B/rpmx/usr/sbin/smtpguard" "$r/hostns"
	in_root "$r" sh -c 'cd "$1" && cp usr/lib/systemd/system/smtpguard*.service /usr/lib/systemd/system/ &&
		mkdir -p /usr/libexec/smtpguard &&
		cp usr/libexec/smtpguard/stop-unless-restart /usr/libexec/smtpguard/ &&
		install -m 0755 "$2" /usr/sbin/smtpguard' sh "$B/rpmx" "$r/sgwrap"
}

# scriptlet IN TAG ARG: run that RPM scriptlet in that root as rpm does.
scriptlet() {
	"$1" sh -e "$B/rpms/$2" "$3"
}

# rpm_upgrade IN: rpm's order on an upgrade (the new package's scriptlets
# stand for the old one's: it is the same package).
rpm_upgrade() {
	scriptlet "$1" POSTIN 2 && scriptlet "$1" PREUN 1 && scriptlet "$1" POSTUN 1 &&
		scriptlet "$1" POSTTRANS 0
}

rpm_sd() { FAKE_SD_STATE=$B/rsd-sd in_root --systemd "$B/rroot-sd" "$@"; }
rpm_nosd() { FAKE_SD_STATE=$B/rsd-nosd in_root "$B/rroot-nosd" "$@"; }

@test "rpm scriptlets with systemd: install starts, upgrades under load reload in %posttrans (0 through), erase unloads" {
	[ -f "$B/rpms/POSTTRANS" ] || skip "no rpm was built (see the previous test)"
	mkdir -p "$B/rsd-sd"
	rpm_root "$B/rroot-sd"
	run scriptlet rpm_sd POSTIN 1
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run scriptlet rpm_sd POSTTRANS 0
	[ "$status" -eq 0 ]
	# daemon-reload, then start
	grep -A1 -x 'daemon-reload' "$B/rsd-sd/calls" | grep -qx 'start smtpguard.service' ||
		{ cat "$B/rsd-sd/calls"; return 1; }
	loaded
	: >"$B/rsd-sd/calls"
	: >"$WORK/sg.calls"
	churn_under_load 6 3 rpm_upgrade rpm_sd
	loaded
	run grep -E 'stop|restart' "$B/rsd-sd/calls"
	[ "$status" -eq 1 ] || { echo "$output"; return 1; }
	[ "$(grep -c '^reload smtpguard.service$' "$B/rsd-sd/calls")" -ge 3 ]
	run grep -c '^unload' "$WORK/sg.calls"
	[ "$output" = 0 ]
	run rpm_sd test -e /var/lib/rpm-state/smtpguard/upgrade
	[ "$status" -ne 0 ]
	# erase: %preun 0 (%systemd_preun's stop is stubbed where the macros
	# are missing; the explicit unload does it), then %postun 0
	run scriptlet rpm_sd PREUN 0
	[ "$status" -eq 0 ]
	run scriptlet rpm_sd POSTUN 0
	[ "$status" -eq 0 ]
	unloaded
}

@test "rpm scriptlets without systemd: install loads nothing, upgrades under load load in %posttrans (0 through), erase unloads" {
	[ -f "$B/rpms/POSTTRANS" ] || skip "no rpm was built (see the rpm build test)"
	# the previous test, failed half-way, may have left its enforcement:
	# this one starts from nothing loaded, so it fails only for its own reasons
	"$SG" --pin-dir "$PIN" unload >/dev/null 2>&1 || true
	mkdir -p "$B/rsd-nosd"
	rpm_root "$B/rroot-nosd"
	run scriptlet rpm_nosd POSTIN 1
	[ "$status" -eq 0 ]
	unloaded
	rpm_nosd /usr/sbin/smtpguard load
	: >"$WORK/sg.calls"
	churn_under_load 6 3 rpm_upgrade rpm_nosd
	loaded
	[ "$(grep -c '^load$' "$WORK/sg.calls")" -ge 3 ]
	run grep -c '^unload' "$WORK/sg.calls"
	[ "$output" = 0 ]
	run scriptlet rpm_nosd PREUN 0
	[ "$status" -eq 0 ]
	unloaded
}

@test "the package tests left this host's smtpguard files and package state byte for byte as they were" {
	host_snapshot >"$B/host.after"
	run diff "$B/host.before" "$B/host.after"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}
