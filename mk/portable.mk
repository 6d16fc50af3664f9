# A portable binary and a release tarball (issue 13).
#   make static  $(OUTPUT)/static/smtpguard: libbpf, libelf and zlib linked
#                statically, glibc dynamically, so it runs where glibc is
#                2.34 or newer (Debian 12, Ubuntu 22.04/24.04, EL9) with no
#                libbpf package; scripts/check-portable.sh refuses the link
#                otherwise. Its objects are its own ($(OUTPUT)/static/obj),
#                never sanitizer-instrumented (SANITIZE=1 is ignored here:
#                a sanitizer runtime would be one more dynamic dependency).
#   make dist    $(OUTPUT)/dist/smtpguard-$(VERSION)-$(DIST_ARCH).tar.gz: the
#                static binary, units, the unit's stop helper, man pages,
#                completion, the example config, licenses and install.sh
#                (scripts/dist-install.sh; --help says how to uninstall).
STATIC_GLIBC_MAX ?= 2.34
# pkg-config --static adds what the static libelf needs (zstd on some builds)
STATIC_LIBS := $(shell $(PKG_CONFIG) --static --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
STATIC_CFLAGS := $(filter-out -fsanitize=% -fno-omit-frame-pointer,$(CFLAGS))
STATIC_OBJS := $(patsubst user/%.c,$(OUTPUT)/static/obj/%.o,user/main.c $(CORE_SRCS) $(KERN_SRCS))
DIST_ARCH := $(shell uname -m)
DIST_NAME := smtpguard-$(VERSION)-$(DIST_ARCH)
DIST_TAR  := $(OUTPUT)/dist/$(DIST_NAME).tar.gz

.PHONY: static dist
static: $(OUTPUT)/static/smtpguard
dist: $(DIST_TAR)

$(OUTPUT)/static/obj:
	mkdir -p $@

$(OUTPUT)/static/obj/%.o: user/%.c $(wildcard user/*.h) include/smtpguard.h \
		$(OUTPUT)/smtpguard.skel.h | $(OUTPUT)/static/obj
	$(CC) $(CPPFLAGS) $(STATIC_CFLAGS) -c $< -o $@

# -Bstatic for the libraries pkg-config names, -Bdynamic again for libc
$(OUTPUT)/static/smtpguard: $(STATIC_OBJS) scripts/check-portable.sh
	$(CC) $(filter-out -fsanitize=%,$(LDFLAGS)) $(STATIC_OBJS) \
		-Wl,-Bstatic $(STATIC_LIBS) -Wl,-Bdynamic -o $@.tmp
	scripts/check-portable.sh $@.tmp $(STATIC_GLIBC_MAX) || { rm -f $@.tmp; exit 1; }
	mv -f $@.tmp $@

# The tarball's tree is made afresh each time; the binary loses its debug
# info (the build tree keeps it).
$(DIST_TAR): $(OUTPUT)/static/smtpguard scripts/dist-install.sh $(SG_UNITS) $(SG_MAN8) \
		$(SG_MAN5) completion/smtpguard.bash scripts/stop-unless-restart smtpguard.conf.example
	rm -rf $(OUTPUT)/dist/$(DIST_NAME) && mkdir -p $(OUTPUT)/dist/$(DIST_NAME)/systemd \
		$(OUTPUT)/dist/$(DIST_NAME)/man $(OUTPUT)/dist/$(DIST_NAME)/completion
	install -m 0755 -s $(OUTPUT)/static/smtpguard $(OUTPUT)/dist/$(DIST_NAME)/smtpguard
	install -m 0755 scripts/dist-install.sh $(OUTPUT)/dist/$(DIST_NAME)/install.sh
	install -m 0755 scripts/stop-unless-restart $(OUTPUT)/dist/$(DIST_NAME)/stop-unless-restart
	install -m 0644 $(SG_UNITS) $(OUTPUT)/dist/$(DIST_NAME)/systemd/
	install -m 0644 $(SG_MAN8) $(SG_MAN5) $(OUTPUT)/dist/$(DIST_NAME)/man/
	install -m 0644 completion/smtpguard.bash $(OUTPUT)/dist/$(DIST_NAME)/completion/
	install -m 0644 smtpguard.conf.example README.md LICENSE LICENSE.BSD-2-Clause \
		LICENSE.GPL-2.0 $(OUTPUT)/dist/$(DIST_NAME)/
	tar -C $(OUTPUT)/dist --owner=0 --group=0 --numeric-owner --sort=name \
		-czf $@.tmp $(DIST_NAME) && mv -f $@.tmp $@
	@echo "$@"
