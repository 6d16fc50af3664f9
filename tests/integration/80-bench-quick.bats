#!/usr/bin/env bats
# The benchmark harness (make bench-quick) still works and leaves the machine
# as it found it: no network namespace, cgroup, pin dir, rule or sysctl
# change of its own remains. A functional check, not a timed test. It runs
# on the suite's test ports (lib.bash), not on 25/465/587, which a host's
# root enforcement may guard.

load lib

setup_file() {
	export OUT
	OUT=$(mktemp -d /tmp/smtpguard-bench-test.XXXXXX)
}

teardown_file() {
	[ -n "${OUT:-}" ] && rm -rf "$OUT"
	return 0
}

@test "bench quick mode runs, reports every contender and cleans up" {
	[ -x "$TOP/build/bench/sgbench" ] || make -C "$TOP" -s bench-helpers
	local stats_before tables_before tables6_before
	stats_before=$(sysctl -n kernel.bpf_stats_enabled)
	tables_before=$(cat /proc/net/ip_tables_names 2>/dev/null)
	tables6_before=$(cat /proc/net/ip6_tables_names 2>/dev/null)

	run env BENCH_PORTS="$SG_TEST_PORT,$SG_TEST_PORT2,$SG_TEST_PORT3" \
		timeout 300 "$TOP/bench/run.sh" --quick --md "$OUT/BENCHMARKS.md" --png "$OUT/scaling.png"
	echo "$output"
	[ "$status" -eq 0 ]

	# the report has every contender and every scaling point
	grep -q '^| connect+close, non-guarded port 8080' "$OUT/BENCHMARKS.md"
	grep -q "refused connect to :$SG_TEST_PORT, 10000 allowed UIDs" "$OUT/BENCHMARKS.md"
	grep -q '(b) smtpguard' "$OUT/BENCHMARKS.md"
	if command -v nft >/dev/null; then grep -q '(d) nftables' "$OUT/BENCHMARKS.md"; fi
	grep -q 'errors during the run | 0 |' "$OUT/BENCHMARKS.md"
	if command -v gnuplot >/dev/null; then [ -s "$OUT/scaling.png" ]; fi

	# nothing of this run is left behind (`! cmd` would not fail a bats test)
	local id work
	id=$(sed -n 's/.*mode quick; id \(sgb[0-9]*\);.*/\1/p' <<<"$output")
	work=$(sed -n 's/.*; work dir \(.*\)$/\1/p' <<<"$output")
	[ -n "$id" ] && [ -n "$work" ]
	if ip netns list | grep -q "^$id-"; then echo "netns left: $(ip netns list)"; return 1; fi
	[ ! -e "$(cgroup2_root)/$id" ]
	[ ! -e "/sys/fs/bpf/$id" ]
	[ ! -e "/sys/fs/bpf/${id}l" ]
	[ ! -e "$work" ]
	if pgrep -f "$work" >/dev/null; then echo "processes left: $(pgrep -af "$work")"; return 1; fi
	[ "$(sysctl -n kernel.bpf_stats_enabled)" = "$stats_before" ]
	# the host's own namespace never got a rule
	if nft list ruleset 2>/dev/null | grep -q -e smtpguard_bench -e SMTPOUTPUT; then
		echo "rules left in the host namespace"
		return 1
	fi
	[ "$(cat /proc/net/ip_tables_names 2>/dev/null)" = "$tables_before" ]
	[ "$(cat /proc/net/ip6_tables_names 2>/dev/null)" = "$tables6_before" ]
}
