#!/usr/bin/env bash
# Runs every test: unit tests (TAP from C), then the integration suites
# (bats, real kernel, as root), then one more check: the host's smtpguard
# installation (tests/host-snapshot.sh) is exactly what it was before. Each
# TAP stream must carry its plan ("1..N") and N results. Prints one summary
# line CI can read, "N passed, N failed", as the last line, and exits
# non-zero on any failure.
#   tests/run-tests.sh [bats files...]   (default: all of tests/integration)
set -u
cd "$(dirname "$0")/.."

passed=0 failed=0 skipped=0 broken=0
log=$(mktemp)
snap_before=$(mktemp)
snap_after=$(mktemp)
trap 'rm -f "$log" "$snap_before" "$snap_after"' EXIT

tests/host-snapshot.sh >"$snap_before"

# count_tap: reads TAP on stdin, echoes it, adds to the totals.
count_tap() {
	local line
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		"ok "*"# skip"* | "ok "*"# SKIP"*) skipped=$((skipped + 1)) ;;
		"ok "*) passed=$((passed + 1)) ;;
		"not ok "*) failed=$((failed + 1)) ;;
		esac
	done
}

# not_ok MESSAGE: a failure of the run itself (no test reported it).
not_ok() {
	echo "not ok - $*"
	broken=$((broken + 1))
}

# check_plan NAME FILE: FILE (TAP) has exactly one plan 1..N and N results,
# so a stream cut short or a test that never reported is a failure.
check_plan() {
	local plans want got
	plans=$(grep -c '^1\.\.[0-9][0-9]*$' "$2")
	want=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$2" | head -n 1)
	got=$(grep -cE '^(ok|not ok) ' "$2")
	if [ "$plans" -ne 1 ]; then
		not_ok "$1: $plans TAP plans (want one 1..N line), $got results"
	elif [ "$want" -ne "$got" ]; then
		not_ok "$1: TAP plan 1..$want but $got results"
	fi
}

units=0
for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	units=$((units + 1))
	echo "# unit: $t"
	"$t" >"$log" 2>&1
	rc=$?
	count_tap <"$log"
	# a crash with no "not ok" line must still fail the run
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$log"; then
		not_ok "$t exited $rc"
	fi
	check_plan "$t" "$log"
done
[ "$units" -gt 0 ] || not_ok "no unit test binaries in build/tests (run make unit-tests)"

if [ "$(id -u)" -ne 0 ]; then
	echo "# integration tests need root: not run"
	broken=$((broken + 1))
else
	if [ $# -gt 0 ]; then files=("$@"); else files=(tests/integration/*.bats); fi
	echo "# integration: ${files[*]}"
	bats --tap "${files[@]}" >"$log" 2>&1
	rc=$?
	count_tap <"$log"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$log"; then
		not_ok "bats exited $rc"
	fi
	check_plan "bats" "$log"
fi

# the admin's installation: config, units, binaries, man pages, completion,
# package record and the enforcement pinned at /sys/fs/bpf/smtpguard
tests/host-snapshot.sh >"$snap_after"
if cmp -s "$snap_before" "$snap_after"; then
	echo "ok - the host's installation is untouched"
	passed=$((passed + 1))
else
	echo "not ok - the host's installation is untouched: it changed (- before, + after):"
	diff -U0 "$snap_before" "$snap_after" | sed -n '/^[-+][^-+]/s/^/# /p'
	failed=$((failed + 1))
fi

failed=$((failed + broken))
echo
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
