# Installs what goes with the binary: systemd units, man pages and bash
# completion. `make install` (top Makefile) depends on install-extras, so
#   make install DESTDIR=/tmp/root PREFIX=/usr
# lays out the whole package. The units' ExecStart= lines are rewritten to
# $(SBINDIR)/smtpguard, so PREFIX=/usr/local gives working units too.
#   PKGLIBDIR   private helpers (default $(PREFIX)/lib/smtpguard): the
#               unit's ExecStop= helper stop-unless-restart; the unit's
#               path to it is rewritten like ExecStart=
#   UNITDIR     systemd system units (default: pkg-config systemd's
#               systemdsystemunitdir, else /lib/systemd/system)
#   MANDIR      $(PREFIX)/share/man
#   BASHCOMPDIR $(PREFIX)/share/bash-completion/completions
PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
UNITDIR ?= $(or $(shell $(or $(PKG_CONFIG),pkg-config) --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
MANDIR  ?= $(PREFIX)/share/man
PKGLIBDIR ?= $(PREFIX)/lib/smtpguard
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

SG_UNITS := systemd/smtpguard.service systemd/smtpguard-monitor.service
SG_MAN8  := man/smtpguard.8
SG_MAN5  := man/smtpguard.conf.5

.PHONY: install-extras uninstall-extras
install: install-extras
uninstall: uninstall-extras

install-extras:
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	for u in $(SG_UNITS); do \
		sed -e 's|/usr/sbin/smtpguard|$(SBINDIR)/smtpguard|g' \
			-e 's|/usr/lib/smtpguard/|$(PKGLIBDIR)/|g' $$u >$(DESTDIR)$(UNITDIR)/$${u##*/}.tmp && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$${u##*/}.tmp && \
		mv -f $(DESTDIR)$(UNITDIR)/$${u##*/}.tmp $(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; \
	done
	install -D -m 0755 scripts/stop-unless-restart $(DESTDIR)$(PKGLIBDIR)/stop-unless-restart
	install -D -m 0644 $(SG_MAN8) $(DESTDIR)$(MANDIR)/man8/smtpguard.8
	install -D -m 0644 $(SG_MAN5) $(DESTDIR)$(MANDIR)/man5/smtpguard.conf.5
	install -D -m 0644 completion/smtpguard.bash $(DESTDIR)$(BASHCOMPDIR)/smtpguard

uninstall-extras:
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(SG_UNITS)))
	rm -f $(DESTDIR)$(MANDIR)/man8/smtpguard.8 $(DESTDIR)$(MANDIR)/man5/smtpguard.conf.5
	rm -f $(DESTDIR)$(BASHCOMPDIR)/smtpguard
	rm -f $(DESTDIR)$(PKGLIBDIR)/stop-unless-restart
	rmdir $(DESTDIR)$(PKGLIBDIR) 2>/dev/null || true
