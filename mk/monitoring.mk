# Prometheus alert rules (issue 11): `make check-monitoring` checks
# monitoring/prometheus/smtpguard.rules.yml with `promtool check rules` and
# runs its unit tests (monitoring/prometheus/*.test.yml) with
# `promtool test rules`; `make check` runs it first. promtool is in
# Debian's prometheus package (scripts/install-deps.sh installs it).
PROMTOOL ?= promtool

.PHONY: check-monitoring
check-monitoring:
	@command -v $(PROMTOOL) >/dev/null 2>&1 || \
		{ echo "check-monitoring: no $(PROMTOOL) (Debian: apt-get install prometheus; or scripts/install-deps.sh)" >&2; exit 1; }
	$(PROMTOOL) check rules monitoring/prometheus/*.rules.yml
	cd monitoring/prometheus && $(PROMTOOL) test rules *.test.yml

check: check-monitoring
