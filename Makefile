# smtpguard: one readable Makefile for the BPF object, its skeleton, the CLI
# and the tests (installing: mk/install.mk). `make` builds, `make check`
# runs every test (as root).
OUTPUT    ?= build
CLANG     ?= clang
BPFTOOL   ?= bpftool
CC        ?= cc
PKG_CONFIG ?= pkg-config
VERSION   := 0.1.0

# A failing recipe leaves no half-written target behind for the next make.
.DELETE_ON_ERROR:

# The kernel's name for this architecture: picks vmlinux/$(ARCH)/vmlinux.h
# and __TARGET_ARCH_$(ARCH). Only vmlinux/x86 is committed.
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' \
	-e 's/ppc64le/powerpc/' -e 's/riscv64/riscv/' -e 's/s390x/s390/')
VMLINUX_DIR := vmlinux/$(ARCH)
VMLINUX_H   := $(VMLINUX_DIR)/vmlinux.h

LIBBPF_CFLAGS := $(shell $(PKG_CONFIG) --cflags libbpf 2>/dev/null)
LIBBPF_LIBS   := $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf)

CFLAGS   ?= -O2 -g
CFLAGS   += -Wall -Wextra -Wno-unused-parameter -std=gnu11
CPPFLAGS += -Iinclude -I$(OUTPUT) -Iuser -DSG_VERSION='"$(VERSION)"' $(LIBBPF_CFLAGS)
LDLIBS   += $(LIBBPF_LIBS) -lelf -lz

# make SANITIZE=1: AddressSanitizer + UndefinedBehaviorSanitizer userspace.
ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Iinclude -I$(VMLINUX_DIR) \
	$(LIBBPF_CFLAGS) -Wall

# No libbpf calls (pure logic, and files read or followed): shared by the
# CLI, unit tests and fuzzers.
CORE_SRCS := user/log.c user/cli.c user/config.c user/prefix.c user/policy_print.c \
	user/mountinfo.c user/netcls.c user/names.c user/stats_report.c user/stats_prom.c user/stats_user.c user/event_format.c \
	user/config_audit.c user/readfile.c user/kfeature_select.c user/json.c user/format.c \
	user/explain.c user/csf_import.c \
	user/confd.c \
	user/event_parse.c user/attrib.c user/log_follow.c \
	user/config_acct.c user/config_cgroup.c user/policy_print_acct.c \
	user/egress_paths.c user/egress_report.c
# Kernel-facing parts of the CLI.
KERN_SRCS := user/sysenv.c user/pins.c user/lock.c user/loader.c user/loader_attach.c \
	user/loader_attach_link.c user/loader_attach_prog.c user/loader_bpf.c user/loader_cgroup.c \
	user/loader_pin.c user/loader_report.c user/loader_version.c user/loader_egress.c user/egress_detach.c \
	user/unload.c user/status.c user/netcls_read.c user/kstate_find.c user/kstate_maps.c \
	user/kstate_policy.c user/kstate_history.c user/kstate_offenders.c user/kstate_acct.c user/kstate_pinned.c user/kstate_egress.c user/textfile.c user/stats.c user/events.c user/kfeatures.c \
	user/explain_cmd.c user/explain_acct.c user/csf_cmd.c \
	user/events_sink.c user/monitor_state.c user/event_out.c
CORE_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(CORE_SRCS))
KERN_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(KERN_SRCS))
MAIN_OBJ  := $(OUTPUT)/user/main.o

# Every tests/unit/test_*.c is a TAP program that tests/run-tests.sh runs.
UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(wildcard tests/unit/test_*.c))
HELPERS := $(OUTPUT)/tests/sgconnect $(OUTPUT)/tests/sgserve $(OUTPUT)/tests/sgworker \
	$(OUTPUT)/tests/sgcomm $(OUTPUT)/tests/sguids $(OUTPUT)/tests/sgrawsyn

.PHONY: all clean check unit-tests helpers
all: smtpguard

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/tests:
	mkdir -p $@

$(OUTPUT)/smtpguard.bpf.o: bpf/smtpguard.bpf.c bpf/sg_shared.bpf.h include/smtpguard.h $(VMLINUX_H) | $(OUTPUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# Reached only when the header is missing: say so before compiling anything.
$(VMLINUX_H):
	$(error no $@ (ARCH=$(ARCH), this host: $(shell uname -m)): generate it on a host of \
	that architecture with `mkdir -p $(VMLINUX_DIR) && bpftool btf dump file \
	/sys/kernel/btf/vmlinux format c > $@` (or set ARCH=))

$(OUTPUT)/smtpguard.skel.h: $(OUTPUT)/smtpguard.bpf.o
	$(BPFTOOL) gen skeleton $< name smtpguard_bpf > $@.tmp && mv $@.tmp $@

# The egress layer (egress_guard): its own object, loaded only when configured.
$(OUTPUT)/egress_guard.bpf.o: bpf/egress_guard.bpf.c bpf/sg_shared.bpf.h include/smtpguard.h $(VMLINUX_H) | $(OUTPUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/egress_guard.skel.h: $(OUTPUT)/egress_guard.bpf.o
	$(BPFTOOL) gen skeleton $< name egress_guard_bpf > $@.tmp && mv $@.tmp $@

# Every user object may include the skeleton, so build it first.
$(OUTPUT)/user/%.o: user/%.c $(wildcard user/*.h) include/smtpguard.h \
		$(OUTPUT)/smtpguard.skel.h $(OUTPUT)/egress_guard.skel.h | $(OUTPUT)/user
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

smtpguard: $(MAIN_OBJ) $(CORE_OBJS) $(KERN_OBJS)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/tests/test_%: tests/unit/test_%.c tests/unit/tap.h $(CORE_OBJS) | $(OUTPUT)/tests
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) $< $(CORE_OBJS) -o $@

$(OUTPUT)/tests/%: tests/helpers/%.c | $(OUTPUT)/tests
	$(CC) $(CFLAGS) $(LDFLAGS) $< -o $@

# includes the walk it tests, with the bpf() calls faked
$(OUTPUT)/tests/test_kstate_offenders: user/kstate_offenders.c user/kstate.h

unit-tests: $(UNIT_TESTS)
helpers: $(HELPERS)

check: smtpguard unit-tests helpers
	tests/run-tests.sh

clean:
	rm -rf $(OUTPUT) smtpguard

# Feature fragments (benchmarks, fuzzing, packaging) keep this file short.
-include mk/*.mk
