#!/usr/bin/env bats
# Configs as they are found in the field (issue 9, "Names" and "Small holes"):
# - a stale or not-yet-resolvable name in allow_users/allow_groups is skipped
#   by load and reload with one warning line, the rest is enforced and status
#   shows what was skipped; check-config still refuses it (exit 2);
# - redirect_to on a port any user may bind is a config error;
# - warnings for a config writable by others than root, for an allowed id
#   inside a subordinate id range, and for supplementary members of an
#   allowed group (who can `sg`/`newgrp` into it).

load lib
bats_require_minimum_version 1.5.0

setup_file() {
	world_up f
	# the names this file relies on not existing
	if getent passwd nosuchuser >/dev/null || getent group nosuchgroup >/dev/null; then
		echo "nosuchuser or nosuchgroup exists on this host" >&2
		return 1
	fi
	# accounts made for the supplementary-member test (removed in teardown)
	export T_GROUP="sgt$$g" T_MEMBER="sgt$$m" T_ALLOWED_MEMBER="sgt$$a"
}

teardown_file() {
	local u
	for u in "$T_MEMBER" "$T_ALLOWED_MEMBER"; do
		getent passwd "$u" >/dev/null && retry userdel "$u"
	done
	getent group "$T_GROUP" >/dev/null && retry groupdel "$T_GROUP"
	world_down
}

# retry CMD...: user/group tools fail while another process holds the
# /etc/passwd or /etc/group lock; try for a few seconds.
retry() {
	local i
	for i in $(seq 50); do
		"$@" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "failed: $*" >&2
	return 1
}

# free_id: an id that is neither a UID nor a GID here, and none of the test
# ids (an account made with a test id would change what the tests judge).
free_id() {
	local i
	for i in $(seq 39000 39999); do
		getent passwd "$i" >/dev/null || getent group "$i" >/dev/null || { echo "$i"; return; }
	done
	return 1
}

# load_with FILE [CMD]: load (or reload) FILE into the test world.
load_with() {
	if [ "${2:-load}" = load ]; then
		"$SG" --config "$1" --cgroup "$CG" --pin-dir "$PIN" load
	else
		"$SG" --config "$1" --pin-dir "$PIN" reload
	fi
}

# field_enforced: enforced (lib.bash), and root, which every policy here
# allows, connects too.
field_enforced() {
	enforced || return 1
	run try 0 0 "$MX6" "$SG_TEST_PORT"
	[ "$status" -eq 0 ] || { echo "root: got $status: $output"; return 1; }
}

# nothing_attached: no program on the test cgroup, status says not loaded.
nothing_attached() {
	run bpftool cgroup show "$CG"
	[ "$status" -eq 0 ]
	if grep -q connect <<<"$output"; then
		echo "something is attached: $output"
		return 1
	fi
	run "$SG" status --pin-dir "$PIN"
	[ "$status" -eq 3 ]
}

# warnings OUTPUT: the lines of OUTPUT that are warnings.
warnings() {
	grep 'warning' <<<"$1" || true
}

