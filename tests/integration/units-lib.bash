# Shared by 61-deb.bats and 62-restart-upgrade.bats (needs lib.bash and
# 41-lib.bash, and a world_up'd world): the unit and the packages' scripts
# run as on a real host, but
#  - `systemctl` is tests/helpers/fake-systemctl, which runs the unit's Exec
#    lines in systemd's order and reports the job type as systemd does;
#  - /usr/sbin/smtpguard (what the unit and the scripts call) is a wrapper
#    that adds --config/--cgroup/--pin-dir of this world, so nothing is ever
#    loaded at the real cgroup root or the default pin dir;
#  - packages are installed into a throwaway root (in_root): a private
#    mount namespace with overlays over /etc, /usr and /var whose upper
#    layers live in a test directory, and a tmpfs on /run. dpkg writes only
#    there; the host's files are never touched (host_snapshot proves it).

FAKE_SYSTEMCTL="$TOP/tests/helpers/fake-systemctl"

# fake_systemd DIR: state dir for fake-systemctl; puts it first on PATH.
fake_systemd() {
	export FAKE_SD_STATE=$1
	mkdir -p "$FAKE_SD_STATE/bin"
	ln -sf "$FAKE_SYSTEMCTL" "$FAKE_SD_STATE/bin/systemctl"
	PATH="$FAKE_SD_STATE/bin:$PATH"
}

# write_wrapper FILE BIN [HOSTNS_FILE]: FILE runs BIN with this world's
# --config $WORK/unit.conf, --cgroup and --pin-dir before the command, and
# logs each call to $WORK/sg.calls. With HOSTNS_FILE, BIN runs in the mount
# namespace named in that file (the test's own, not the throwaway root's).
write_wrapper() {
	local f=$1 bin=$2 nsfile=${3:-}
	{
		echo '#!/bin/sh'
		echo "# test wrapper: never the real root cgroup or pin dir"
		echo "echo \"\$*\" >>'$WORK/sg.calls'"
		if [ -n "$nsfile" ]; then
			echo "exec nsenter --mount=\"\$(cat '$nsfile')\" -- '$bin' --config '$WORK/unit.conf' --cgroup '$CG' --pin-dir '$PIN' \"\$@\""
		else
			echo "exec '$bin' --config '$WORK/unit.conf' --cgroup '$CG' --pin-dir '$PIN' \"\$@\""
		fi
	} >"$f"
	chmod 755 "$f"
}

# unit_config: the policy the unit loads: U_ALLOWED and G_ALLOWED allowed.
unit_config() {
	write_config "$WORK/unit.conf" "ports = $SG_TEST_PORT" "allow_users = root, $U_ALLOWED" \
		"allow_groups = $G_ALLOWED"
}

# loaded: smtpguard is loaded on this world (status exit 0) and a program
# is attached to its cgroup.
loaded() {
	"$SG" --pin-dir "$PIN" status >/dev/null 2>&1 &&
		bpftool cgroup show "$CG" | grep -q connect
}

# unloaded: status says not loaded and nothing is attached to the cgroup.
unloaded() {
	local rc=0
	"$SG" --pin-dir "$PIN" status >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq 3 ] || { echo "status exit $rc, want 3"; return 1; }
	[ -z "$(bpftool cgroup show "$CG" 2>&1)" ] || { bpftool cgroup show "$CG"; return 1; }
}

# churn_under_load SECONDS MIN CMD...: workers of an allowed and a refused
# UID connect to the remote guarded port in a loop for SECONDS while CMD runs again
# and again (at least MIN times). Not one refused connect may get through,
# not one allowed connect may be refused.
churn_under_load() {
	local secs=$1 min=$2 t0 ms need
	shift 2
	cp "$TOP/build/tests/sgworker" "$WORK/"
	# one run first, unloaded, to size the window: on a slow host (a
	# sanitizer build, a busy CI) the workers must run long enough for MIN
	# runs under load (a factor 4: the workers' load slows every run)
	t0=$(date +%s%N)
	"$@" >>"$WORK/churn.out" 2>&1 || { tail -30 "$WORK/churn.out"; return 1; }
	ms=$((($(date +%s%N) - t0) / 1000000))
	need=$((min * ms * 4 / 1000 + 2))
	[ "$need" -le "$secs" ] || secs=$need
	start_worker allowed4 "$U_ALLOWED" "$G_PLAIN" "$secs" "$MX4"
	start_worker denied4 "$U_DENIED" "$G_PLAIN" "$secs" "$MX4"
	start_worker denied6 "$U_DENIED" "$G_PLAIN" "$secs" "$MX6"
	run_while_working 1000000 "$WORK/churn.out" "$@"
	echo "# $RUNS runs of '$*' ($FAILED failed) while workers connected for ${secs}s:" >&3
	workers_judged allowed4 "denied4 denied6" || return 1
	[ "$FAILED" -eq 0 ] || { tail -30 "$WORK/churn.out"; return 1; }
	[ "$RUNS" -ge "$min" ] || { echo "only $RUNS runs"; return 1; }
}

