# Installation (PREFIX, DESTDIR): the binary, the example config and what
# goes with them: systemd units, man pages and bash completion, so
#   make install DESTDIR=/tmp/root PREFIX=/usr
# lays out the whole package. The units' ExecStart= lines are rewritten to
# $(SBINDIR)/smtpguard, so PREFIX=/usr/local gives working units too.
#   SBINDIR     $(PREFIX)/sbin
#   SYSCONFDIR  /etc; the example config is never overwritten. It is
#               installed 0640 root:root (root:root only when installing as
#               root, e.g. not in a package build without root; the packages
#               set it): account names and allowed destinations are nobody
#               else's business.
#   PKGLIBDIR   private helpers (default $(PREFIX)/lib/smtpguard): the
#               unit's ExecStop= helper stop-unless-restart; the unit's
#               path to it is rewritten like ExecStart=
#   UNITDIR     systemd system units (default: pkg-config systemd's
#               systemdsystemunitdir, else /lib/systemd/system)
#   MANDIR      $(PREFIX)/share/man
#   BASHCOMPDIR $(PREFIX)/share/bash-completion/completions
# The logrotate snippet for the monitor's events file goes to
# $(SYSCONFDIR)/logrotate.d/smtpguard.
PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
UNITDIR ?= $(or $(shell $(or $(PKG_CONFIG),pkg-config) --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
MANDIR  ?= $(PREFIX)/share/man
PKGLIBDIR ?= $(PREFIX)/lib/smtpguard
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

SG_UNITS := systemd/smtpguard.service systemd/smtpguard-monitor.service \
	systemd/smtpguard-textfile.service systemd/smtpguard-textfile.timer
SG_MAN8  := man/smtpguard.8
SG_MAN5  := man/smtpguard.conf.5

.PHONY: install uninstall install-extras uninstall-extras
install: smtpguard install-extras
	install -D -m 0755 smtpguard $(DESTDIR)$(SBINDIR)/smtpguard
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/smtpguard/smtpguard.conf ]; then \
		echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/smtpguard/smtpguard.conf"; \
	else \
		install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/smtpguard && \
		install -m 0640 smtpguard.conf.example $(DESTDIR)$(SYSCONFDIR)/smtpguard/smtpguard.conf && \
		{ [ "$$(id -u)" -ne 0 ] || chown root:root $(DESTDIR)$(SYSCONFDIR)/smtpguard/smtpguard.conf; }; \
	fi

uninstall: uninstall-extras
	rm -f $(DESTDIR)$(SBINDIR)/smtpguard

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
	install -D -m 0644 logrotate/smtpguard $(DESTDIR)$(SYSCONFDIR)/logrotate.d/smtpguard

uninstall-extras:
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(SG_UNITS)))
	rm -f $(DESTDIR)$(MANDIR)/man8/smtpguard.8 $(DESTDIR)$(MANDIR)/man5/smtpguard.conf.5
	rm -f $(DESTDIR)$(BASHCOMPDIR)/smtpguard
	rm -f $(DESTDIR)$(SYSCONFDIR)/logrotate.d/smtpguard
	rm -f $(DESTDIR)$(PKGLIBDIR)/stop-unless-restart
	rmdir $(DESTDIR)$(PKGLIBDIR) 2>/dev/null || true
