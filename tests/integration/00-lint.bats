#!/usr/bin/env bats
# The suite's own hygiene: no test line that cannot fail. In bats, a bare
# `! CMD` that is not the last command of its test never fails the test
# (errexit ignores negated pipelines); tests/helpers/bare-bang.awk finds them.

TOP=${SG_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
LINT="$TOP/tests/helpers/bare-bang.awk"

setup() {
	T=$(mktemp -d /tmp/smtpguard-lint.XXXXXX)
}

teardown() {
	rm -rf "$T"
}

@test "the bare-! lint finds a bare ! that is not last, and only that" {
	# (%test: a literal at-sign test line here would be taken for a test of
	# this file by bats' preprocessor; %! keeps naive greps for bare ! lines
	# from taking the sample for this file's own lines)
	sed -e 's/^%test/@test/' -e 's/^\([[:space:]]*\)%! /\1! /' >"$T/sample.bats" <<'B'
%test "a" {
	run true
	%! grep -q x <<<"$output"
	[ "$status" -eq 0 ]
}

helper() {
	%! false || return 1
	# a comment after the last command does not count

	%! true
}

%test "b" {
	run ! false
	cat <<-EOF
	%! not a command
	EOF
	[ ! -e /nonexistent ]
	for i in 1; do
		%! false
	done
}
B
	run awk -f "$LINT" "$T/sample.bats"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "$T/sample.bats:3: 	! grep -q x <<<\"\$output\"" ]
	[ "${lines[1]}" = "$T/sample.bats:21: 		! false" ]
}

@test "no bats file or helper has a bare ! that cannot fail its test" {
	run awk -f "$LINT" "$TOP"/tests/integration/*.bats "$TOP"/tests/integration/*.bash
	echo "$output"
	[ "$status" -eq 0 ]
}
