#!/usr/bin/env bats
# Installation and service files: `make install` lays out every file under
# PREFIX/DESTDIR and never overwrites a config; both unit files pass
# `systemd-analyze verify` (PID 1 need not be systemd: the units are
# verified from a temporary directory, with ExecStart= pointing at an
# installed copy of the binary and the installed man pages on MANPATH so the
# Documentation= references are checked too); the man pages render cleanly
# and cover every command, option and config key; bash completion works.
# Only the capability test touches the kernel: it loads on a test cgroup with
# a temporary pin dir, and unloads again.

load lib

setup() {
	D=$(mktemp -d /tmp/smtpguard-units.XXXXXX)
}

teardown() {
	if [ -n "${CAP_PIN:-}" ]; then
		"$SG" unload --pin-dir "$CAP_PIN" >/dev/null 2>&1
		rm -rf "$CAP_PIN" 2>/dev/null
	fi
	[ -n "${CAP_CG:-}" ] && rmdir "$CAP_CG" 2>/dev/null
	[ -n "${D:-}" ] && rm -rf "$D"
	return 0
}

# inst ARGS...: make install into $D with ARGS.
inst() {
	make -s -C "$TOP" -o smtpguard install DESTDIR="$D" "$@"
}

# unitdir: where make install put the units under $D.
unitdir() {
	dirname "$(find "$D" -name smtpguard.service -print -quit)"
}

# verify_dir: copy the installed units to $D/verify with ExecStart= etc.
# pointing at the installed binary; echo that dir.
verify_dir() {
	local u src
	src=$(unitdir)
	mkdir -p "$D/verify"
	for u in smtpguard.service smtpguard-monitor.service smtpguard-textfile.service \
		smtpguard-textfile.timer; do
		sed -e "s|/usr/sbin/smtpguard|$D/usr/sbin/smtpguard|g" \
			-e "s|/usr/lib/smtpguard/|$D/usr/lib/smtpguard/|g" "$src/$u" >"$D/verify/$u"
	done
	echo "$D/verify"
}

# help_commands / help_options: what `smtpguard --help` lists.
help_commands() {
	# a command's line starts at column 3; deeper ones continue the text
	"$SG" --help | awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 } on && /^  [a-z]/ { print $1 }'
}

help_options() {
	"$SG" --help | awk '/^Options:/ { on = 1; next } /^$/ { on = 0 } on' |
		grep -oE '(^|[ ,])--?[A-Za-z][a-z-]*' | tr -d ' ,' | sort -u
}

@test "make install DESTDIR PREFIX=/usr lays out every file" {
	command -v pkg-config >/dev/null || skip "pkg-config not installed"
	run inst PREFIX=/usr
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	local ud
	ud=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || true)
	ud=${ud:-/lib/systemd/system}
	local f
	for f in usr/sbin/smtpguard:755 \
		"${ud#/}/smtpguard.service:644" "${ud#/}/smtpguard-monitor.service:644" \
		"${ud#/}/smtpguard-textfile.service:644" "${ud#/}/smtpguard-textfile.timer:644" \
		usr/share/man/man8/smtpguard.8:644 usr/share/man/man5/smtpguard.conf.5:644 \
		usr/share/bash-completion/completions/smtpguard:644 \
		usr/lib/smtpguard/stop-unless-restart:755 \
		etc/smtpguard/smtpguard.conf:640 etc/logrotate.d/smtpguard:644; do
		[ -f "$D/${f%:*}" ] || { echo "missing /${f%:*}"; find "$D" -type f; return 1; }
		[ "$(stat -c %a "$D/${f%:*}")" = "${f##*:}" ] ||
			{ echo "/${f%:*}: mode $(stat -c %a "$D/${f%:*}"), want ${f##*:}"; return 1; }
	done
	# exactly these files, nothing stray
	[ "$(find "$D" -type f | wc -l)" -eq 11 ] || { find "$D" -type f; return 1; }
	cmp "$TOP/smtpguard" "$D/usr/sbin/smtpguard"
	cmp "$TOP/smtpguard.conf.example" "$D/etc/smtpguard/smtpguard.conf"
	grep -qx 'ExecStart=/usr/sbin/smtpguard load' "$D/$ud/smtpguard.service"
	grep -qx 'ExecStart=/usr/sbin/smtpguard monitor --output /var/log/smtpguard/events.json' "$D/$ud/smtpguard-monitor.service"
	# the config names accounts and destinations: root's only
	[ "$(stat -c %U:%G "$D/etc/smtpguard/smtpguard.conf")" = root:root ]
	cmp "$TOP/scripts/stop-unless-restart" "$D/usr/lib/smtpguard/stop-unless-restart"
}

