#!/usr/bin/env bats
# valgrind --error-exitcode=1 on load, status, stats, reload and unload (and
# their error paths) against a test cgroup and pin dir: no invalid access,
# no use of uninitialised memory, no definite or indirect leak.
#
# valgrind does not know every field of the bpf() syscall's attribute union:
# libbpf zeroes only the part of `union bpf_attr` a command uses (and passes
# that size to the kernel), and a NULL key is how bpf_map_get_next_key()
# asks for the first key. Those reports (Memcheck:Param bpf(attr->...)) are
# suppressed, and so is libbpf_probe_bpf_helper() reading the verifier log
# the kernel wrote into its buffer (valgrind does not see the kernel write
# it); everything else counts.

load lib

setup_file() {
	if ! command -v valgrind >/dev/null 2>&1; then
		export SKIP_VG="valgrind is not installed"
	elif grep -q __asan_init "$SG" 2>/dev/null; then
		export SKIP_VG="smtpguard is a sanitizer build (make SANITIZE=1): valgrind cannot run it"
	fi
	world_up v
	local p
	for p in flags key value map_id prog_id link_id btf_id open_flags next_id start_id \
		expected_attach_type prog_ifindex map_extra; do
		# (valgrind prints the map_id parameter without its closing ')')
		printf '{\n   sg-bpf-attr-%s\n   Memcheck:Param\n   bpf(attr->%s%s\n   fun:syscall\n   ...\n}\n' \
			"$p" "$p" "$([ "$p" = map_id ] && echo || echo ')')"
		[ "$p" = map_id ] && printf '{\n   sg-bpf-attr-%s-b\n   Memcheck:Param\n   bpf(attr->%s)\n   fun:syscall\n   ...\n}\n' "$p" "$p"
	done >"$WORK/bpf.supp"
	printf '{\n   sg-libbpf-probe-verifier-log\n   Memcheck:Cond\n   fun:strstr\n   fun:libbpf_probe_bpf_helper\n   ...\n}\n' >>"$WORK/bpf.supp"
	write_config "$WORK/policy.conf" "ports = $SG_TEST_PORT, $SG_TEST_PORT2" "allow_users = root, $U_ALLOWED" \
		"allow_groups = $G_ALLOWED" "allow_destinations = 127.0.0.0/8, ::1, 198.51.100.0/24"
	write_config "$WORK/bad.conf" "ports = $SG_TEST_PORT" "mode = block"
	write_config "$WORK/skip.conf" "ports = $SG_TEST_PORT" "allow_users = root, no-such-user-sgtest"
}

teardown_file() {
	world_down
}

setup() {
	[ -z "${SKIP_VG:-}" ] || skip "$SKIP_VG"
}

# vg CODE ARGS...: smtpguard ARGS under valgrind exits CODE and valgrind
# reports nothing.
vg() {
	local code=$1 log="$WORK/vg.log"
	shift
	rm -f "$log"
	run valgrind -q --error-exitcode=1 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
		--suppressions="$WORK/bpf.supp" --log-file="$log" "$SG" "$@"
	if [ "$status" -ne "$code" ] || grep -q '^==[0-9]*==' "$log"; then
		echo "smtpguard $*: exit $status (want $code)"
		echo "$output"
		grep -v 'unhandled eBPF command' "$log"
		return 1
	fi
}

@test "valgrind: check-config, and a bad config" {
	vg 0 check-config "$WORK/policy.conf"
	vg 0 check-config --json "$WORK/policy.conf"
	# a first load with an unusable config enforces the built-in default
	vg 2 --config "$WORK/bad.conf" --cgroup "$CG" --pin-dir "$PIN" load
	[[ "$output" == *"bad mode 'block'"* ]]
	[[ "$output" == *"enforcing the built-in default policy instead"* ]]
	vg 0 --cgroup "$CG" unload --pin-dir "$PIN"
	vg 2 check-config "$WORK/skip.conf"
	[[ "$output" == *"unknown user 'no-such-user-sgtest'"* ]]
}

@test "valgrind: status, stats, unload when nothing is loaded" {
	vg 3 status --pin-dir "$PIN"
	vg 3 status --json --pin-dir "$PIN"
	vg 0 unload --pin-dir "$PIN"
	[[ "$output" == *"not loaded"* ]]
}

