#!/usr/bin/env bats
# Issue 10 (part B): conf.d drop-ins beside the config file, and `explain`,
# whose verdict must be what the kernel does: a matrix of users x
# destinations x ports x families (IPv4, IPv6, IPv4-mapped) is connected for
# real in the test world and compared cell by cell with explain's verdict.

load lib

setup_file() {
	world_up x
	mkdir -p "$WORK/cfg/conf.d"
	# the main file guards one test port; a drop-in adds a port and a user,
	# another adds a group; a disabled and a hidden file are ignored
	write_config "$WORK/cfg/sg.conf" \
		"ports = $SG_TEST_PORT" \
		"allow_users = root" \
		"allow_groups =" \
		"allow_destinations = 127.0.0.0/8, ::1"
	write_config "$WORK/cfg/conf.d/10-panel.conf" \
		"# written by a hosting panel" \
		"allow_users = $U_ALLOWED" \
		"ports = $SG_TEST_PORT2"
	write_config "$WORK/cfg/conf.d/20-groups.conf" "allow_groups = $G_ALLOWED"
	write_config "$WORK/cfg/conf.d/30-off.conf.disabled" "allow_users = $U_DENIED"
	write_config "$WORK/cfg/conf.d/.40-hidden.conf" "allow_users = $U_DENIED"
	"$SG" --config "$WORK/cfg/sg.conf" --cgroup "$CG" --pin-dir "$PIN" load
}

teardown_file() {
	world_down
}

# xp ARGS: explain against this world's enforcement and config
xp() {
	"$SG" --config "$WORK/cfg/sg.conf" --cgroup "$CG" --pin-dir "$PIN" explain "$@"
}

@test "conf.d: drop-ins add up with the main file, in lexical order; others ignored" {
	run "$SG" --config "$WORK/cfg/sg.conf" --cgroup "$CG" --pin-dir "$PIN" status
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "^ports: *$SG_TEST_PORT $SG_TEST_PORT2$" <<<"$output"
	grep -q "^allow users: .*$U_ALLOWED" <<<"$output"
	grep -q "^allow groups: .*$G_ALLOWED" <<<"$output"
	run grep -q "$U_DENIED" <<<"$(grep "^allow users:" <<<"$output")"
	[ "$status" -ne 0 ]
	# and the kernel enforces the drop-ins' entries
	run try "$U_ALLOWED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT2"
	[ "$status" -eq 0 ]
	run try "$U_GROUPED" "$G_ALLOWED" "$MX6" "$SG_TEST_PORT2"
	[ "$status" -eq 0 ]
	run try "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT2"
	[ "$status" -eq 10 ]
}

@test "conf.d: check-config reads the drop-ins too, and names them" {
	run "$SG" check-config "$WORK/cfg/sg.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "^ports: *$SG_TEST_PORT $SG_TEST_PORT2$" <<<"$output"
	grep -qx "drop-ins: *$WORK/cfg/conf.d/10-panel.conf" <<<"$output"
	grep -qx " *$WORK/cfg/conf.d/20-groups.conf" <<<"$output"
	run "$SG" check-config "$WORK/cfg/sg.conf" --json
	/usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["drop_ins"] == [sys.argv[2] + "/10-panel.conf", sys.argv[2] + "/20-groups.conf"], d' \
		"$output" "$WORK/cfg/conf.d"
}

# verdict_of_connect UID GID DST PORT: what the kernel did: refused (EPERM)
# or allowed (connected, or refused by the peer: nothing listens there)
verdict_of_connect() {
	run try "$1" "$2" "$3" "$4"
	case "$status" in
	10) echo refused ;;
	0 | 11) echo allowed ;;
	*) echo "unexpected sgconnect exit $status: $output" ;;
	esac
}

