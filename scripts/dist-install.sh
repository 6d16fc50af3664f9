#!/bin/sh
# install.sh of the release tarball (make dist): installs the portable
# smtpguard binary and what goes with it, laid out as `make install` does.
# It installs files only: it loads nothing and enables nothing (the last
# lines say how). Run as root from the unpacked tarball.
#   ./install.sh [--prefix DIR] [--destdir DIR] [--unitdir DIR] [--dry-run] [--uninstall]
#     --prefix DIR   default /usr/local: DIR/sbin/smtpguard, DIR/lib/smtpguard/,
#                    DIR/share/man, DIR/share/bash-completion/completions
#     --unitdir DIR  systemd units; default DIR/lib/systemd/system for the
#                    prefixes systemd searches (/usr, /usr/local), else
#                    /etc/systemd/system
#     --destdir DIR  install under DIR (a staging root), as make's DESTDIR
#     --dry-run      print the commands, one a line, and change nothing
#     --uninstall    remove what install put there, except the config
# The config /etc/smtpguard/smtpguard.conf is never overwritten (0640 root).
# Uninstalling: `systemctl disable --now smtpguard.service smtpguard-monitor.service
# smtpguard-textfile.timer`
# (or `smtpguard unload`), then `./install.sh --uninstall` with the same
# --prefix; remove /etc/smtpguard by hand if its config is no longer wanted.
# Exit: 0 done, 1 a command failed, 2 usage error.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=/usr/local destdir='' unitdir='' dry=0 uninstall=0

usage() {
	sed -n '/^#   \.\/install\.sh/,/^# Exit:/s/^# \{0,1\}//p' "$0"
}
while [ $# -gt 0 ]; do
	case "$1" in
	--prefix | --destdir | --unitdir)
		[ $# -ge 2 ] && [ -n "$2" ] || { echo "install.sh: $1 needs a directory" >&2; exit 2; }
		case "$1" in --prefix) prefix=$2 ;; --destdir) destdir=$2 ;; *) unitdir=$2 ;; esac
		shift 2 ;;
	--dry-run) dry=1; shift ;;
	--uninstall) uninstall=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
case "$prefix" in /*) ;; *) echo "install.sh: --prefix must be an absolute path: $prefix" >&2; exit 2 ;; esac
prefix=${prefix%/}
if [ -z "$unitdir" ]; then
	case "$prefix" in
	/usr | /usr/local) unitdir=$prefix/lib/systemd/system ;;
	*) unitdir=/etc/systemd/system ;;
	esac
fi
sbindir=$prefix/sbin pkglibdir=$prefix/lib/smtpguard mandir=$prefix/share/man
compdir=$prefix/share/bash-completion/completions confdir=/etc/smtpguard
D=$destdir

# run CMD...: print it (quoted as typed), then run it unless --dry-run
run() {
	printf '%s\n' "$*"
	[ "$dry" -eq 1 ] || "$@"
}

if [ "$uninstall" -eq 1 ]; then
	run rm -f "$D$sbindir/smtpguard" "$D$pkglibdir/stop-unless-restart" \
		"$D$unitdir/smtpguard.service" "$D$unitdir/smtpguard-monitor.service" \
		"$D$unitdir/smtpguard-textfile.service" "$D$unitdir/smtpguard-textfile.timer" \
		"$D$mandir/man8/smtpguard.8" "$D$mandir/man5/smtpguard.conf.5" "$D$compdir/smtpguard"
	[ ! -d "$D$pkglibdir" ] || run rmdir "$D$pkglibdir"
	echo "kept $D$confdir/smtpguard.conf (remove $D$confdir by hand if it is no longer wanted)"
	exit 0
fi

run install -D -m 0755 "$here/smtpguard" "$D$sbindir/smtpguard"
run install -D -m 0755 "$here/stop-unless-restart" "$D$pkglibdir/stop-unless-restart"
run install -d -m 0755 "$D$unitdir"
for u in smtpguard.service smtpguard-monitor.service smtpguard-textfile.service \
	smtpguard-textfile.timer; do
	run install -m 0644 "$here/systemd/$u" "$D$unitdir/$u"
	# the units name /usr/sbin and /usr/lib/smtpguard: point them at this prefix
	run sed -i -e "s|/usr/sbin/smtpguard|$sbindir/smtpguard|g" \
		-e "s|/usr/lib/smtpguard/|$pkglibdir/|g" "$D$unitdir/$u"
done
run install -D -m 0644 "$here/man/smtpguard.8" "$D$mandir/man8/smtpguard.8"
run install -D -m 0644 "$here/man/smtpguard.conf.5" "$D$mandir/man5/smtpguard.conf.5"
run install -D -m 0644 "$here/completion/smtpguard.bash" "$D$compdir/smtpguard"
if [ -e "$D$confdir/smtpguard.conf" ]; then
	echo "keeping existing $D$confdir/smtpguard.conf"
else
	run install -d -m 0755 "$D$confdir"
	# account names and allowed destinations are nobody else's business
	run install -m 0640 "$here/smtpguard.conf.example" "$D$confdir/smtpguard.conf"
	[ "$(id -u)" -ne 0 ] || run chown root:root "$D$confdir/smtpguard.conf"
fi
[ "$dry" -eq 0 ] || exit 0
echo "installed $sbindir/smtpguard; to enforce now and at every boot:"
echo "  systemctl daemon-reload && systemctl enable --now smtpguard.service"
echo "(without systemd: run '$sbindir/smtpguard load' from your boot scripts); see smtpguard(8)"