@test "valgrind: load (first time, then again: update in place)" {
	vg 0 --config "$WORK/policy.conf" --cgroup "$CG" --pin-dir "$PIN" load
	vg 0 --config "$WORK/policy.conf" --cgroup "$CG" --pin-dir "$PIN" load
	[[ "$output" == *"policy updated"* ]]
	run try "$U_DENIED" "$G_PLAIN" "$MX4" "$SG_TEST_PORT"
	[ "$status" -eq 10 ]
}

@test "valgrind: status and status --json while loaded" {
	vg 0 status --pin-dir "$PIN"
	grep -q "^status: *loaded" <<<"$output"
	vg 0 status --json --pin-dir "$PIN"
}

@test "valgrind: stats (text, JSON, Prometheus, reset)" {
	# one refusal, so there is an offender to report
	run try "$U_DENIED" "$G_PLAIN" "$MX6" "$SG_TEST_PORT"
	[ "$status" -eq 10 ]
	vg 0 stats --pin-dir "$PIN"
	vg 0 stats --json --top 5 --pin-dir "$PIN"
	vg 0 stats --prometheus --pin-dir "$PIN"
	# issue 11: the textfile, one account, not loaded
	vg 0 stats --prometheus --output "$WORK/vg.prom" --pin-dir "$PIN"
	vg 1 stats --prometheus --output "$WORK/no-such-dir/vg.prom" --pin-dir "$PIN"
	vg 0 stats --user "$U_DENIED" --json --pin-dir "$PIN"
	vg 0 stats --prometheus --pin-dir "${PIN}none"
	vg 0 stats --reset --pin-dir "$PIN"
}

@test "valgrind: reload, a refused reload, a load on a missing cgroup" {
	vg 0 --config "$WORK/policy.conf" --pin-dir "$PIN" reload
	vg 2 --config "$WORK/bad.conf" --pin-dir "$PIN" reload
	# an unknown name is skipped (and shown by status), then the full policy again
	vg 0 --config "$WORK/skip.conf" --pin-dir "$PIN" reload
	[[ "$output" == *"warning: unknown user 'no-such-user-sgtest' (skipped)"* ]]
	vg 0 status --json --pin-dir "$PIN"
	[[ "$output" == *'"skipped":"user no-such-user-sgtest (skip.conf:2)"'* ]]
	vg 0 --config "$WORK/policy.conf" --pin-dir "$PIN" reload
	vg 2 --config "$WORK/policy.conf" --cgroup "$(cgroup2_root)/no-such-sgtest" --pin-dir "$PIN" load
}

# issue 10: conf.d drop-ins (and a bad one), explain, import-csf
@test "valgrind: a config with conf.d, explain, import-csf" {
	mkdir -p "$WORK/d/conf.d"
	cp "$WORK/policy.conf" "$WORK/d/smtpguard.conf"
	write_config "$WORK/d/conf.d/10-a.conf" "allow_users = 4242" "allow_destinations = 192.0.2.10"
	vg 0 --config "$WORK/d/smtpguard.conf" --pin-dir "$PIN" reload
	vg 0 --config "$WORK/d/smtpguard.conf" --cgroup "$CG" --pin-dir "$PIN" explain \
		--user 4242 --group "$G_PLAIN" "[::ffff:$MX4]:$SG_TEST_PORT" --json
	[[ "$output" == *'"source":"conf.d/10-a.conf:1"'* ]]
	vg 0 --config "$WORK/d/smtpguard.conf" --cgroup "$CG" --pin-dir "$PIN" explain \
		--user "$U_DENIED" --group "$G_PLAIN" "[$MX6]:$SG_TEST_PORT"
	write_config "$WORK/d/conf.d/20-b.conf" "mode = audit" "mode = enforce"
	vg 2 --config "$WORK/d/smtpguard.conf" --pin-dir "$PIN" reload
	printf 'SMTP_BLOCK = "1"\nSMTP_PORTS = "25,587"\nSMTP_ALLOWUSER = "nobody"\n' >"$WORK/csf.conf"
	vg 0 import-csf "$WORK/csf.conf"
	vg 2 import-csf "$WORK/no-csf.conf"
	vg 0 --config "$WORK/policy.conf" --pin-dir "$PIN" reload
}

@test "valgrind: unload, then status says not loaded" {
	vg 0 unload --pin-dir "$PIN"
	[[ "$output" == *"unloaded"* ]]
	[ ! -e "$PIN" ]
	vg 3 status --pin-dir "$PIN"
}