@test "explain's verdict equals the kernel's in every cell of users x destinations x ports x families" {
	local who dst port kernel said cells=0 bad=0
	for who in "$U_DENIED $G_PLAIN" "$U_ALLOWED $G_PLAIN" "$U_GROUPED $G_ALLOWED" "0 0"; do
		set -- $who
		for dst in "$MX4" "$MX6" "::ffff:$MX4" 127.0.0.1 ::1 ::ffff:127.0.0.1; do
			for port in "$SG_TEST_PORT" "$SG_TEST_PORT2" "$SG_TEST_OPEN_PORT"; do
				target="$dst:$port"
				[[ "$dst" == *:* ]] && target="[$dst]:$port"
				kernel=$(verdict_of_connect "$1" "$2" "$dst" "$port")
				said=$(xp --user "$1" --group "$2" "$target" --json |
					/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])')
				cells=$((cells + 1))
				if [ "$kernel" != "$said" ]; then
					echo "uid $1 gid $2 $target: kernel $kernel, explain $said"
					bad=$((bad + 1))
				fi
			done
		done
	done
	echo "$cells cells, $bad differ"
	[ "$cells" -eq 72 ]
	[ "$bad" -eq 0 ]
	# the matrix saw both verdicts (a test that cannot fail is no test)
	[ "$(verdict_of_connect "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT")" = refused ]
}

@test "explain in audit mode: audited, and the kernel lets the connect through" {
	write_config "$WORK/audit.conf" "ports = $SG_TEST_PORT" "allow_users = root" "mode = audit"
	run "$SG" --config "$WORK/audit.conf" --pin-dir "$PIN" reload
	[ "$status" -eq 0 ]
	run "$SG" --config "$WORK/audit.conf" --cgroup "$CG" --pin-dir "$PIN" explain \
		--user "$U_DENIED" --group "$G_PLAIN" "$MX4:$SG_TEST_PORT"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "audited: $MX4:$SG_TEST_PORT — port $SG_TEST_PORT guarded; destination not allowed; uid $U_DENIED not in allow_users; gid $G_PLAIN not in allow_groups; mode audit" ]
	run try "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 0 ]
	run "$SG" --config "$WORK/cfg/sg.conf" --pin-dir "$PIN" reload
	[ "$status" -eq 0 ]
}

@test "explain in redirect mode: redirected, with the target, and the kernel sends the connect there" {
	write_config "$WORK/redirect.conf" "ports = $SG_TEST_PORT" "allow_users = root" "mode = redirect" \
		"redirect_to = 127.0.0.1:$SG_TEST_PORT, [::1]:$SG_TEST_PORT"
	run "$SG" --config "$WORK/redirect.conf" --pin-dir "$PIN" reload
	[ "$status" -eq 0 ]
	local dst target
	for dst in "$MX4" "$MX6" "::ffff:$MX4"; do
		target="$dst:$SG_TEST_PORT"
		[[ "$dst" == *:* ]] && target="[$dst]:$SG_TEST_PORT"
		run "$SG" --config "$WORK/redirect.conf" --cgroup "$CG" --pin-dir "$PIN" explain \
			--user "$U_DENIED" --group "$G_PLAIN" "$target" --json
		echo "$output"
		[ "$status" -eq 0 ]
		want=127.0.0.1:$SG_TEST_PORT
		[ "$dst" = "$MX6" ] && want="[::1]:$SG_TEST_PORT"
		/usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["verdict"] == "redirected" and d["redirect_to"] == sys.argv[2], d' "$output" "$want"
		run try "$U_DENIED" "$G_PLAIN" "$dst" "$SG_TEST_PORT"
		echo "$output"
		[ "$status" -eq 0 ]
		[ "$output" = "connected 220 local $SG_TEST_PORT" ]
	done
	run "$SG" --config "$WORK/cfg/sg.conf" --pin-dir "$PIN" reload
	[ "$status" -eq 0 ]
}