@test "load skips an unknown user and group with one warning each and enforces the rest" {
	local f="$WORK/names.conf"
	write_config "$f" "ports = $SG_TEST_PORT" "allow_users = root, nosuchuser, $U_ALLOWED" \
		"allow_groups = nosuchgroup, $G_ALLOWED"
	run load_with "$f"
	[ "$status" -eq 0 ]
	[ "$(warnings "$output")" = "$f:2: warning: unknown user 'nosuchuser' (skipped)
$f:3: warning: unknown group 'nosuchgroup' (skipped)" ]
	[[ "$output" == *"smtpguard: loaded (enforce)"*"2 users, 1 group"* ]]
	field_enforced
	run try "$U_GROUPED" "$G_ALLOWED" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
}

@test "status shows what load skipped (text and JSON)" {
	run "$SG" status --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	grep -qx "allow users: *root(0) $U_ALLOWED" <<<"$output"
	grep -qx "skipped: *user nosuchuser (names.conf:2), group nosuchgroup (names.conf:3)" <<<"$output"
	run "$SG" status --json --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	/usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["skipped"] == "user nosuchuser (names.conf:2), group nosuchgroup (names.conf:3)", d' "$output"
}

@test "reload skips an unknown name too; a clean reload clears the skipped line" {
	local f="$WORK/reload.conf"
	write_config "$f" "# stale account below" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED, nosuchuser"
	run load_with "$f" reload
	[ "$status" -eq 0 ]
	[ "$(warnings "$output")" = "$f:3: warning: unknown user 'nosuchuser' (skipped)" ]
	[[ "$output" == *"policy updated"* ]]
	field_enforced
	run "$SG" status --pin-dir "$PIN"
	grep -qx "skipped: *user nosuchuser (reload.conf:3)" <<<"$output"
	write_config "$f" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED"
	run load_with "$f" reload
	[ "$status" -eq 0 ]
	[ -z "$(warnings "$output")" ]
	run "$SG" status --pin-dir "$PIN"
	[ "$status" -eq 0 ]
	run ! grep -q "skipped" <<<"$output"
	run "$SG" status --json --pin-dir "$PIN"
	run ! grep -q '"skipped"' <<<"$output"
	field_enforced
}

@test "check-config still refuses an unknown name (exit 2, one line)" {
	local f="$WORK/names.conf"
	run "$SG" check-config "$f"
	[ "$status" -eq 2 ]
	[ "$output" = "$f:2: unknown user 'nosuchuser'" ]
	write_config "$WORK/group.conf" "allow_groups = nosuchgroup"
	run "$SG" check-config --json --config "$WORK/group.conf"
	[ "$status" -eq 2 ]
	[ "$output" = "$WORK/group.conf:1: unknown group 'nosuchgroup'" ]
}

@test "redirect_to on a port any user may bind: exit 2 for load, reload and check-config" {
	local f="$WORK/redirect.conf" start want
	start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start 2>/dev/null || echo 1024)
	[ "$start" -le 2525 ] || skip "ip_unprivileged_port_start is $start here"
	want="$f:3: redirect_to port 2525 can be bound by any user (>= net.ipv4.ip_unprivileged_port_start = $start): a local user could harvest redirected mail and credentials"
	write_config "$f" "ports = $SG_TEST_PORT" "mode = redirect" "redirect_to = 127.0.0.1:2525"
	run "$SG" check-config "$f"
	[ "$status" -eq 2 ]
	[ "$output" = "$want" ]
	# reload of the loaded world: refused, the running policy stays
	run load_with "$f" reload
	[ "$status" -eq 2 ]
	[ "$output" = "$want" ]
	run "$SG" status --pin-dir "$PIN"
	grep -qx "mode: *enforce" <<<"$output"
	# first load: the config is unusable, so the built-in default policy
	# is enforced instead (fail closed), still exit 2
	"$SG" unload --pin-dir "$PIN"
	nothing_attached
	run load_with "$f"
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "$want" ]
	grep -qx "smtpguard: the config is unusable: enforcing the built-in default policy instead" <<<"$output"
	run "$SG" status --pin-dir "$PIN"
	grep -qx "mode: *enforce" <<<"$output"
	"$SG" unload --pin-dir "$PIN"
	# a privileged port is fine
	write_config "$f" "ports = $SG_TEST_PORT" "mode = redirect" "redirect_to = 127.0.0.1:$SG_TEST_PORT"
	run "$SG" check-config "$f"
	[ "$status" -eq 0 ]
}

