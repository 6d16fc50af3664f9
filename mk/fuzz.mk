# Fuzzing (issue 6): libFuzzer targets for the config parser, the command
# line and mountinfo/prefix parsing, built with clang and ASan + UBSan.
#   make fuzz        build $(OUTPUT)/fuzz/fuzz_{config,cli,mountinfo,csf,event}
#   make fuzz-short  FUZZ_SHORT_SECONDS (60) per target; fails on any crash,
#                    leak, undefined behaviour or timeout (CI runs this)
#   make fuzz-long   FUZZ_LONG_SECONDS (600) per target, on demand
# New corpus entries go to $(OUTPUT)/fuzz/corpus-NAME (the seeds under
# tests/fuzz/corpus are only read); crashes to $(OUTPUT)/fuzz/artifacts/.
# Reproduce one with: $(OUTPUT)/fuzz/fuzz_NAME $(OUTPUT)/fuzz/artifacts/crash-...
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all
FUZZ_CPPFLAGS := -Iinclude -Iuser -DSG_VERSION='"$(VERSION)"'
# the pure-logic sources of the CLI (CORE_SRCS, Makefile), instrumented
FUZZ_OBJS    := $(patsubst user/%.c,$(OUTPUT)/fuzz/obj/%.o,$(CORE_SRCS))
FUZZ_NAMES   := config cli mountinfo csf event
FUZZ_SHORT_NAMES ?= config cli event
FUZZ_BINS    := $(patsubst %,$(OUTPUT)/fuzz/fuzz_%,$(FUZZ_NAMES))
FUZZ_SHORT_SECONDS ?= 60
FUZZ_LONG_SECONDS  ?= 600
FUZZ_MAX_LEN ?= 16384
# halt on the first UBSan report; libFuzzer's own leak check stays on
FUZZ_ENV := UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1

.PHONY: fuzz fuzz-short fuzz-long
.SECONDARY: $(FUZZ_OBJS)
fuzz: $(FUZZ_BINS)

$(OUTPUT)/fuzz/obj:
	mkdir -p $@

$(OUTPUT)/fuzz/obj/%.o: user/%.c $(wildcard user/*.h) include/smtpguard.h | $(OUTPUT)/fuzz/obj
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_FLAGS:-fsanitize=fuzzer,%=-fsanitize=fuzzer-no-link,%) \
		-std=gnu11 -c $< -o $@

$(OUTPUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_FLAGS) -std=gnu11 $< $(FUZZ_OBJS) -o $@

# fuzz_run NAME SECONDS: one time-limited run over the seeds
define fuzz_run
	mkdir -p $(OUTPUT)/fuzz/corpus-$(1) $(OUTPUT)/fuzz/artifacts
	@echo "fuzz: $(1) for $(2) s"
	$(FUZZ_ENV) $(OUTPUT)/fuzz/fuzz_$(1) -max_total_time=$(2) -max_len=$(FUZZ_MAX_LEN) \
		-timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
		$(if $(wildcard tests/fuzz/$(1).dict),-dict=tests/fuzz/$(1).dict) \
		-artifact_prefix=$(OUTPUT)/fuzz/artifacts/$(1)- \
		$(OUTPUT)/fuzz/corpus-$(1) tests/fuzz/corpus/$(1)

endef

fuzz-short: $(patsubst %,$(OUTPUT)/fuzz/fuzz_%,$(FUZZ_SHORT_NAMES))
	$(foreach n,$(FUZZ_SHORT_NAMES),$(call fuzz_run,$(n),$(FUZZ_SHORT_SECONDS)))
	@echo "fuzz-short: no crash in $(FUZZ_SHORT_SECONDS) s per target ($(FUZZ_SHORT_NAMES))"

fuzz-long: $(FUZZ_BINS)
	$(foreach n,$(FUZZ_NAMES),$(call fuzz_run,$(n),$(FUZZ_LONG_SECONDS)))
	@echo "fuzz-long: no crash in $(FUZZ_LONG_SECONDS) s per target ($(FUZZ_NAMES))"