@test "explain text: the rule and the config line it comes from (main file or drop-in)" {
	run xp --user "$U_ALLOWED" --group "$G_PLAIN" "$MX4:$SG_TEST_PORT"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "allowed: $MX4:$SG_TEST_PORT — uid $U_ALLOWED in allow_users (conf.d/10-panel.conf:2)" ]
	run xp --user 0 "[::ffff:127.0.0.1]:$SG_TEST_PORT"
	[ "$output" = "allowed: [::ffff:127.0.0.1]:$SG_TEST_PORT — destination 127.0.0.0/8 in allow_destinations (IPv4-mapped address, judged as IPv4) (sg.conf:4)" ]
	run xp --user 0 "$MX4:$SG_TEST_PORT"
	[ "$output" = "allowed: $MX4:$SG_TEST_PORT — uid 0 (root) in allow_users (sg.conf:2)" ]
	run xp --user "$U_DENIED" --group "$G_PLAIN" "$MX4:$SG_TEST_OPEN_PORT"
	[ "$output" = "allowed: $MX4:$SG_TEST_OPEN_PORT — port $SG_TEST_OPEN_PORT not guarded" ]
	run xp --user "$U_DENIED" --group "$G_PLAIN" "[$MX6]:$SG_TEST_PORT2"
	[ "$status" -eq 0 ]
	[ "$output" = "refused: [$MX6]:$SG_TEST_PORT2 — port $SG_TEST_PORT2 guarded; destination not allowed; uid $U_DENIED not in allow_users; gid $G_PLAIN not in allow_groups; mode enforce" ]
}

@test "explain --json: verdict, rule, step, source through the JSON writer" {
	run xp --user "$U_GROUPED" --group "$G_ALLOWED" "[$MX6]:$SG_TEST_PORT" --json
	echo "$output"
	[ "$status" -eq 0 ]
	/usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["verdict"] == "allowed" and d["step"] == "group", d
assert d["rule"] == "gid %s in allow_groups" % sys.argv[2], d
assert d["source"] == "conf.d/20-groups.conf:1", d
assert d["uid"] == int(sys.argv[3]) and d["family"] == 6 and d["ipv4_mapped"] is False, d
assert d["redirect_to"] is None, d' "$output" "$G_ALLOWED" "$U_GROUPED"
}

@test "explain: a config changed since load is said, the verdict stays the kernel's" {
	cp "$WORK/cfg/conf.d/10-panel.conf" "$WORK/panel.bak"
	write_config "$WORK/cfg/conf.d/10-panel.conf" "ports = $SG_TEST_PORT2"
	run xp --user "$U_ALLOWED" --group "$G_PLAIN" "$MX4:$SG_TEST_PORT"
	cp "$WORK/panel.bak" "$WORK/cfg/conf.d/10-panel.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "allowed: $MX4:$SG_TEST_PORT — uid $U_ALLOWED in allow_users (not in $WORK/cfg/sg.conf any more)" ]
	write_config "$WORK/cfg/conf.d/50-more.conf" "allow_users = 4242"
	run xp --user 0 "$MX4:$SG_TEST_PORT"
	rm -f "$WORK/cfg/conf.d/50-more.conf"
	[ "$output" = "allowed: $MX4:$SG_TEST_PORT — uid 0 (root) in allow_users (sg.conf:2; that config differs from the loaded policy)" ]
}

@test "explain: exit 3 when not loaded, 2 for usage errors" {
	run "$SG" --pin-dir "/sys/fs/bpf/sgt-none-$$" --cgroup "$CG" explain "$MX4:25"
	echo "$output"
	[ "$status" -eq 3 ]
	[ "$output" = "smtpguard: not loaded (pin dir /sys/fs/bpf/sgt-none-$$): nothing to explain" ]
	run xp "$MX4"
	[ "$status" -eq 2 ]
	[ "$output" = "smtpguard: explain: '$MX4' is not DEST:PORT (IPv6 in brackets: [2001:db8::1]:25)" ]
	run xp --user no-such-user-sgtest "$MX4:25"
	[ "$status" -eq 2 ]
	[ "$output" = "smtpguard: explain: unknown user 'no-such-user-sgtest'" ]
	run xp --user 4000000 "$MX4:25"
	[ "$status" -eq 2 ]
	[ "$output" = "smtpguard: explain: uid 4000000 has no passwd entry to take its group from: give --group" ]
	run "$SG" explain
	[ "$status" -eq 2 ]
	[ "$output" = "smtpguard: explain needs DEST:PORT (try --help)" ]
	run "$SG" status --user 0
	[ "$status" -eq 2 ]
	run xp --cgroup-path /no/such/cgroup-sgtest --user 0 "$MX4:25"
	[ "$status" -eq 2 ]
	[[ "$output" == "smtpguard: explain: --cgroup-path /no/such/cgroup-sgtest: no such cgroup ("* ]]
}