@test "a config (or its directory) writable by others than root: a warning, loaded anyway" {
	local d="$WORK/confdir" f="$WORK/confdir/smtpguard.conf"
	mkdir -p "$d"
	chmod 755 "$d"
	write_config "$f" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED"
	chmod 644 "$f"
	run load_with "$f"
	[ "$status" -eq 0 ]
	[ -z "$(warnings "$output")" ] || { echo "unexpected: $output"; return 1; }
	chmod 664 "$f"
	run load_with "$f"
	[ "$status" -eq 0 ]
	[ "$(warnings "$output")" = "smtpguard: warning: config $f can be changed by someone other than root (group-writable (gid 0)): whoever can write it decides who may send mail; make it root's and not group- or world-writable" ]
	field_enforced
	chmod 644 "$f"
	chown 65534 "$f"
	chmod 777 "$d"
	run load_with "$f" reload
	[ "$status" -eq 0 ]
	[ "$(warnings "$output")" = "smtpguard: warning: config $f can be changed by someone other than root (owner uid 65534): whoever can write it decides who may send mail; make it root's and not group- or world-writable
smtpguard: warning: directory $d of config $f can be changed by someone other than root (group-writable (gid 0), world-writable): whoever can write it can replace the config; make it root's and not group- or world-writable" ]
	field_enforced
	# check-config does not audit the host (a config repo's CI)
	run "$SG" check-config "$f"
	[ "$status" -eq 0 ]
	[ -z "$(warnings "$output")" ]
}

@test "an allowed UID or GID inside a subordinate id range: a warning naming the owner" {
	local f="$WORK/subid.conf"
	write_config "$f" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED" "allow_groups = $G_ALLOWED"
	# exact ends: a range ending just below an allowed id, one starting
	# just above, and one that holds it as its last id
	printf '%s\n' "# test ranges" "below:1000:$((U_ALLOWED - 1000))" \
		"above:$((U_ALLOWED + 1)):65536" "holder:$((U_ALLOWED - 9)):10" >"$WORK/subuid"
	printf '%s\n' "ghost:$G_ALLOWED:1" >"$WORK/subgid"
	SMTPGUARD_SUBUID_FILE="$WORK/subuid" SMTPGUARD_SUBGID_FILE="$WORK/subgid" \
		run load_with "$f" reload
	[ "$status" -eq 0 ]
	[ "$(warnings "$output")" = "smtpguard: warning: allowed UID $U_ALLOWED lies in the subordinate UID range $((U_ALLOWED - 9))-$U_ALLOWED of 'holder' in $WORK/subuid: 'holder' can become UID $U_ALLOWED in a user namespace (newuidmap) and pass
smtpguard: warning: allowed GID $G_ALLOWED lies in the subordinate GID range $G_ALLOWED-$G_ALLOWED of 'ghost' in $WORK/subgid: 'ghost' can become GID $G_ALLOWED in a user namespace (newgidmap) and pass" ]
	field_enforced
	# no range holds an allowed id: no warning (root, 0, is checked too)
	printf '%s\n' "below:1:$((U_ALLOWED - 1))" >"$WORK/subuid"
	printf '%s\n' "x:$((G_ALLOWED + 1)):5" >"$WORK/subgid"
	SMTPGUARD_SUBUID_FILE="$WORK/subuid" SMTPGUARD_SUBGID_FILE="$WORK/subgid" \
		run load_with "$f" reload
	[ "$status" -eq 0 ]
	[ -z "$(warnings "$output")" ] || { echo "unexpected: $output"; return 1; }
	printf '%s\n' "everyone:0:4294967295" >"$WORK/subuid"
	SMTPGUARD_SUBUID_FILE="$WORK/subuid" SMTPGUARD_SUBGID_FILE="$WORK/subgid" \
		run load_with "$f" reload
	[ "$status" -eq 0 ]
	[ "$(warnings "$output" | grep -c "subordinate UID range 0-4294967294 of 'everyone'")" -eq 2 ]
	grep -q "allowed UID 0 (root) lies in" <<<"$output"
}

@test "a non-allowed supplementary member of an allowed group: a warning (sg/newgrp)" {
	local f="$WORK/members.conf" gid uid
	gid=$(free_id)
	retry groupadd -g "$gid" "$T_GROUP"
	uid=$(free_id)
	retry useradd -M -N -u "$uid" -g 65534 -s /usr/sbin/nologin -G "$T_GROUP" "$T_MEMBER"
	retry useradd -M -N -u "$(free_id)" -g 65534 -s /usr/sbin/nologin -G "$T_GROUP" \
		"$T_ALLOWED_MEMBER"
	write_config "$f" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED, $T_ALLOWED_MEMBER" \
		"allow_groups = $T_GROUP"
	run load_with "$f" reload
	[ "$status" -eq 0 ]
	[ "$(warnings "$output")" = "smtpguard: warning: group $T_GROUP ($gid) has supplementary members that are not allowed: $T_MEMBER; 'sg $T_GROUP' or 'newgrp $T_GROUP' makes it their primary group, so they pass" ]
	field_enforced
	# why it matters: the member is refused as itself, and passes after sg
	run try "$uid" 65534 "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 10 ]
	run as "$uid" 65534 sg "$T_GROUP" -c "$WORK/sgconnect $MX4 $SG_TEST_PORT"
	[ "$status" -eq 0 ]
	[ "$output" = "connected 220 remote $SG_TEST_PORT" ]
}
