# Benchmarks (issue 5): smtpguard against CSF-style iptables owner rules and
# nftables, all contenders in throw-away network namespaces and cgroups.
#   make bench        full run (~5-10 min); prints the table, writes
#                     docs/BENCHMARKS.md and docs/bench-scaling.png
#   make bench-egress the egress layer's per-packet cost only (bench/egress.sh)
#   make bench-quick  a few iterations only, to prove the harness works and
#                     cleans up (results under build/bench/quick, docs/ untouched)
# Both need root, iproute2, iptables, nftables, bpftool, setpriv, gnuplot.
BENCH_HELPERS := $(OUTPUT)/bench/sgbench

.PHONY: bench bench-quick bench-helpers bench-egress
bench-helpers: $(BENCH_HELPERS)

$(OUTPUT)/bench:
	mkdir -p $@

$(OUTPUT)/bench/%: bench/%.c | $(OUTPUT)/bench
	$(CC) $(CFLAGS) $(LDFLAGS) $< -o $@

bench: smtpguard $(BENCH_HELPERS)
	bench/run.sh --full --md docs/BENCHMARKS.md --png docs/bench-scaling.png
	bench/egress.sh --md docs/BENCHMARKS.md

# issue 14: only the egress layer's section (printed; docs/ untouched)
bench-egress: smtpguard $(BENCH_HELPERS)
	bench/egress.sh

bench-quick: smtpguard $(BENCH_HELPERS)
	bench/run.sh --quick --md $(OUTPUT)/bench/quick/BENCHMARKS.md \
		--png $(OUTPUT)/bench/quick/bench-scaling.png

# tests/integration/80-bench-quick.bats runs the quick mode under `make check`.
check: $(BENCH_HELPERS)