@test "conf.d: an error in a drop-in names its FILE:LINE; reload keeps the running policy" {
	write_config "$WORK/cfg/conf.d/60-a.conf" "mode = audit"
	write_config "$WORK/cfg/conf.d/70-b.conf" "# b" "mode = enforce"
	run "$SG" --config "$WORK/cfg/sg.conf" --pin-dir "$PIN" reload
	rm -f "$WORK/cfg/conf.d/60-a.conf" "$WORK/cfg/conf.d/70-b.conf"
	echo "$output"
	[ "$status" -eq 2 ]
	[ "$output" = "$WORK/cfg/conf.d/70-b.conf:2: 'mode' is set twice (first at $WORK/cfg/conf.d/60-a.conf:1)" ]
	run "$SG" --cgroup "$CG" --pin-dir "$PIN" status
	grep -q "^ports: *$SG_TEST_PORT $SG_TEST_PORT2$" <<<"$output"
	grep -q "^mode: *enforce$" <<<"$output"
	run try "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT2"
	[ "$status" -eq 10 ]
}

@test "conf.d: a drop-in that cannot be read fails the reload like the main file" {
	mkdir "$WORK/cfg/conf.d/80-dir.conf"
	run "$SG" --config "$WORK/cfg/sg.conf" --pin-dir "$PIN" reload
	rmdir "$WORK/cfg/conf.d/80-dir.conf"
	echo "$output"
	[ "$status" -eq 2 ]
	[ "$output" = "$WORK/cfg/conf.d/80-dir.conf: not a regular file of at most 16777216 bytes" ]
}

@test "conf.d: a world-writable conf.d or drop-in is warned about, as the main file is" {
	chmod 0757 "$WORK/cfg/conf.d"
	chmod 0646 "$WORK/cfg/conf.d/20-groups.conf"
	run "$SG" --config "$WORK/cfg/sg.conf" --pin-dir "$PIN" reload
	chmod 0755 "$WORK/cfg/conf.d"
	chmod 0644 "$WORK/cfg/conf.d/20-groups.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx "smtpguard: warning: directory $WORK/cfg/conf.d of config $WORK/cfg/sg.conf can be changed by someone other than root (world-writable): whoever can write it can replace the config; make it root's and not group- or world-writable" <<<"$output"
	grep -qx "smtpguard: warning: config $WORK/cfg/conf.d/20-groups.conf can be changed by someone other than root (world-writable): whoever can write it decides who may send mail; make it root's and not group- or world-writable" <<<"$output"
}

# it unloads this world's enforcement: the tests after it need none
@test "conf.d: a first load with a bad drop-in enforces the built-in default, exit 2" {
	run "$SG" --cgroup "$CG" --pin-dir "$PIN" unload
	[ "$status" -eq 0 ]
	write_config "$WORK/cfg/conf.d/90-bad.conf" "" "" "no equals sign"
	run "$SG" --config "$WORK/cfg/sg.conf" --cgroup "$CG" --pin-dir "$PIN" load
	rm -f "$WORK/cfg/conf.d/90-bad.conf"
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "$WORK/cfg/conf.d/90-bad.conf:3: expected 'key = value', got 'no equals sign'" ]
	grep -qx "smtpguard: the config is unusable: enforcing the built-in default policy instead" <<<"$output"
	run "$SG" --cgroup "$CG" --pin-dir "$PIN" status
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "^ports: *25$" <<<"$output"
	# judged by explain only: the suite connects to no real SMTP port
	run xp --user "$U_DENIED" --group "$G_PLAIN" "$MX4:25"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "refused: $MX4:25 — port 25 guarded; destination not allowed; uid $U_DENIED not in allow_users;"* ]]
}

