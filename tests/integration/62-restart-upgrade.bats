#!/usr/bin/env bats
# smtpguard.service without a window: `systemctl restart` keeps enforcement
# (ExecStop= asks systemd for the job and unloads only on a stop),
# `systemctl stop` unloads, `systemctl reload` repairs enforcement removed
# by hand. PID 1 is not systemd here: tests/helpers/fake-systemctl runs the
# installed unit's Exec lines in systemd's order and reports the job type
# as systemd does; the unit's /usr/sbin/smtpguard is a wrapper that adds
# this world's --config, --cgroup and --pin-dir (see units-lib.bash).
# scripts/load-at-boot.sh (quickstart's load step) is tested with the same
# fake systemctl. The package upgrade tests are in 61-deb.bats.

load lib
load 41-lib
load units-lib

setup_file() {
	world_up u
	D=$WORK/inst
	make -s -C "$TOP" -o smtpguard install DESTDIR="$D" PREFIX=/usr >/dev/null
	# the installed unit, pointing at the wrapper and the installed helper
	UNITS=$WORK/units
	mkdir -p "$UNITS"
	sed -e "s|/usr/sbin/smtpguard|$WORK/sgwrap|g" -e "s|/usr/lib/smtpguard/|$D/usr/lib/smtpguard/|g" \
		"$(find "$D" -name smtpguard.service)" >"$UNITS/smtpguard.service"
	write_wrapper "$WORK/sgwrap" "$SG"
	unit_config
	export D UNITS
}

teardown_file() {
	world_down
}

setup() {
	fake_systemd "$WORK/sd"
	export FAKE_SD_UNITPATH=$UNITS
	: >"$WORK/sg.calls"
	rm -f "$WORK/churn.out"
}

teardown() {
	# each test starts from nothing loaded and an inactive unit
	"$SG" --pin-dir "$PIN" unload >/dev/null 2>&1
	rm -rf "$WORK/sd"
	return 0
}

@test "the unit under test: ExecStop= is stop-unless-restart, ExecReload= is load" {
	grep -qx "ExecStart=$WORK/sgwrap load" "$UNITS/smtpguard.service"
	grep -qx "ExecReload=$WORK/sgwrap load" "$UNITS/smtpguard.service"
	grep -qx "ExecStop=$D/usr/lib/smtpguard/stop-unless-restart %n $WORK/sgwrap unload" \
		"$UNITS/smtpguard.service"
	[ -x "$D/usr/lib/smtpguard/stop-unless-restart" ]
}

@test "systemctl start loads, systemctl stop (a stop job) unloads" {
	run systemctl start smtpguard.service
	[ "$status" -eq 0 ] || { echo "$output"; cat "$FAKE_SD_STATE/calls"; return 1; }
	loaded
	run try "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 10 ]
	run systemctl stop smtpguard.service
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	grep -qx 'exec ExecStop: .*stop-unless-restart smtpguard.service .*sgwrap unload' "$FAKE_SD_STATE/calls"
	unloaded
	run try "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
}

@test "systemctl restart in a loop under load: 0 connections through, still loaded" {
	systemctl start smtpguard.service
	loaded
	churn_under_load 8 5 systemctl restart smtpguard.service
	loaded
	# it really went through ExecStop= each time, under a restart job
	[ "$(grep -c '^exec ExecStop:' "$FAKE_SD_STATE/calls")" -ge 5 ]
	grep -q 'restart: enforcement kept' "$WORK/churn.out"
	run grep -c '^unload' "$WORK/sg.calls"
	[ "$output" -eq 0 ]
}

@test "the restart check can fail: with ExecStop=smtpguard unload (the old unit) connections get through" {
	mkdir -p "$WORK/old"
	sed "s|^ExecStop=.*|ExecStop=$WORK/sgwrap unload|" "$UNITS/smtpguard.service" >"$WORK/old/smtpguard.service"
	export FAKE_SD_UNITPATH=$WORK/old
	systemctl start smtpguard.service
	run churn_under_load 4 5 systemctl restart smtpguard.service
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"got through"* ]]
}

@test "try-restart and reload-or-restart keep enforcement too" {
	systemctl start smtpguard.service
	run systemctl try-restart smtpguard.service
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	loaded
	run systemctl reload-or-restart smtpguard.service
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	loaded
}

@test "systemctl reload repairs enforcement that was removed by hand" {
	systemctl start smtpguard.service
	"$SG" --pin-dir "$PIN" unload
	run try "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
	run systemctl reload smtpguard.service
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	loaded
	run try "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 10 ]
}

@test "systemctl reload in a loop under load: 0 connections through" {
	systemctl start smtpguard.service
	churn_under_load 5 5 systemctl reload smtpguard.service
	loaded
}

@test "ExecStop= keeps enforcement and fails with one line when systemd cannot be asked" {
	systemctl start smtpguard.service
	FAKE_SD_LISTJOBS_FAIL=1 run systemctl stop smtpguard.service
	[ "$status" -ne 0 ]
	[ "${#lines[@]}" -eq 1 ] || { echo "$output"; return 1; }
	[[ "$output" == *"enforcement kept"*"unload"* ]]
	loaded
}

@test "ExecStop= run outside of a stop or restart job keeps enforcement, exit 1" {
	"$WORK/sgwrap" load
	run "$D/usr/lib/smtpguard/stop-unless-restart" smtpguard.service "$WORK/sgwrap" unload
	[ "$status" -eq 1 ]
	[[ "$output" == *"job 'none'"*"enforcement kept"* ]]
	loaded
	run "$D/usr/lib/smtpguard/stop-unless-restart" smtpguard.service
	[ "$status" -eq 2 ]
}

@test "quickstart: deps, build, install, load (enabled at boot), status, in that order" {
	run grep -vE '^(#|set |cd |$)' "$TOP/scripts/quickstart.sh"
	[ "${lines[0]}" = scripts/install-deps.sh ]
	[ "${lines[1]}" = make ]
	[ "${lines[2]}" = "make install" ]
	[ "${lines[3]}" = scripts/load-at-boot.sh ]
	[ "${lines[4]}" = "smtpguard status" ]
	[ "${#lines[@]}" -eq 5 ]
}

@test "load-at-boot with systemd as PID 1: daemon-reload, enable, start (loads)" {
	mkdir -p "$WORK/sdrun"
	run env SMTPGUARD_SYSTEMD_RUNDIR="$WORK/sdrun" SMTPGUARD=false "$TOP/scripts/load-at-boot.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	run grep -vE '^(exec |list-jobs)' "$FAKE_SD_STATE/calls"
	[ "${lines[0]}" = daemon-reload ]
	[ "${lines[1]}" = "enable smtpguard.service" ]
	[ "${lines[2]}" = "start smtpguard.service" ]
	loaded
	rmdir "$WORK/sdrun"
}

@test "load-at-boot without systemd as PID 1: loads and says in one line that boot is up to the admin" {
	run env SMTPGUARD_SYSTEMD_RUNDIR="$WORK/no-such-dir" SMTPGUARD="$WORK/sgwrap" "$TOP/scripts/load-at-boot.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "systemd is not PID 1 here: smtpguard will not be loaded at boot; run 'smtpguard load' from your init system's boot scripts" ]
	loaded
	[ ! -e "$FAKE_SD_STATE/calls" ]
}

@test "load-at-boot fails when the load fails" {
	run env SMTPGUARD_SYSTEMD_RUNDIR="$WORK/no-such-dir" SMTPGUARD=false "$TOP/scripts/load-at-boot.sh"
	[ "$status" -ne 0 ]
	unloaded
}
