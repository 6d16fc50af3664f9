#!/usr/bin/env bats
# Bad input: every bad config and command line is refused with one exact
# line and the exact exit code, and the kernel state does not change. A test
# enforcement is loaded in a test cgroup first; after every refused command
# its policy (status --json), program and link ids (status, bpftool) and pins
# must be exactly what they were.

load lib

setup_file() {
	world_up b
	CG2="$CG-other"
	PIN_DOT="/sys/fs/bpf/sgt$$b.x"
	PIN_NEW="$PIN-new"
	mkdir -p "$CG2"
	export CG2 PIN_DOT PIN_NEW
	write_config "$WORK/good.conf" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED" \
		"allow_groups = $G_ALLOWED" "allow_destinations = 127.0.0.0/8, ::1"
	chmod 644 "$WORK/good.conf"
	"$SG" --config "$WORK/good.conf" --cgroup "$CG" --pin-dir "$PIN" load
	snap >"$WORK/base.snap"
}

teardown_file() {
	# only if a refused command did something after all
	local p
	for p in "$PIN_DOT" "$PIN_NEW"; do
		"$SG" unload --pin-dir "$p" >/dev/null 2>&1
		rm -rf "$p" 2>/dev/null
	done
	rmdir "$CG2" 2>/dev/null
	world_down
}