# A csf.conf in CSF's own format (the SMTP section as csf ships it, with
# its comments, quoting and other sections around it).
write_csf_conf() {
	cat >"$1" <<'CSF'
###############################################################################
# SECTION:Initial Settings
###############################################################################
TESTING = "0"
TCP_IN = "20,21,22,25,53,80,110,143,443,465,587,993,995"
IPV6 = "1"

###############################################################################
# SECTION:SMTP Settings
###############################################################################
# Block outgoing SMTP except for root, exim and mailman (forces scripts/users
# to use the exim/sendmail binary instead of sockets access). This replaces the
# protection as WHM > Tweak Settings > SMTP Tweaks
SMTP_BLOCK = "1"

# If SMTP_BLOCK is enabled but you want to allow local connections to port 25
# on the server (e.g. for webmail or web scripts) then enable this option to
# allow outgoing SMTP connections to the loopback device
SMTP_ALLOWLOCAL = "1"

# This option redirects outgoing SMTP connections destined for remote servers
# for non-bypass users to the local SMTP server to force local relaying of
# email. Such email may require authentication (SMTP AUTH)
SMTP_REDIRECT = "0"

# This is a comma separated list of the ports to block. You should list all
# ports that exim is configured to listen on
SMTP_PORTS = "25,465,587"

# Always allow the following comma separated users and groups to bypass
# SMTP_BLOCK
#
# Note: root (UID:0) is always allowed
SMTP_ALLOWUSER = "nobody,no-such-user-sgtest"
SMTP_ALLOWGROUP = "mail,no-such-group-sgtest"
CSF
}

@test "import-csf: a csf.conf in CSF's format becomes a config that check-config accepts" {
	write_csf_conf "$WORK/csf.conf"
	run "$SG" import-csf "$WORK/csf.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx "ports = 25, 465, 587" <<<"$output"
	grep -qx "allow_users = root, nobody" <<<"$output"
	grep -qx "allow_groups = mail" <<<"$output"
	grep -qx "allow_destinations = 127.0.0.0/8, ::1" <<<"$output"
	grep -qx "mode = enforce" <<<"$output"
	grep -qx "# SMTP_ALLOWUSER item 'no-such-user-sgtest' not carried over: no such user here (csf skips it too)" <<<"$output"
	mkdir -p "$WORK/imported"
	printf '%s\n' "$output" >"$WORK/imported/smtpguard.conf"
	run "$SG" check-config "$WORK/imported/smtpguard.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "^ports: *25 465 587$" <<<"$output"
	# SMTP_BLOCK off and redirect on: audit mode, said in a comment; still valid
	sed -i 's/^SMTP_BLOCK = "1"/SMTP_BLOCK = "0"/; s/^SMTP_REDIRECT = "0"/SMTP_REDIRECT = "1"/' "$WORK/csf.conf"
	"$SG" import-csf "$WORK/csf.conf" >"$WORK/imported/smtpguard.conf"
	grep -qx "mode = audit" "$WORK/imported/smtpguard.conf"
	run "$SG" check-config "$WORK/imported/smtpguard.conf"
	[ "$status" -eq 0 ]
}

@test "import-csf: an unreadable or malformed csf.conf is one line, exit 2" {
	run "$SG" import-csf "$WORK/no-csf.conf"
	[ "$status" -eq 2 ]
	[ "$output" = "smtpguard: $WORK/no-csf.conf: cannot read the csf config: No such file or directory" ]
	printf 'SMTP_BLOCK = 1\n' >"$WORK/bad-csf.conf"
	run "$SG" import-csf "$WORK/bad-csf.conf"
	[ "$status" -eq 2 ]
	[ "$output" = "smtpguard: $WORK/bad-csf.conf:1: SMTP_BLOCK: the value must be in double quotes (csf refuses this line too)" ]
	run "$SG" import-csf "$WORK/a" "$WORK/b"
	[ "$status" -eq 2 ]
}

