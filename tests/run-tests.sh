#!/usr/bin/env bash
# Runs every test: unit tests (TAP from C), then the integration suites
# (bats, real kernel, as root). Prints one summary line CI can read,
# "N passed, N failed", and exits non-zero on any failure.
#   tests/run-tests.sh [bats files...]   (default: all of tests/integration)
set -u
cd "$(dirname "$0")/.."

passed=0 failed=0 skipped=0 broken=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

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

for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	echo "# unit: $t"
	"$t" >"$log" 2>&1
	rc=$?
	count_tap <"$log"
	# a crash with no "not ok" line must still fail the run
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$log"; then
		echo "not ok - $t exited $rc"
		broken=$((broken + 1))
	fi
done

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
		echo "not ok - bats exited $rc"
		broken=$((broken + 1))
	fi
fi

failed=$((failed + broken))
echo
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