@test "make install honours PREFIX, UNITDIR and MANDIR; unit Exec paths follow SBINDIR" {
	run inst PREFIX=/usr/local UNITDIR=/etc/systemd/system PKGLIBDIR=/usr/local/libexec/smtpguard
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ -x "$D/usr/local/libexec/smtpguard/stop-unless-restart" ]
	[ -x "$D/usr/local/sbin/smtpguard" ]
	[ -f "$D/usr/local/share/man/man8/smtpguard.8" ]
	[ -f "$D/usr/local/share/man/man5/smtpguard.conf.5" ]
	[ -f "$D/usr/local/share/bash-completion/completions/smtpguard" ]
	[ -f "$D/etc/smtpguard/smtpguard.conf" ]
	local u=$D/etc/systemd/system/smtpguard.service
	grep -qx 'ExecStart=/usr/local/sbin/smtpguard load' "$u"
	grep -qx 'ExecReload=/usr/local/sbin/smtpguard load' "$u"
	grep -qx 'ExecStop=/usr/local/libexec/smtpguard/stop-unless-restart %n /usr/local/sbin/smtpguard unload' "$u"
	grep -qx 'ExecStart=/usr/local/sbin/smtpguard monitor --output /var/log/smtpguard/events.json' "$D/etc/systemd/system/smtpguard-monitor.service"
	grep -q '^ExecStart=/usr/local/sbin/smtpguard stats --prometheus ' \
		"$D/etc/systemd/system/smtpguard-textfile.service"
	run grep -rqE '/usr/sbin/smtpguard|/usr/lib/smtpguard' "$D/etc/systemd/system"
	[ "$status" -eq 1 ]
	rm -rf "${D:?}"/*
	run inst PREFIX=/opt/sg MANDIR=/opt/man
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ -f "$D/opt/man/man8/smtpguard.8" ]
	[ -x "$D/opt/sg/sbin/smtpguard" ]
}

@test "make install never overwrites an existing config; uninstall keeps it" {
	mkdir -p "$D/etc/smtpguard"
	printf '# the admin'"'"'s policy\nports = 2525\n' >"$D/etc/smtpguard/smtpguard.conf"
	cp "$D/etc/smtpguard/smtpguard.conf" "$D/mine"
	run inst PREFIX=/usr
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	cmp "$D/mine" "$D/etc/smtpguard/smtpguard.conf"
	# and again, as an upgrade would
	run inst PREFIX=/usr
	[ "$status" -eq 0 ]
	cmp "$D/mine" "$D/etc/smtpguard/smtpguard.conf"
	run make -s -C "$TOP" uninstall DESTDIR="$D" PREFIX=/usr
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	rm -f "$D/mine"
	# only the config is left
	[ "$(find "$D" -type f)" = "$D/etc/smtpguard/smtpguard.conf" ] || { find "$D" -type f; return 1; }
}

@test "systemd-analyze verify passes on every unit file (with their man pages)" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed (package systemd)"
	inst PREFIX=/usr >/dev/null
	local v
	v=$(verify_dir)
	cd "$v"
	run env MANPATH="$D/usr/share/man" systemd-analyze verify ./smtpguard.service \
		./smtpguard-monitor.service ./smtpguard-textfile.service ./smtpguard-textfile.timer
	echo "$output"
	[ "$status" -eq 0 ]
	# no warnings about our units either (other units' noise is not ours)
	run grep -i smtpguard <<<"$output"
	[ "$status" -eq 1 ]
}

@test "systemd-analyze verify does fail on a broken unit (the check is not vacuous)" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed (package systemd)"
	inst PREFIX=/usr >/dev/null
	local v
	v=$(verify_dir)
	sed -i "s|^ExecStart=.*|ExecStart=$D/usr/sbin/no-such-smtpguard load|" "$v/smtpguard.service"
	cd "$v"
	run systemd-analyze verify --man=no ./smtpguard.service
	echo "$output"
	[ "$status" -ne 0 ]
}

@test "smtpguard.service: oneshot, early (no default deps, before network-pre and sysinit)" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed (package systemd)"
	inst PREFIX=/usr >/dev/null
	local v
	v=$(verify_dir)
	cd "$v"
	# systemd's own reading of the unit: the debug log of verify dumps it
	run env SYSTEMD_LOG_LEVEL=debug systemd-analyze verify --man=no ./smtpguard.service
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	local dump
	dump=$(awk '/-> Unit smtpguard.service:/ { on = 1; next } /-> Unit / { on = 0 } on' <<<"$output")
	[ -n "$dump" ] || { echo "$output" | tail -50; return 1; }
	local want
	for want in "Type: oneshot" "RemainAfterExit: yes" "DefaultDependencies: no" \
		"Before: network-pre.target" "Before: sysinit.target" "Wants: network-pre.target" \
		"After: local-fs.target" "After: sys-fs-bpf.mount" \
		"Command Line: $D/usr/sbin/smtpguard load" \
		"Command Line: $D/usr/lib/smtpguard/stop-unless-restart smtpguard.service $D/usr/sbin/smtpguard unload"; do
		grep -qF "$want" <<<"$dump" || { echo "missing '$want' in:"; echo "$dump"; return 1; }
	done
	# ExecStart= and ExecReload= both run the idempotent load
	[ "$(grep -cF "Command Line: $D/usr/sbin/smtpguard load" <<<"$dump")" -eq 2 ] ||
		{ echo "$dump"; return 1; }
	# nothing that would start it late or stop it at shutdown
	local bad
	for bad in "After: sysinit.target" "After: basic.target" "After: network.target" \
		"After: network-pre.target" "After: multi-user.target" "Conflicts: shutdown.target"; do
		if grep -qF "$bad" <<<"$dump"; then echo "unexpected '$bad'"; return 1; fi
	done
}

@test "enabling: smtpguard.service goes into sysinit.target, the monitor into multi-user.target" {
	command -v systemctl >/dev/null || skip "systemctl not installed (package systemd)"
	inst PREFIX=/usr >/dev/null
	run systemctl --root="$D" enable smtpguard.service
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ -L "$D/etc/systemd/system/sysinit.target.wants/smtpguard.service" ]
	run systemctl --root="$D" is-enabled smtpguard-monitor.service
	[ "$output" = disabled ]
	run systemctl --root="$D" enable smtpguard-monitor.service
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ -L "$D/etc/systemd/system/multi-user.target.wants/smtpguard-monitor.service" ]
}

@test "smtpguard-monitor.service: runs 'smtpguard monitor' bound to and after smtpguard.service" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed (package systemd)"
	inst PREFIX=/usr >/dev/null
	local v
	v=$(verify_dir)
	cd "$v"
	run env SYSTEMD_LOG_LEVEL=debug systemd-analyze verify --man=no ./smtpguard-monitor.service
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	local dump
	dump=$(awk '/-> Unit smtpguard-monitor.service:/ { on = 1; next } /-> Unit / { on = 0 } on' <<<"$output")
	local want
	for want in "Type: simple" "BindsTo: smtpguard.service" "After: smtpguard.service" \
		"KillSignal: SIGTERM" "Command Line: $D/usr/sbin/smtpguard monitor"; do
		grep -qF "$want" <<<"$dump" || { echo "missing '$want' in:"; echo "$dump"; return 1; }
	done
}

# unit_caps UNIT: the setpriv --bounding-set of the unit's CapabilityBoundingSet.
unit_caps() {
	local caps c set="-all"
	caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$TOP/systemd/$1")
	[ -n "$caps" ] || return 1
	for c in $caps; do
		c=${c#CAP_}
		set+=",+${c,,}"
	done
	echo "$set"
}

@test "the units' CapabilityBoundingSet and NoNewPrivileges suffice for what each runs" {
	local set rset
	set=$(unit_caps smtpguard.service)
	CAP_CG="$(cgroup2_root)/sgcap$$"
	CAP_PIN="/sys/fs/bpf/sgcap$$"
	mkdir "$CAP_CG"
	printf 'ports = %s\n' "$SG_TEST_PORT" >"$D/cap.conf"
	local cmd u
	for cmd in load reload status stats; do
		run setpriv --no-new-privs --bounding-set "$set" --inh-caps -all \
			"$SG" --config "$D/cap.conf" --cgroup "$CAP_CG" --pin-dir "$CAP_PIN" "$cmd"
		[ "$status" -eq 0 ] || { echo "$cmd with $set: $output"; return 1; }
	done
	# the readers' units: smaller sets, the attachment still verified
	for u in smtpguard-monitor.service smtpguard-textfile.service; do
		rset=$(unit_caps "$u")
		[ "$rset" != "$set" ] || { echo "$u has the loader's capabilities"; return 1; }
		run setpriv --no-new-privs --bounding-set "$rset" --inh-caps -all \
			"$SG" --cgroup "$CAP_CG" --pin-dir "$CAP_PIN" status
		[ "$status" -eq 0 ] || { echo "status with $rset: $output"; return 1; }
		[[ "$output" != *"not verified"* ]] || { echo "$u: $output"; return 1; }
		run setpriv --no-new-privs --bounding-set "$rset" --inh-caps -all \
			"$SG" --cgroup "$CAP_CG" --pin-dir "$CAP_PIN" stats --prometheus
		[ "$status" -eq 0 ] || { echo "stats with $rset: $output"; return 1; }
		grep -qx 'smtpguard_loaded 1' <<<"$output"
		# and they cannot change anything
		run setpriv --no-new-privs --bounding-set "$rset" --inh-caps -all \
			"$SG" --config "$D/cap.conf" --cgroup "$CAP_CG" --pin-dir "$CAP_PIN" load
		[ "$status" -eq 1 ] || { echo "load with $rset: $output"; return 1; }
	done
	run setpriv --no-new-privs --bounding-set "$set" --inh-caps -all \
		"$SG" --cgroup "$CAP_CG" --pin-dir "$CAP_PIN" unload
	[ "$status" -eq 0 ] || { echo "unload with $set: $output"; return 1; }
	[ ! -e "$CAP_PIN" ]
	run bpftool cgroup show "$CAP_CG"
	[ -z "$output" ]
}

@test "the readers' units are sandboxed (ProtectSystem=strict and friends)" {
	local u o
	for u in smtpguard-monitor.service smtpguard-textfile.service; do
		for o in ProtectSystem=strict ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes \
			RestrictAddressFamilies=AF_UNIX ProtectKernelModules=yes ProtectControlGroups=yes \
			RestrictNamespaces=yes MemoryDenyWriteExecute=yes; do
			grep -qx "$o" "$TOP/systemd/$u" || { echo "$u lacks $o"; return 1; }
		done
	done
	# the textfile dir and part A's monitor paths stay writable
	grep -qx 'ReadWritePaths=-/var/lib/prometheus/node-exporter' "$TOP/systemd/smtpguard-textfile.service"
	grep -qx 'ReadWritePaths=-/run/smtpguard -/var/log/smtpguard' "$TOP/systemd/smtpguard-monitor.service"
}

@test "smtpguard-textfile.timer runs smtpguard-textfile.service every minute; both verified" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed (package systemd)"
	inst PREFIX=/usr >/dev/null
	local v dump want
	v=$(verify_dir)
	cd "$v"
	run env SYSTEMD_LOG_LEVEL=debug systemd-analyze verify --man=no ./smtpguard-textfile.timer
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	dump=$(awk '/-> Unit smtpguard-textfile.timer:/ { on = 1; next } /-> Unit / { on = 0 } on' <<<"$output")
	for want in "Triggers: smtpguard-textfile.service" "OnUnitActiveSec: 1min"; do
		grep -qF "$want" <<<"$dump" || { echo "missing '$want' in:"; echo "$dump"; return 1; }
	done
	run env SYSTEMD_LOG_LEVEL=debug systemd-analyze verify --man=no ./smtpguard-textfile.service
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	dump=$(awk '/-> Unit smtpguard-textfile.service:/ { on = 1; next } /-> Unit / { on = 0 } on' <<<"$output")
	# (systemd prints the variables quoted, their '$' escaped)
	for want in "Type: oneshot" "Command Line: $D/usr/sbin/smtpguard stats --prometheus --top " \
		'SMTPGUARD_TEXTFILE_TOP}" --output "\${SMTPGUARD_TEXTFILE_DIR}/smtpguard.prom"'; do
		grep -qF "$want" <<<"$dump" || { echo "missing '$want' in:"; echo "$dump"; return 1; }
	done
	# the timer installs into timers.target, disabled by default
	run systemctl --root="$D" is-enabled smtpguard-textfile.timer
	[ "$output" = disabled ]
	run systemctl --root="$D" enable smtpguard-textfile.timer
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ -L "$D/etc/systemd/system/timers.target.wants/smtpguard-textfile.timer" ]
}

@test "man pages render without warnings" {
	command -v groff >/dev/null || skip "groff not installed (package groff-base)"
	local p
	for p in "$TOP/man/smtpguard.8" "$TOP/man/smtpguard.conf.5"; do
		run groff -man -ww -z "$p"
		[ -z "$output" ] || { echo "$p: $output"; return 1; }
		if command -v man >/dev/null; then
			run env LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$p"
			[ "$status" -eq 0 ]
			run sh -c 'LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null' sh "$p"
			[ -z "$output" ] || { echo "$p: $output"; return 1; }
		fi
	done
}

@test "man pages: mandoc -Tlint finds no warning (a parsable .TH date, ...)" {
	command -v mandoc >/dev/null || skip "mandoc not installed (package mandoc)"
	run mandoc -Tlint -W warning "$TOP/man/smtpguard.8" "$TOP/man/smtpguard.conf.5"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ -z "$output" ] || { echo "$output"; return 1; }
	# and it does complain about a broken one
	sed 's/^\.TH SMTPGUARD 8 "[^"]*"/.TH SMTPGUARD 8 "someday"/' "$TOP/man/smtpguard.8" >"$D/bad.8"
	run mandoc -Tlint -W warning "$D/bad.8"
	[ -n "$output" ]
}

@test "smtpguard(8) documents every command and option of --help, and the exit codes" {
	local src c o
	src=$(sed 's/\\-/-/g' "$TOP/man/smtpguard.8")
	for c in $(help_commands); do
		grep -qE "^\.BR? $c( |\$)" <<<"$src" ||
			{ echo "command '$c' of --help not in smtpguard.8"; return 1; }
	done
	for o in $(help_options); do
		grep -qF -- "$o" <<<"$src" || { echo "option '$o' of --help not in smtpguard.8"; return 1; }
	done
	# and nothing documented that --help does not know
	for o in $(grep -oE -- '--[a-z][a-z-]+' <<<"$src" | sort -u); do
		"$SG" --help | grep -qF -- "$o" || { echo "smtpguard.8 documents '$o', --help does not"; return 1; }
	done
	grep -q '^\.SH EXIT STATUS' <<<"$src"
	for c in 0 1 2 3; do
		grep -A1 -x '\.TP' <<<"$src" | grep -qx "\.B $c" || { echo "exit code $c missing"; return 1; }
	done
}

@test "smtpguard.conf(5) documents every config key" {
	local src k keys
	src=$(sed 's/\\-/-/g' "$TOP/man/smtpguard.conf.5")
	# the parser's key table is the truth
	keys=$(grep -oE '\[K_[A-Z_]+\] = \{ "[a-z_]+"' "$TOP/user/config.c" | grep -oE '"[a-z_]+"' | tr -d '"')
	[ -n "$keys" ]
	for k in $keys; do
		grep -qx "\.B $k" <<<"$src" || { echo "key '$k' has no entry in smtpguard.conf.5"; return 1; }
	done
	# every key of the example config is one of them
	for k in $(sed -nE 's/^#?([a-z_]+) *=.*/\1/p' "$TOP/smtpguard.conf.example" | sort -u); do
		grep -qx "$k" <<<"$keys" || { echo "example key '$k' unknown to the parser"; return 1; }
	done
}

