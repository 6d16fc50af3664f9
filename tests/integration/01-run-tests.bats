#!/usr/bin/env bats
# tests/run-tests.sh itself: a TAP stream cut short, no unit tests at all,
# and a change to the host's installation each fail the run, and the summary
# stays the last line. Runs copies of the runner in a scratch tree, and
# changes "the host" only inside a private mount namespace.

load lib

setup() {
	T=$(mktemp -d /tmp/smtpguard-runner.XXXXXX)
	mkdir -p "$T/tests" "$T/build/tests"
	cp "$TOP/tests/run-tests.sh" "$TOP/tests/host-snapshot.sh" "$T/tests/"
	# (%test: bats' preprocessor would take a literal one for this file's)
	sed 's/^%test/@test/' >"$T/pass.bats" <<'B'
%test "passes" {
	true
}
B
}

teardown() {
	rm -rf "$T"
}

# unit NAME TEXT: a fake unit test binary printing TEXT and exiting 0.
unit() {
	printf '#!/bin/sh\nprintf "%s"\n' "$2" >"$T/build/tests/test_$1"
	chmod +x "$T/build/tests/test_$1"
}

@test "a unit test with fewer results than its plan, or no plan, fails the run" {
	unit short 'ok 1 - a\n1..2\n'
	unit noplan 'ok 1 - a\n'
	run outside_bats "$T/tests/run-tests.sh" "$T/pass.bats"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -qx "not ok - build/tests/test_short: TAP plan 1..2 but 1 results" <<<"$output"
	grep -qx "not ok - build/tests/test_noplan: 0 TAP plans (want one 1..N line), 1 results" <<<"$output"
	[ "${lines[-1]}" = "4 passed, 2 failed" ]
}

@test "no unit test binary at all fails the run" {
	run outside_bats "$T/tests/run-tests.sh" "$T/pass.bats"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -qx "not ok - no unit test binaries in build/tests (run make unit-tests)" <<<"$output"
	grep -qx "ok - the host's installation is untouched" <<<"$output"
	[ "${lines[-1]}" = "2 passed, 1 failed" ]
}

@test "a test that changes the host's installation fails the run, naming what changed" {
	[ -d /usr/local/sbin ] || skip "no /usr/local/sbin to stand in for the host's"
	unit one 'ok 1 - a\n1..1\n'
	sed 's/^%test/@test/' >"$T/installs.bats" <<'B'
%test "installs a binary" {
	echo fake >/usr/local/sbin/smtpguard
}
B
	# the "host" is a tmpfs over /usr/local/sbin in a private mount namespace
	run outside_bats unshare --mount --propagation private sh -c '
		mount -t tmpfs tmpfs /usr/local/sbin || exit 99
		exec "$1/tests/run-tests.sh" "$1/installs.bats"' sh "$T"
	echo "$output"
	[ "$status" -ne 99 ]
	[ "$status" -eq 1 ]
	grep -qx "not ok - the host's installation is untouched: it changed (- before, + after):" <<<"$output"
	grep -qx "# -absent /usr/local/sbin/smtpguard" <<<"$output"
	grep -qx "# +$(echo fake | sha256sum | cut -d' ' -f1) 644 root:root /usr/local/sbin/smtpguard" <<<"$output"
	[ "${lines[-1]}" = "2 passed, 1 failed" ]
	[ ! -e /usr/local/sbin/smtpguard ] || [ "$(cat /usr/local/sbin/smtpguard)" != fake ]
}