# snap: what the kernel enforces for the test cgroup and pin dir.
snap() {
	"$SG" status --json --pin-dir "$PIN" 2>&1
	echo "status exit $?"
	bpftool cgroup show "$CG" 2>&1
	bpftool cgroup show "$CG2" 2>&1
	stat -c '%i %a %n' "$PIN" "$PIN"/* 2>&1
}

unchanged() {
	local now
	now=$(snap)
	if [ "$now" != "$(cat "$WORK/base.snap")" ]; then
		echo "kernel state changed:"
		diff "$WORK/base.snap" - <<<"$now"
		return 1
	fi
}

# refused CODE MESSAGE CMD...: CMD exits CODE printing exactly MESSAGE (stdout
# and stderr together), and nothing in the kernel changed.
refused() {
	local code=$1 want=$2
	shift 2
	run "$@"
	if [ "$status" -ne "$code" ] || [ "$output" != "$want" ]; then
		echo "command:   $*"
		echo "want exit $code: $want"
		echo "got  exit $status: $output"
		return 1
	fi
	unchanged
}

# bad_file FILE WANT: load, reload and check-config all refuse FILE with
# exactly "FILE:WANT", exit 2, and change nothing.
bad_file() {
	local f=$1 want=$2
	refused 2 "$f:$want" "$SG" --config "$f" --cgroup "$CG" --pin-dir "$PIN" load
	refused 2 "$f:$want" "$SG" --config "$f" --pin-dir "$PIN" reload
	refused 2 "$f:$want" "$SG" check-config "$f"
	refused 2 "$f:$want" "$SG" check-config --json --config "$f"
}

# bad_big FILE WANT: the same for a large file, with load and check-config only.
bad_big() {
	local f=$1 want=$2
	refused 2 "$f:$want" "$SG" --config "$f" --cgroup "$CG" --pin-dir "$PIN" load
	refused 2 "$f:$want" "$SG" check-config "$f"
}

# bad_config WANT LINES...: a config of these lines is refused with WANT.
bad_config() {
	local want=$1
	shift
	printf '%s\n' "$@" >"$WORK/bad.conf"
	bad_file "$WORK/bad.conf" "$want"
}

# usage MESSAGE ARGS...: smtpguard ARGS exits 2 with "smtpguard: MESSAGE".
usage() {
	local want=$1
	shift
	refused 2 "smtpguard: $want" "$SG" "$@"
}

# nobody CMD...: run as an unprivileged UID (not root, no capabilities).
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

@test "the test enforcement is loaded (baseline)" {
	grep -q '"loaded":true' "$WORK/base.snap"
	grep -q "cgroup_inet4_connect" "$WORK/base.snap"
	run try "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 10 ]
}

@test "config: unknown key, missing '=', missing key" {
	bad_config "1: unknown key 'foo'" "foo = 1"
	bad_config "3: unknown key 'Ports'" "# comment" "" "Ports = 25"
	bad_config "1: unknown key 'allow users'" "allow users = root"
	bad_config "2: expected 'key = value', got 'ports 25'" "mode = audit" "ports 25"
	bad_config "1: expected 'key = value', got '[smtpguard]'" "[smtpguard]"
	bad_config "1: missing key before '='" " = 25"
}

@test "config: bad ports" {
	bad_config "1: bad port '0': must be a number from 1 to 65535" "ports = 0"
	bad_config "1: bad port '65536': must be a number from 1 to 65535" "ports = 65536"
	bad_config "1: bad port '-25': must be a number from 1 to 65535" "ports = -25"
	bad_config "1: bad port 'smtp': must be a number from 1 to 65535" "ports = 25, smtp"
	bad_config "1: bad port '25;587': must be a number from 1 to 65535" "ports = 25;587"
	bad_config "1: bad port '0x19': must be a number from 1 to 65535" "ports = 0x19"
}

@test "config: duplicate port" {
	bad_config "1: duplicate port 25" "ports = 25, 25"
	bad_config "2: duplicate port 587" "ports = 25 587" "ports = 587"
}

@test "config: too many ports" {
	bad_config "1: too many ports: at most 64" "ports = $(seq -s ' ' 1 65)"
}

# strict_config WANT LINES...: check-config refuses a config of these lines
# with WANT (load and reload skip what check-config refuses here: see
# 32-field-config.bats).
strict_config() {
	local want=$1 f="$WORK/bad.conf"
	shift
	printf '%s\n' "$@" >"$f"
	refused 2 "$f:$want" "$SG" check-config "$f"
	refused 2 "$f:$want" "$SG" check-config --json --config "$f"
}

@test "config: unknown user or group (check-config; load and reload skip them)" {
	strict_config "1: unknown user 'no-such-user-sgtest'" "allow_users = root, no-such-user-sgtest"
	strict_config "1: unknown group 'no-such-group-sgtest'" "allow_groups = no-such-group-sgtest"
	strict_config "1: unknown user '-1'" "allow_users = -1"
}

@test "config: user or group id out of range, name too long" {
	bad_config "1: user id '4294967295' out of range (0-4294967294)" "allow_users = 4294967295"
	bad_config "1: group id '99999999999' out of range (0-4294967294)" "allow_groups = 99999999999"
	local long
	long=$(printf 'a%.0s' $(seq 64))
	bad_config "1: user name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is too long (at most 63 characters)" \
		"allow_users = $long"
	bad_config "1: group name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is too long (at most 63 characters)" \
		"allow_groups = $long"
}

@test "config: a user or group listed twice" {
	bad_config "3: user root / id 0 is listed twice (also on line 1)" \
		"allow_users = 0" "# the same again" "allow_users = root"
	bad_config "1: user id 4000000000 is listed twice (also on line 1)" \
		"allow_users = 4000000000, 4000000000"
	bad_config "2: group root / id 0 is listed twice (also on line 1)" \
		"allow_groups = root" "allow_groups = 0"
}

@test "config: too many users and groups" {
	# uid 0 resolves at once; the limit is checked before duplicates
	seq 65537 | awk 'NR % 1000 == 1 { printf "%sallow_users =", (NR > 1 ? "\n" : "") } { printf " 0" } END { print "" }' \
		>"$WORK/many.conf"
	bad_big "$WORK/many.conf" "66: too many users: at most 65536"
	seq 16385 | awk 'NR % 1000 == 1 { printf "%sallow_groups =", (NR > 1 ? "\n" : "") } { printf " 0" } END { print "" }' \
		>"$WORK/many.conf"
	bad_big "$WORK/many.conf" "17: too many groups: at most 16384"
}

@test "config: malformed destination prefixes" {
	bad_config "1: prefix '10.0.0.1/8' has host bits set after /8" "allow_destinations = 10.0.0.1/8"
	bad_config "1: malformed prefix '10.0.0.0/33': length must be 0-32" \
		"allow_destinations = 10.0.0.0/33"
	bad_config "1: malformed prefix '::1/129': length must be 0-128" "allow_destinations = ::1/129"
	bad_config "1: malformed prefix '10.0.0.0/': length must be 0-32" "allow_destinations = 10.0.0.0/"
	bad_config "1: malformed prefix 'mail.example.com': 'mail.example.com' is not an IPv4 or IPv6 address" \
		"allow_destinations = mail.example.com"
	bad_config "1: malformed prefix '/8'" "allow_destinations = /8"
	bad_config "1: prefix '2001:db8::1/64' has host bits set after /64" \
		"allow_destinations = 2001:db8::1/64"
}

@test "config: duplicate destination" {
	bad_config "1: duplicate destination 127.0.0.0/8" "allow_destinations = 127.0.0.0/8 127.0.0.0/8"
	bad_config "2: duplicate destination 192.0.2.1/32" "allow_destinations = 192.0.2.1" \
		"allow_destinations = ::ffff:192.0.2.1"
}

@test "config: too many destinations" {
	seq 0 1024 | awk '{ printf "allow_destinations = 10.%d.%d.0/24\n", $1 / 256, $1 % 256 }' \
		>"$WORK/many.conf"
	bad_big "$WORK/many.conf" "1025: too many IPv4 destinations: at most 1024"
	seq 0 1024 | awk '{ printf "allow_destinations = 2001:db8:%x::/48\n", $1 }' >"$WORK/many.conf"
	bad_big "$WORK/many.conf" "1025: too many IPv6 destinations: at most 1024"
}

@test "config: bad mode, scalar set twice, scalar without or with two values" {
	bad_config "1: bad mode 'block': must be enforce, audit or redirect" "mode = block"
	bad_config "2: 'mode' is set twice (first on line 1)" "mode = audit" "mode = enforce"
	bad_config "1: 'mode' needs a value" "mode ="
	bad_config "1: 'mode' takes one value" "mode = audit enforce"
}

@test "config: bad redirect_to and event_rate" {
	bad_config "1: malformed endpoint: 'localhost' is not an IPv4 or IPv6 address" \
		"redirect_to = localhost:25"
	bad_config "1: malformed endpoint: port '0' must be 1-65535" "redirect_to = 127.0.0.1:0"
	bad_config "1: malformed endpoint '[::1': missing ']'" "redirect_to = [::1"
	bad_config "1: redirect_to has two IPv4 endpoints" "redirect_to = 127.0.0.1, 127.0.0.2"
	bad_config "1: 'redirect_to' needs a value" "redirect_to ="
	local start
	start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start 2>/dev/null || echo 1024)
	if [ "$start" -le 2525 ]; then
		bad_config "2: redirect_to port 2525 can be bound by any user (>= net.ipv4.ip_unprivileged_port_start = $start): a local user could harvest redirected mail and credentials" \
			"mode = redirect" "redirect_to = 127.0.0.1:2525"
	fi
	bad_config "1: bad event_rate '100001': must be a number from 0 to 100000" "event_rate = 100001"
	bad_config "1: 'event_rate' takes one value" "event_rate = 1 2"
}

@test "config: NUL byte and over-long line" {
	printf 'ports = 25\nports = 2\0006\n' >"$WORK/nul.conf"
	bad_file "$WORK/nul.conf" "2: NUL byte in line"
	{ printf 'ports = 25\n# x\n'; head -c 1048577 /dev/zero | tr '\0' ' '; echo; } >"$WORK/long.conf"
	bad_file "$WORK/long.conf" "3: line longer than 1048576 bytes"
}

@test "config: the first error counts; CRLF line numbers" {
	bad_config "1: bad port '0': must be a number from 1 to 65535" "ports = 0" "foo = 1"
	printf '# a\r\n\r\nports = 25\r\nmode = x\r\n' >"$WORK/crlf.conf"
	bad_file "$WORK/crlf.conf" "4: bad mode 'x': must be enforce, audit or redirect"
}

@test "config: missing or unreadable file given with --config" {
	refused 2 "$WORK/none.conf: cannot open config: No such file or directory" \
		"$SG" --config "$WORK/none.conf" --cgroup "$CG" --pin-dir "$PIN" load
	refused 2 "$WORK/none.conf: cannot open config: No such file or directory" \
		"$SG" --config "$WORK/none.conf" --pin-dir "$PIN" reload
	refused 2 "$WORK/none.conf: cannot open config: No such file or directory" \
		"$SG" check-config "$WORK/none.conf"
	refused 2 "$WORK: not a regular file of at most 16777216 bytes" \
		"$SG" --config "$WORK" --cgroup "$CG" --pin-dir "$PIN" load
	refused 2 "/dev/null: not a regular file of at most 16777216 bytes" \
		"$SG" --config /dev/null --cgroup "$CG" --pin-dir "$PIN" load
	printf 'ports = 25\n' >"$WORK/secret.conf"
	chmod 600 "$WORK/secret.conf"
	refused 2 "$WORK/secret.conf: cannot open config: Permission denied" \
		nobody "$SG" check-config "$WORK/secret.conf"
}

@test "command line: unknown command, unexpected argument" {
	usage "unknown command 'lod' (try --help)" --cgroup "$CG" --pin-dir "$PIN" lod
	usage "unknown command 'LOAD' (try --help)" --cgroup "$CG" --pin-dir "$PIN" LOAD
	usage "unknown command '' (try --help)" --pin-dir "$PIN" ""
	usage "no command given (try --help)" --cgroup "$CG" --pin-dir "$PIN"
	usage "no command given (try --help)"
	usage "unexpected argument 'now' (try --help)" --pin-dir "$PIN" unload now
	usage "unexpected argument 'status' (try --help)" --cgroup "$CG" --pin-dir "$PIN" load status
	usage "unexpected argument 'b.conf' (try --help)" check-config a.conf b.conf
	usage "check-config takes either FILE or --config, not both" \
		check-config --config "$WORK/good.conf" "$WORK/good.conf"
	usage "check-config: FILE must not be empty" check-config ""
}

@test "command line: unknown options" {
	usage "unknown option '--bogus' (try --help)" --pin-dir "$PIN" unload --bogus
	usage "unknown option '--force' (try --help)" --pin-dir "$PIN" --cgroup "$CG" load --force=yes
	usage "unknown option '-x' (try --help)" --pin-dir "$PIN" unload -x
	usage "unknown option '-x' (try --help)" --pin-dir "$PIN" unload -hx
	usage "unknown option '-x' (try --help)" --pin-dir "$PIN" unload -xh
	usage "unknown option '--c' (try --help)" --c "$WORK/good.conf" --pin-dir "$PIN" load
	usage "option '--json' takes no value" status --json=yes --pin-dir "$PIN"
}

@test "command line: option values" {
	usage "option '--config' needs a value" --pin-dir "$PIN" --cgroup "$CG" load --config
	usage "option '-c' needs a value" --pin-dir "$PIN" --cgroup "$CG" load -c
	usage "option '--cgroup' needs a value" --pin-dir "$PIN" load --cgroup
	usage "option '--pin-dir' needs a value" unload --pin-dir
	usage "option '--config' needs a non-empty value" --config "" --pin-dir "$PIN" --cgroup "$CG" load
	usage "option '--cgroup' needs a non-empty value" --cgroup= --pin-dir "$PIN" load
	usage "option '--pin-dir' needs a non-empty value" --pin-dir "" unload
	usage "option '--pin-dir' given twice" --pin-dir "$PIN" --pin-dir "$PIN" unload
	usage "option '--cgroup' given twice" --cgroup "$CG" --pin-dir "$PIN" load --cgroup "$CG"
	usage "option '--config' given twice" -c "$WORK/good.conf" --config "$WORK/good.conf" \
		--pin-dir "$PIN" --cgroup "$CG" load
	usage "--top takes a number from 0 to 100000" stats --top 100001 --pin-dir "$PIN"
	usage "--top takes a number from 0 to 100000" stats --top -1 --pin-dir "$PIN"
}

@test "command line: options that do not apply to the command" {
	usage "--json does not apply to 'load'" --cgroup "$CG" --pin-dir "$PIN" load --json
	usage "--json does not apply to 'unload'" --pin-dir "$PIN" unload --json
	usage "--json does not apply to 'reload'" --pin-dir "$PIN" reload --json
	usage "--prometheus applies only to 'stats'" --pin-dir "$PIN" status --prometheus
	usage "--reset applies only to 'stats'" --pin-dir "$PIN" unload --reset
	usage "--top applies only to 'stats'" --pin-dir "$PIN" status --top 3
	usage "--json and --prometheus exclude each other" --pin-dir "$PIN" stats --json --prometheus
}

@test "bad --cgroup and --pin-dir are refused before anything is touched" {
	refused 2 "smtpguard: /tmp is not a cgroup v2 directory" \
		"$SG" --config "$WORK/good.conf" --cgroup /tmp --pin-dir "$PIN" load
	refused 2 "smtpguard: cannot open cgroup $WORK/none: No such file or directory" \
		"$SG" --config "$WORK/good.conf" --cgroup "$WORK/none" --pin-dir "$PIN" load
	refused 2 "smtpguard: cannot open cgroup $WORK/good.conf: Not a directory" \
		"$SG" --config "$WORK/good.conf" --cgroup "$WORK/good.conf" --pin-dir "$PIN" load
	local v1
	v1=$(awk '$0 ~ / - cgroup / { print $5; exit }' /proc/self/mountinfo)
	if [ -n "$v1" ]; then
		refused 2 "smtpguard: $v1 is not a cgroup v2 directory" \
			"$SG" --config "$WORK/good.conf" --cgroup "$v1" --pin-dir "$PIN" load
	fi
	refused 2 "smtpguard: pin dir $WORK/pins: $WORK is not a bpf filesystem" \
		"$SG" --config "$WORK/good.conf" --cgroup "$CG" --pin-dir "$WORK/pins" load
	[ ! -e "$WORK/pins" ]
	refused 2 "smtpguard: pin dir $PIN_DOT: bpffs does not allow '.' in names" \
		"$SG" --config "$WORK/good.conf" --cgroup "$CG" --pin-dir "$PIN_DOT" load
	[ ! -e "$PIN_DOT" ]
}

@test "a refused first load or reload leaves no pin dir behind" {
	refused 2 "smtpguard: /tmp is not a cgroup v2 directory" \
		"$SG" --config "$WORK/good.conf" --cgroup /tmp --pin-dir "$PIN_NEW" load
	[ ! -e "$PIN_NEW" ] || { rmdir "$PIN_NEW"; echo "left $PIN_NEW behind"; return 1; }
	refused 3 "smtpguard: not loaded (pin dir $PIN_NEW): use 'smtpguard load'" \
		"$SG" --config "$WORK/good.conf" --pin-dir "$PIN_NEW" reload
	[ ! -e "$PIN_NEW" ] || { rmdir "$PIN_NEW"; echo "left $PIN_NEW behind"; return 1; }
}

@test "load on another cgroup with the same pin dir is refused" {
	refused 2 "smtpguard: already loaded on another cgroup ($CG, id $(stat -c %i "$CG")) with pin dir $PIN: unload first or use another --pin-dir" \
		"$SG" --config "$WORK/good.conf" --cgroup "$CG2" --pin-dir "$PIN" load
}

# What the kernel refuses, as smtpguard explains it (it tries, and names the
# operation and the capability on EPERM; nothing is checked up front).
NO_LOAD="smtpguard: cannot load BPF programs: Operation not permitted (loading needs CAP_BPF and CAP_NET_ADMIN, or CAP_SYS_ADMIN)"
NO_PIN="smtpguard: cannot access pin dir $PIN: Permission denied (the pins are root's: needs root with CAP_BPF, or CAP_SYS_ADMIN)"

@test "not root: load, reload, unload, status exit 1 naming what is missing" {
	refused 1 "$NO_LOAD" nobody "$SG" --config "$WORK/good.conf" --cgroup "$CG" --pin-dir "$PIN" load
	refused 1 "$NO_LOAD" nobody "$SG" --config "$WORK/good.conf" --pin-dir "$PIN" reload
	refused 1 "smtpguard: cannot open lock file /run/smtpguard.lock: Permission denied" \
		nobody "$SG" --pin-dir "$PIN" unload
	# issue 11: no pre-check; the pins' file access is what stops a reader
	refused 1 "$NO_PIN" nobody "$SG" --pin-dir "$PIN" status
	# a config error is reported first, whoever runs it
	printf 'foo = 1\n' >"$WORK/bad.conf"
	chmod 644 "$WORK/bad.conf"
	refused 2 "$WORK/bad.conf:1: unknown key 'foo'" \
		nobody "$SG" --config "$WORK/bad.conf" --cgroup "$CG" --pin-dir "$PIN" load
	# check-config needs no privilege
	run nobody "$SG" check-config "$WORK/good.conf"
	[ "$status" -eq 0 ]
	unchanged
}

@test "root without capabilities: exit 1 naming what is missing" {
	refused 1 "$NO_LOAD" setpriv --bounding-set=-all --inh-caps=-all \
		"$SG" --config "$WORK/good.conf" --cgroup "$CG" --pin-dir "$PIN" load
	refused 1 "$NO_LOAD" setpriv --bounding-set=-all --inh-caps=-all \
		"$SG" --config "$WORK/good.conf" --pin-dir "$PIN" reload
	# (unload and the readers without capabilities: 22-prometheus.bats)
	unchanged
}

# capbpf CMD...: CMD with CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON only (no
# CAP_SYS_ADMIN), also across exec.
capbpf() {
	local caps=-all,+bpf,+net_admin,+perfmon
	setpriv --bounding-set="$caps" --inh-caps="$caps" --ambient-caps="$caps" "$@"
}

@test "CAP_BPF + CAP_NET_ADMIN + CAP_PERFMON, no CAP_SYS_ADMIN: a first load works; over programs it cannot read, one line" {
	[ "$(cat /proc/sys/kernel/cap_last_cap)" -ge 39 ] ||
		skip "no CAP_BPF in this kernel (before 5.8): loading needs CAP_SYS_ADMIN"
	mkdir "$CG-cb"
	run capbpf "$SG" --config "$WORK/good.conf" --cgroup "$CG-cb" --pin-dir "${PIN}cb" load
	[ "$status" -eq 0 ] || { echo "$output"; "$SG" --cgroup "$CG-cb" --pin-dir "${PIN}cb" unload; rmdir "$CG-cb"; return 1; }
	[ "$output" = "smtpguard: loaded (enforce) on $CG-cb: 1 port, 2 users, 1 group, 2 destinations" ]
	local progs
	progs=$(bpftool cgroup show "$CG-cb")
	# a load or reload over attached programs must tell its own by id:
	# the kernel refuses that without CAP_SYS_ADMIN, so they stop before
	# any change; status reaches the programs through the pins (issue 11)
	local no_read="smtpguard: cannot read the programs attached to $CG-cb: Operation not permitted (finding BPF programs by id needs CAP_SYS_ADMIN)"
	run capbpf "$SG" --config "$WORK/good.conf" --cgroup "$CG-cb" --pin-dir "${PIN}cb" load
	local load_status=$status load_output=$output
	run capbpf "$SG" --config "$WORK/good.conf" --pin-dir "${PIN}cb" reload
	local reload_status=$status reload_output=$output
	run capbpf "$SG" --pin-dir "${PIN}cb" status
	local status_status=$status status_output=$output
	local after
	after=$(bpftool cgroup show "$CG-cb")
	run "$SG" --cgroup "$CG-cb" --pin-dir "${PIN}cb" unload
	rmdir "$CG-cb"
	[ "$status" -eq 0 ]
	[ "$load_status" -eq 1 ] && [[ "$load_output" != *$'\n'* ]] &&
		[[ "$load_output" == "$no_read" || "$load_output" == "smtpguard: cannot open BPF program "*": Operation not permitted (finding BPF programs by id needs CAP_SYS_ADMIN)" ]] ||
		{ echo "load: $load_status $load_output"; return 1; }
	[ "$reload_status" -eq 1 ] && [ "$reload_output" = "$no_read" ] || { echo "reload: $reload_status $reload_output"; return 1; }
	[ "$status_status" -eq 0 ] && [[ "$status_output" == "status:              loaded"* ]] &&
		[[ "$status_output" != *"not verified"* ]] || { echo "status: $status_status $status_output"; return 1; }
	[ "$(grep -c sg_connect <<<"$progs")" -eq 2 ]
	[ "$after" = "$progs" ] || { echo "changed: $progs -> $after"; return 1; }
	unchanged
}

@test "after all refused commands the old policy is still enforced" {
	unchanged
	run try "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 10 ]
	run try "$U_ALLOWED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
	run try "$U_DENIED" "$G_PLAIN" 127.0.0.1 "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
}