# in_root [--systemd] ROOTDIR CMD...: CMD in a throwaway root whose overlay
# upper layers are kept in ROOTDIR (so it persists from call to call), with
# fake-systemctl as systemctl and, with --systemd, /run/systemd/system (the
# packages' sign that systemd is PID 1). ROOTDIR/hostns names the mount
# namespace of the caller while CMD runs (for write_wrapper).
in_root() {
	local sd=0 r anchor rc=0
	[ "$1" = --systemd ] && { sd=1; shift; }
	r=$1
	shift
	mkdir -p "$r"
	# a process that stays in this mount namespace while CMD runs
	sleep 3600 </dev/null >/dev/null 2>&1 3>&- 4>&- &
	anchor=$!
	echo "/proc/$anchor/ns/mnt" >"$r/hostns"
	unshare -m --propagation private /bin/sh -c '
		r=$1 sd=$2 fake=$3
		shift 3
		for d in etc usr var; do
			mkdir -p "$r/$d.u" "$r/$d.w"
			mount -t overlay "sgtest-$d" \
				-o "lowerdir=/$d,upperdir=$r/$d.u,workdir=$r/$d.w" "/$d" || exit 97
		done
		mount -t tmpfs sgtest-run /run || exit 97
		[ "$sd" = 1 ] && mkdir -p /run/systemd/system
		# systemctl: the fake, with the real one for enable/preset/...
		if [ ! -e /usr/bin/systemctl.real ] && [ -x /usr/bin/systemctl ]; then
			cp -p /usr/bin/systemctl /usr/bin/systemctl.real || exit 97
		fi
		export FAKE_SD_REAL=/usr/bin/systemctl.real
		cp "$fake" /usr/bin/systemctl || exit 97
		# as on a real host: no policy-rc.d forbidding service starts
		rm -f /usr/sbin/policy-rc.d
		# no man-db trigger run (slow, and nothing to test there)
		rm -f /var/lib/man-db/auto-update
		exec "$@"
	' sh "$r" "$sd" "$FAKE_SYSTEMCTL" "$@" || rc=$?
	kill "$anchor" 2>/dev/null || true
	wait "$anchor" 2>/dev/null || true
	return "$rc"
}

# host_snapshot: checksums, modes and owners of everything of smtpguard's
# that could be installed on this host, plus the package state; compared
# before and after the package tests.
host_snapshot() {
	local p
	for p in /etc/smtpguard /usr/sbin/smtpguard /usr/local/sbin/smtpguard \
		/usr/lib/smtpguard /usr/local/lib/smtpguard /usr/libexec/smtpguard \
		/lib/systemd/system/smtpguard.service /lib/systemd/system/smtpguard-monitor.service \
		/usr/lib/systemd/system/smtpguard.service /usr/lib/systemd/system/smtpguard-monitor.service \
		/etc/systemd/system/smtpguard.service /etc/systemd/system/smtpguard-monitor.service \
		/etc/systemd/system/sysinit.target.wants/smtpguard.service \
		/etc/systemd/system/multi-user.target.wants/smtpguard-monitor.service \
		/usr/share/man/man8/smtpguard.8.gz /usr/share/doc/smtpguard \
		/var/lib/dpkg/info/smtpguard.list; do
		if [ -e "$p" ] || [ -L "$p" ]; then
			find "$p" -exec stat -c '%n %F %a %U:%G %s %Y' {} + | sort
			find "$p" -type f -exec sha256sum {} + | sort
		else
			echo "absent $p"
		fi
	done
	dpkg-query -W -f '${Status} ${Version}\n' smtpguard 2>&1 || true
	# the host's enforcement, by pin ids and policy (not its counters,
	# which any connect on the host changes)
	"$TOP/tests/host-snapshot.sh" | grep -E '^(pin|absent /sys|attached)'
}
