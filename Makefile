# smtpguard: one readable Makefile for the BPF object, its skeleton, the CLI
# and the tests. `make` builds, `make check` runs every test (as root).
OUTPUT    ?= build
CLANG     ?= clang
BPFTOOL   ?= bpftool
CC        ?= cc
PKG_CONFIG ?= pkg-config
VERSION   := 0.1.0

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' \
	-e 's/ppc64le/powerpc/' -e 's/riscv64/riscv/' -e 's/s390x/s390/')
VMLINUX_DIR := vmlinux/$(ARCH)

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

# Pure logic (no libbpf calls): shared by the CLI, unit tests and fuzzers.
CORE_SRCS := user/log.c user/cli.c user/config.c user/prefix.c user/policy_print.c \
	user/mountinfo.c user/netcls.c user/names.c user/stats_report.c user/event_format.c \
	user/config_audit.c user/kfeature_select.c user/json.c user/format.c
# Kernel-facing parts of the CLI.
KERN_SRCS := user/sysenv.c user/pins.c user/lock.c user/loader.c user/loader_attach.c \
	user/loader_attach_link.c user/loader_attach_prog.c user/loader_bpf.c user/loader_cgroup.c \
	user/loader_pin.c user/loader_report.c user/loader_version.c \
	user/unload.c user/status.c user/netcls_read.c user/kstate_find.c user/kstate_maps.c \
	user/kstate_policy.c user/kstate_history.c user/kstate_offenders.c user/stats.c user/events.c user/kfeatures.c
CORE_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(CORE_SRCS))
KERN_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(KERN_SRCS))
MAIN_OBJ  := $(OUTPUT)/user/main.o

UNIT_TESTS := $(OUTPUT)/tests/test_report $(OUTPUT)/tests/test_config $(OUTPUT)/tests/test_prefix \
	$(OUTPUT)/tests/test_cli $(OUTPUT)/tests/test_mountinfo $(OUTPUT)/tests/test_netcls \
	$(OUTPUT)/tests/test_config_audit $(OUTPUT)/tests/test_kfeatures $(OUTPUT)/tests/test_json \
	$(OUTPUT)/tests/test_kstate_offenders
HELPERS := $(OUTPUT)/tests/sgconnect $(OUTPUT)/tests/sgserve $(OUTPUT)/tests/sgworker \
	$(OUTPUT)/tests/sgcomm

.PHONY: all clean check unit-tests helpers
all: smtpguard

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/tests:
	mkdir -p $@

$(OUTPUT)/smtpguard.bpf.o: bpf/smtpguard.bpf.c include/smtpguard.h | $(OUTPUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/smtpguard.skel.h: $(OUTPUT)/smtpguard.bpf.o
	$(BPFTOOL) gen skeleton $< name smtpguard_bpf > $@.tmp && mv $@.tmp $@

# Every user object may include the skeleton, so build it first.
$(OUTPUT)/user/%.o: user/%.c $(wildcard user/*.h) include/smtpguard.h \
		$(OUTPUT)/smtpguard.skel.h | $(OUTPUT)/user
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

# Installation (PREFIX, DESTDIR). The example config is never overwritten.
# It is installed 0640 root:root (root:root only when installing as root,
# e.g. not in a package build without root; the packages set it): account
# names and allowed destinations are nobody else's business.
PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc

.PHONY: install uninstall
install: smtpguard
	install -D -m 0755 smtpguard $(DESTDIR)$(SBINDIR)/smtpguard
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/smtpguard/smtpguard.conf ]; then \
		echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/smtpguard/smtpguard.conf"; \
	else \
		install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/smtpguard && \
		install -m 0640 smtpguard.conf.example $(DESTDIR)$(SYSCONFDIR)/smtpguard/smtpguard.conf && \
		{ [ "$$(id -u)" -ne 0 ] || chown root:root $(DESTDIR)$(SYSCONFDIR)/smtpguard/smtpguard.conf; }; \
	fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/smtpguard

# Feature fragments (benchmarks, fuzzing, packaging) keep this file short.
-include mk/*.mk