# The cPanel hook, run as cPanel runs it: the hook input on stdin, a fake
# smtpguard first on PATH that records its arguments and answers with
# FAKE_RC; the result is read from stdout ("1 message"), exit status 0.
HOOK="$TOP/scripts/cpanel/smtpguard-cpanel-hook"

fake_smtpguard() {
	mkdir -p "$WORK/fakebin"
	cat >"$WORK/fakebin/smtpguard" <<'FAKE'
#!/bin/sh
echo "$*" >>"$WORK/fake-calls"
[ "${FAKE_RC:-0}" -eq 0 ] || echo "smtpguard: /etc/smtpguard/smtpguard.conf:3: unknown key 'x'" >&2
exit "${FAKE_RC:-0}"
FAKE
	chmod 755 "$WORK/fakebin/smtpguard"
	rm -f "$WORK/fake-calls"
}

# hook_input EVENT DATA: the JSON cPanel writes to a script hook's stdin
hook_input() {
	printf '{"context":{"category":"Whostmgr","event":"%s","stage":"post","point":"main"},"data":%s,"hook":{"hook":"%s","exectype":"script","stage":"post"}}' \
		"$1" "$2" "$HOOK"
}

run_hook() {
	run env PATH="$WORK/fakebin:$PATH" WORK="$WORK" FAKE_RC="${FAKE_RC:-0}" sh -c '"$1" 2>"$2"' sh "$HOOK" "$WORK/hook.err"
}

@test "cPanel hook: account create, remove and rename each run 'smtpguard reload' once" {
	fake_smtpguard
	hook_input Accounts::Create '{"user":"alice","domain":"example.com","contactemail":"a@example.com"}' >"$WORK/in"
	run_hook <"$WORK/in"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "1 smtpguard reloaded after Accounts::Create" ]
	hook_input Accounts::Remove '{"user":"alice","killdns":1}' >"$WORK/in"
	run_hook <"$WORK/in"
	[ "$output" = "1 smtpguard reloaded after Accounts::Remove" ]
	hook_input Accounts::Modify '{"user":"alice","newuser":"alice2"}' >"$WORK/in"
	run_hook <"$WORK/in"
	[ "$output" = "1 smtpguard reloaded after Accounts::Modify" ]
	[ "$(cat "$WORK/fake-calls")" = "$(printf 'reload\nreload\nreload')" ]
}

@test "cPanel hook: malformed or empty input and a failing reload never block the account action" {
	fake_smtpguard
	printf '{"context": {"event": "Accounts::Cre' >"$WORK/in"
	run_hook <"$WORK/in"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "1 smtpguard reloaded after an account change (event not readable from the hook input)" ]
	run_hook </dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == "1 smtpguard reloaded after "* ]]
	[ "$(wc -l <"$WORK/fake-calls")" -eq 2 ]
	hook_input Accounts::Create '{"user":"bob"}' >"$WORK/in"
	FAKE_RC=2 run_hook <"$WORK/in"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "1 smtpguard reload failed (exit 2), the running policy stays: smtpguard: /etc/smtpguard/smtpguard.conf:3: unknown key 'x'" ]
	grep -q "^smtpguard-cpanel-hook: 'smtpguard reload' after Accounts::Create failed (exit 2): " "$WORK/hook.err"
	FAKE_RC=3 run_hook <"$WORK/in"
	[ "$output" = "1 smtpguard is not loaded: nothing to reload after Accounts::Create" ]
}

@test "cPanel hook: --describe gives manage_hooks the three post-stage events" {
	run "$HOOK" --describe
	[ "$status" -eq 0 ]
	/usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert [h["event"] for h in d] == ["Accounts::Create", "Accounts::Remove", "Accounts::Modify"], d
assert all(h["category"] == "Whostmgr" and h["stage"] == "post" and h["exectype"] == "script"
           and h["hook"] == sys.argv[2] for h in d), d' "$output" "$(readlink -f "$HOOK")"
}
