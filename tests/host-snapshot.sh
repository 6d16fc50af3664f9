#!/usr/bin/env bash
# Prints what an admin installed of smtpguard on this host, one line per
# object: sha256, mode and owner of each file (config, units and their
# drop-ins and enablement links, binaries, man pages, completion), the
# package manager's record, and the ids of an enforcement pinned at
# /sys/fs/bpf/smtpguard or attached at the cgroup v2 root. tests/run-tests.sh
# takes it before and after the tests: the suite must leave all of it as it
# was. Reads only.
set -u
export LC_ALL=C

# describe PATH: one line for PATH, "absent PATH" when there is nothing.
describe() {
	local p=$1 meta
	if [ -L "$p" ]; then
		echo "link $(stat -c '%U:%G' "$p") $p -> $(readlink "$p")"
	elif [ -d "$p" ]; then
		echo "dir $(stat -c '%a %U:%G' "$p") $p"
	elif [ -e "$p" ]; then
		meta=$(stat -c '%a %U:%G' "$p")
		echo "$(sha256sum <"$p" 2>/dev/null | cut -d' ' -f1 || echo unreadable) $meta $p"
	else
		echo "absent $p"
	fi
}

# every_below DIR FIND-ARGS...: describe what find matches under DIR.
every_below() {
	local d=$1
	shift
	[ -d "$d" ] || return 0
	find "$d" "$@" 2>/dev/null | sort | while IFS= read -r p; do describe "$p"; done
}

describe /etc/smtpguard
every_below /etc/smtpguard -mindepth 1
for d in /lib/systemd/system /etc/systemd/system /usr/lib/systemd/system \
	/usr/local/lib/systemd/system /run/systemd/system; do
	# units, their .d drop-ins and the *.wants links that enable them
	every_below "$d" -path '*smtpguard*'
done
for p in /usr/sbin/smtpguard /usr/local/sbin/smtpguard /usr/bin/smtpguard \
	/usr/share/bash-completion/completions/smtpguard \
	/usr/local/share/bash-completion/completions/smtpguard /etc/bash_completion.d/smtpguard; do
	describe "$p"
done
for d in /usr/share/man /usr/local/share/man; do
	every_below "$d/man5" -maxdepth 1 -name 'smtpguard*'
	every_below "$d/man8" -maxdepth 1 -name 'smtpguard*'
done
every_below /usr/share/doc/smtpguard

if command -v dpkg-query >/dev/null; then
	echo "dpkg: $(dpkg-query -W -f '${Status} ${Version}' smtpguard 2>/dev/null || echo 'not known')"
fi
if command -v rpm >/dev/null; then
	echo "rpm: $(rpm -q smtpguard 2>/dev/null)"
fi

# the enforcement: its pins with their kernel ids, and what is attached at
# the root (ids change on any unload/load, so both show a touched enforcement)
pin_id() {
	local kind
	for kind in link prog map; do
		bpftool -j "$kind" show pinned "$1" 2>/dev/null |
			sed -n 's/^{"id":\([0-9]*\),.*/'"$kind"' \1/p' | grep . && return 0
	done
	echo "unknown"
}
if [ -e /sys/fs/bpf/smtpguard ]; then
	describe /sys/fs/bpf/smtpguard
	for p in /sys/fs/bpf/smtpguard/*; do
		[ -e "$p" ] || continue
		case "${p##*/}" in
		# the policy's content too (a map can be rewritten in place);
		# not the counters, offenders and events, which any connect changes
		allow_* | policy) echo "pin $p $(pin_id "$p") $(bpftool map dump pinned "$p" 2>&1 | sha256sum | cut -d' ' -f1)" ;;
		*) echo "pin $p $(pin_id "$p")" ;;
		esac
	done
else
	echo "absent /sys/fs/bpf/smtpguard"
fi
root=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
if [ -n "$root" ] && command -v bpftool >/dev/null; then
	bpftool cgroup show "$root" 2>/dev/null | awk -v r="$root" '/sg_connect/ { print "attached at " r ": " $0 }'
fi
exit 0
