# Test helpers beyond the C ones in HELPERS: the allow-all BPF object the
# hardening tests attach in a child cgroup (tests/integration/40-*.bats).
ALLOW_ALL_OBJ := $(OUTPUT)/tests/allow_all.bpf.o

$(ALLOW_ALL_OBJ): tests/helpers/allow_all.bpf.c | $(OUTPUT)/tests
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

helpers: $(ALLOW_ALL_OBJ)