@test "the example in smtpguard.conf(5) is a valid config (names replaced by numbers)" {
	local ex
	ex=$(sed -n '/^\.SH EXAMPLE/,/^\.SH /p' "$TOP/man/smtpguard.conf.5" |
		sed -n '/^\.nf/,/^\.fi/p' | grep -v '^\.' | sed 's/\\-/-/g')
	[ -n "$ex" ]
	# accounts of this host may differ: judge the syntax with every name
	# replaced by a distinct number
	ex=$(awk '/^allow_(users|groups) *=/ {
		sub(/=/, "= "); out = ""
		for (i = 1; i <= NF; i++) {
			t = $i; sub(/,$/, "", t)
			if (i > 2 && t !~ /^[0-9]+$/) t = 70000 + (++n)
			out = out (i > 1 ? " " : "") t
		}
		print out; next
	}
	# which cgroups exist depends on the host: check-config would refuse a
	# missing one (their syntax is unit-tested)
	/^allow_cgroups *=/ { next }
	/^allow_(user|group)_destinations *=/ {
		sub(/=/, "= ")
		if ($3 !~ /^[0-9]+$/) $3 = 70000 + (++n)
		print; next
	} { print }' <<<"$ex")
	printf '%s\n' "$ex" >"$D/ex.conf"
	run "$SG" check-config "$D/ex.conf"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "bash completion: commands, options, files for --config, dirs for --pin-dir" {
	mkdir -p "$D/dirA" && touch "$D/fileA.conf"
	run bash -c '
		source "$1/completion/smtpguard.bash"
		t() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		      _smtpguard smtpguard "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
		      printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "; echo; }
		t smtpguard ""
		# every option, each where it applies: stats, log, monitor
		{ t smtpguard stats --; t smtpguard log --; t smtpguard monitor --; } |
			tr " " "\n" | grep . | sort -u | tr "\n" " "; echo
		t smtpguard --config "$2/fil"
		t smtpguard --pin-dir "$2/"
		t smtpguard check-config "$2/fileA"
		t smtpguard load --cgroup "$2/d"
		complete -p smtpguard
		t smtpguard explain --
	' sh "$TOP" "$D"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	echo "$output"
	local cmds=${lines[0]} opts=${lines[1]} c o
	for c in $(help_commands); do
		grep -qw -- "$c" <<<"$cmds" || { echo "command $c not completed"; return 1; }
	done
	# explain's own options (issue 10) are completed for explain
	for o in $(help_options | grep -- '^--' | grep -vxE -- '--(group|cgroup-path)'); do
		grep -qw -- "$o" <<<"$opts" || { echo "option $o not completed for stats, log or monitor"; return 1; }
	done
	for o in --user --group --cgroup-path --json; do
		grep -qw -- "$o" <<<"${lines[7]}" || { echo "option $o not completed for explain"; return 1; }
	done
	[ "${lines[2]}" = "$D/fileA.conf " ]
	[ "${lines[3]}" = "$D/dirA " ]
	[ "${lines[4]}" = "$D/fileA.conf " ]
	[ "${lines[5]}" = "$D/dirA " ]
	grep -q 'complete -F _smtpguard smtpguard' <<<"${lines[6]}"
}
