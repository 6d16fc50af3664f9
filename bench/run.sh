#!/usr/bin/env bash
# smtpguard benchmark harness (issue 5). Run as root via `make bench` or
# `make bench-quick`, or directly:
#   bench/run.sh [--quick|--full] [--md FILE] [--png FILE] [--keep-work]
#   BENCH_PORTS=A,B,C  the guarded ports (default 25,465,587, CSF's SMTP_PORTS):
#                      A is the SMTP port connected to, B the one the peer
#                      listens on. The test suite passes its own test ports,
#                      so that a host's root enforcement on 25/465/587 (after
#                      scripts/quickstart.sh) does not judge the run.
#
# Contenders, each in its own network namespace pair and its own cgroup, so
# that all of them are installed at once and samples interleave
# A B C D E A B C D E ... (drift hits everyone alike):
#   floor     (a)  no enforcement
#   smtpguard (b)  smtpguard attached to this contender's cgroup only
#   iptleg    (c)  CSF SMTP_BLOCK-style owner-match chain, iptables-legacy
#   iptnft    (c') the same rules through iptables-nft (Debian's `iptables`)
#   nft       (d)  the same policy in native nftables (sets, meta skuid)
#
# Each contender gets a client netns (loopback servers on :8080, :25, :5001)
# joined by a veth pair to a peer netns (192.0.2.2 / 2001:db8::2; listens on
# :465 only, so a connect to its :25 is answered with a RST). (:25 and :465:
# the first two of BENCH_PORTS.) Nothing is sent
# from the host's own namespace; rules exist only inside our namespaces;
# smtpguard is attached only to cgroups this script creates. Everything is
# removed on every exit path (trap), and every loop is bounded.
set -u -o pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
SG="$TOP/smtpguard"
HELPER="$TOP/build/bench/sgbench"
# netns_pair, IN_CGROUP_SH: the same test world as the integration tests
# shellcheck source=../tests/netns-world.sh
. "$TOP/tests/netns-world.sh"

MODE=full MD="" PNG="" KEEP=0
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) MODE=quick ;;
	--full) MODE=full ;;
	--md) MD=$2; shift ;;
	--png) PNG=$2; shift ;;
	--keep-work) KEEP=1 ;;
	-h | --help) sed -n '2,20p' "$0"; exit 0 ;;
	*) echo "bench: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

if [ "$MODE" = full ]; then
	ROUNDS=15 CONN_ITER=20000       # measurement 1: samples per contender, connects per sample
	TP_ROUNDS=7 TP_SECS=2           # measurement 2
	SCALE_ROUNDS=9 SCALE_ITER=10000 # measurement 3 (per N)
	STATS_ITER=50000                # BPF run time (per path)
	LOAD_REPS=9                     # measurement 4
else
	ROUNDS=2 CONN_ITER=300
	TP_ROUNDS=1 TP_SECS=0.3
	SCALE_ROUNDS=1 SCALE_ITER=300
	STATS_ITER=300
	LOAD_REPS=1
fi
SCALE_NS="1 10 100 1000 10000"
CONTENDERS="floor smtpguard iptleg iptnft nft"
PORTS=${BENCH_PORTS:-25,465,587} # CSF's default SMTP_PORTS; the same for every contender
P_SMTP=$(cut -d, -f1 <<<"$PORTS")  # the port connected to (loopback MTA, refused remote)
P_PEER=$(cut -d, -f2 <<<"$PORTS")  # the port the peer listens on
U_WEB=1001                # a hosting account: not allowed to send
U_MTA=2000                # an allowed account (always the first allowed UID)
G_MAIL=8                  # allowed group (Debian's "mail")
SERVER_LIFETIME=3600      # servers exit on their own after this many seconds

declare -A LABEL=([floor]="(a) no enforcement" [smtpguard]="(b) smtpguard"
	[iptleg]="(c) iptables-legacy" [iptnft]="(c') iptables-nft" [nft]="(d) nftables")

die() { echo "bench: $*" >&2; exit 1; }
log() { echo "bench: [$(($(date +%s) - ${T_LOG:-$(date +%s)}))s] $*" >&2; }
T_LOG=$(date +%s)
now_ns() { date +%s%N; }

[ "$(id -u)" -eq 0 ] || die "must run as root"
for t in ip setpriv taskset bpftool sysctl timeout; do
	command -v "$t" >/dev/null || die "missing $t (scripts/install-deps.sh installs it)"
done
# a rule-set contender whose tools are missing is left out (and said so)
has_all() { for t in "$@"; do command -v "$t" >/dev/null || return 1; done; }
SKIPPED=""
drop() { CONTENDERS=$(tr ' ' '\n' <<<"$CONTENDERS" | grep -vx "$1" | paste -sd' ' -); SKIPPED="$SKIPPED $1"; }
has_all iptables-legacy-restore ip6tables-legacy-restore || drop iptleg
has_all iptables-nft-restore ip6tables-nft-restore || drop iptnft
has_all nft || drop nft
[ -x "$SG" ] || die "no $SG; run make"
[ -x "$HELPER" ] || die "no $HELPER; run make bench-helpers"
# An enforcement at the root cgroup (scripts/quickstart.sh loads one) judges
# every contender's connects as well: refuse to measure it.
HOST_PORTS=$("$SG" status --json 2>/dev/null | sed -n 's/.*"ports":\[\([0-9,]*\)\].*/\1/p')
for p in $P_SMTP $P_PEER; do
	[[ ",$HOST_PORTS," != *",$p,"* ]] ||
		die "the smtpguard enforcement pinned at /sys/fs/bpf/smtpguard guards port $p, which this run uses: set BENCH_PORTS to ports it does not guard (e.g. BENCH_PORTS=824,825,826)"
done

CG_ROOT=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
[ -n "$CG_ROOT" ] && [ -d "$CG_ROOT" ] || die "no cgroup v2 mount"
[ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ] || die "/sys/fs/bpf is not bpffs"

ID="sgb$$"
CGBASE="$CG_ROOT/$ID"       # children: one per contender, plus "l" for load timing
PIN="/sys/fs/bpf/$ID"       # smtpguard contender
PIN_L="/sys/fs/bpf/${ID}l"  # load/reload/unload timing
WORK=""
PIDS=()
STATS_OLD=""
CPU_SRV="" CPU_CLI=""
if [ "$(nproc)" -ge 2 ]; then CPU_SRV="taskset -c 0" CPU_CLI="taskset -c 1"; fi

cleanup() {
	local rc=$? p c
	trap - EXIT INT TERM
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	[ -n "$STATS_OLD" ] && sysctl -q -w kernel.bpf_stats_enabled="$STATS_OLD"
	for p in "$PIN" "$PIN_L"; do
		[ -e "$p" ] && "$SG" unload --pin-dir "$p" >/dev/null 2>&1
		[ -e "$p" ] && rm -rf "$p"
	done
	for c in $CONTENDERS; do
		ip netns del "$ID-$c" 2>/dev/null
		ip netns del "$ID-$c-p" 2>/dev/null
	done
	if [ -d "$CGBASE" ]; then
		for c in "$CGBASE"/*/; do
			[ -d "$c" ] || continue
			for p in $(cat "$c/cgroup.procs" 2>/dev/null); do
				echo "$p" >"$CG_ROOT/cgroup.procs" 2>/dev/null # stragglers (none expected)
			done
			rmdir "$c" 2>/dev/null
		done
		rmdir "$CGBASE" 2>/dev/null || log "warning: could not remove $CGBASE"
	fi
	if [ -n "$WORK" ]; then
		if [ "$KEEP" = 1 ]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

WORK=$(mktemp -d /tmp/smtpguard-bench.XXXXXX)
chmod 755 "$WORK"
install -m 0755 "$HELPER" "$WORK/sgbench"
RES="$WORK/results.tsv" # phase contender param round value
: >"$RES"
ERRORS=0

# ---------------------------------------------------------------- policies
# allowed UIDs for N: U_MTA plus N-1 more (100001...), and root in every rule set.
uids_for() {
	echo "$U_MTA"
	[ "$1" -gt 1 ] && seq 100001 $((100000 + $1 - 1))
}

sg_conf() { # N FILE [acct]
	{
		echo "# smtpguard policy with $1 allowed UIDs (plus root)"
		echo "ports = $PORTS"
		echo "allow_users = 0"
		uids_for "$1" | xargs -n 500 echo "allow_users ="
		echo "allow_groups = $G_MAIL"
		echo "allow_destinations = 127.0.0.0/8, ::1/128"
		# issue 10 (with "acct"): a relay per allowed account (one DEST
		# with a port, one without: 4 trie entries each), and one for the
		# refused account and its group elsewhere, so that a refusal makes
		# both per-account lookups and the UID's lookup finds its id and
		# port but not the address: the guarded path at its longest
		if [ "${3:-}" = acct ]; then
			uids_for "$1" | awk -v p="$P_PEER" \
				'{ print "allow_user_destinations = " $1 " 198.51.100.0/24:" p ", [2001:db8:99::/48]" }'
			echo "allow_user_destinations = $U_WEB 203.0.113.0/24:$P_SMTP"
			echo "allow_group_destinations = $U_WEB 203.0.113.0/24"
		fi
		echo "mode = enforce"
	} >"$2"
}

ipt_rules() { # N -- iptables-restore input, CSF SMTP_BLOCK style (IPv4 and IPv6 alike)
	echo "*filter"
	echo ":INPUT ACCEPT [0:0]"
	echo ":FORWARD ACCEPT [0:0]"
	echo ":OUTPUT ACCEPT [0:0]"
	echo ":SMTPOUTPUT - [0:0]"
	echo "-A OUTPUT -p tcp -m multiport --dports $PORTS -j SMTPOUTPUT"
	echo "-A SMTPOUTPUT -o lo -j ACCEPT"
	echo "-A SMTPOUTPUT -m owner --gid-owner $G_MAIL -j ACCEPT"
	uids_for "$1" | awk '{ print "-A SMTPOUTPUT -m owner --uid-owner " $1 " -j ACCEPT" }'
	echo "-A SMTPOUTPUT -m owner --uid-owner 0 -j ACCEPT"
	echo "-A SMTPOUTPUT -p tcp -j REJECT --reject-with tcp-reset"
	echo "COMMIT"
}

nft_rules() { # N -- nft -f input; replaces only our own table
	echo "table inet smtpguard_bench"
	echo "delete table inet smtpguard_bench"
	echo "table inet smtpguard_bench {"
	echo "  set allow_uids {"
	echo "    type uid"
	echo "    elements = { 0, $(uids_for "$1" | paste -sd, -) }"
	echo "  }"
	echo "  set allow_gids {"
	echo "    type gid"
	echo "    elements = { $G_MAIL }"
	echo "  }"
	echo "  chain output {"
	echo "    type filter hook output priority filter; policy accept;"
	echo "    meta l4proto tcp tcp dport { ${PORTS//,/, } } jump smtpoutput"
	echo "  }"
	echo "  chain smtpoutput {"
	echo "    oifname \"lo\" accept"
	echo "    meta skgid @allow_gids accept"
	echo "    meta skuid @allow_uids accept"
	echo "    reject with tcp reset"
	echo "  }"
	echo "}"
}

# apply CONTENDER N: installs (or replaces) that contender's policy for N UIDs;
# prints the wall time in microseconds.
apply() {
	local c=$1 n=$2 ns="$ID-$1" t0 t1 rc=0
	case $c in
	smtpguard) sg_conf "$n" "$WORK/sg-$n.conf" acct ;;
	iptleg | iptnft) ipt_rules "$n" >"$WORK/ipt-$n.rules" ;;
	nft) nft_rules "$n" >"$WORK/nft-$n.rules" ;;
	esac
	t0=$(now_ns)
	case $c in
	floor) ;;
	smtpguard)
		local cmd=reload
		[ -e "$PIN/link_connect4" ] || cmd=load
		"$SG" --config "$WORK/sg-$n.conf" --cgroup "$CGBASE/$c" --pin-dir "$PIN" "$cmd" >/dev/null || rc=1
		;;
	iptleg)
		ip netns exec "$ns" iptables-legacy-restore <"$WORK/ipt-$n.rules" || rc=1
		ip netns exec "$ns" ip6tables-legacy-restore <"$WORK/ipt-$n.rules" || rc=1
		;;
	iptnft)
		ip netns exec "$ns" iptables-nft-restore <"$WORK/ipt-$n.rules" || rc=1
		ip netns exec "$ns" ip6tables-nft-restore <"$WORK/ipt-$n.rules" || rc=1
		;;
	nft) ip netns exec "$ns" nft -f "$WORK/nft-$n.rules" || rc=1 ;;
	esac
	t1=$(now_ns)
	[ $rc -eq 0 ] || die "installing the $c policy for $n UIDs failed"
	echo $(((t1 - t0) / 1000))
}

# ---------------------------------------------------------------- world
start_server() { # CONTENDER NS NAME ARGS...: a sgbench server, in the contender's cgroup
	local c=$1 ns=$2 name=$3
	shift 3
	sh -c "$IN_CGROUP_SH" sh "$CGBASE/$c" \
		ip netns exec "$ns" $CPU_SRV "$WORK/sgbench" "$@" >"$WORK/$name.log" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 100); do
		grep -q ready "$WORK/$name.log" && return 0
		sleep 0.05
	done
	die "server $name did not start: $(cat "$WORK/$name.log")"
}

world_up() {
	local c ns pns
	mkdir "$CGBASE" || die "cannot create $CGBASE"
	for c in $CONTENDERS l; do mkdir "$CGBASE/$c"; done
	for c in $CONTENDERS; do
		ns="$ID-$c" pns="$ID-$c-p"
		netns_pair "$ns" "$pns" || die "cannot set up the network namespaces $ns and $pns"
		start_server "$c" "$ns" "$c-serve" serve "$SERVER_LIFETIME" 8080 "$P_SMTP"
		start_server "$c" "$ns" "$c-sink" sink "$SERVER_LIFETIME" 5001
		start_server "$c" "$pns" "$c-peer" serve "$SERVER_LIFETIME" "$P_PEER"
	done
}

# client CONTENDER UID ARGS...: sgbench as UID (and GID UID, no supplementary
# groups) in the contender's cgroup and netns, on the client CPU.
client() {
	local c=$1 uid=$2
	shift 2
	timeout -k 5 300 sh -c "$IN_CGROUP_SH" sh "$CGBASE/$c" \
		ip netns exec "$ID-$c" $CPU_CLI setpriv --reuid="$uid" --regid="$uid" --clear-groups \
		"$WORK/sgbench" "$@"
}

field() { # KEY LINE
	sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"
}

# expect CONTEXT LINE OUTCOME: every iteration ended as OUTCOME (ok/eperm/refused)
expect() {
	local n got
	n=$(field n "$2")
	got=$(field "$3" "$2")
	if [ -z "$n" ] || [ "$got" != "$n" ]; then
		log "UNEXPECTED in $1: wanted $3 for all: $2"
		ERRORS=$((ERRORS + 1))
	fi
}

# sample PHASE CONTENDER PARAM ROUND UID OUTCOME HOST PORT ITER
sample() {
	local out
	out=$(client "$2" "$5" connect "$7" "$8" "$9") || true
	expect "$1/$2/$3" "$out" "$6"
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" \
		"$(field median_ns "$out")" "$(field rate "$out")" >>"$RES"
}

refusal_outcome() { # how a refused connect ends for CONTENDER
	case $1 in
	floor) echo refused ;;   # the peer has no listener on :P_SMTP -> RST
	smtpguard) echo eperm ;;
	*) echo refused ;;       # REJECT --reject-with tcp-reset
	esac
}

# validate: policy works as intended in every contender (peer :P_PEER listens).
validate() {
	local c out want
	for c in $CONTENDERS; do
		out=$(client "$c" "$U_MTA" connect 192.0.2.2 "$P_PEER" 3) || true
		expect "validate/$c/allowed" "$out" ok
		want=$(refusal_outcome "$c")
		[ "$c" = floor ] && want=ok
		out=$(client "$c" "$U_WEB" connect 192.0.2.2 "$P_PEER" 3) || true
		expect "validate/$c/denied" "$out" "$want"
		out=$(client "$c" "$U_WEB" connect 2001:db8::2 "$P_PEER" 3) || true
		expect "validate/$c/denied6" "$out" "$want"
	done
}

# ---------------------------------------------------------------- run
T_START=$(now_ns)
[ -n "$SKIPPED" ] && log "left out (tools missing):$SKIPPED"
log "mode $MODE; id $ID; work dir $WORK"
world_up
for c in $CONTENDERS; do
	us=$(apply "$c" 1)
	printf 'install\t%s\t1\t0\t%s\t\n' "$c" "$us" >>"$RES"
done
validate

log "1/5 connect+close over loopback ($ROUNDS rounds x $CONN_ITER connects)"
for r in $(seq "$ROUNDS"); do
	for c in $CONTENDERS; do
		sample open "$c" 8080 "$r" "$U_WEB" ok 127.0.0.1 8080 "$CONN_ITER"
	done
	for c in $CONTENDERS; do
		sample smtp "$c" 25 "$r" "$U_MTA" ok 127.0.0.1 "$P_SMTP" "$CONN_ITER"
	done
done

log "2/5 bulk TCP throughput over loopback ($TP_ROUNDS rounds x ${TP_SECS}s)"
for r in $(seq "$TP_ROUNDS"); do
	for c in $CONTENDERS; do
		out=$(client "$c" "$U_WEB" stream 127.0.0.1 5001 "$TP_SECS") || true
		g=$(field gbit "$out")
		[ -n "$g" ] || { log "UNEXPECTED in stream/$c: $out"; ERRORS=$((ERRORS + 1)); }
		printf 'tput\t%s\t0\t%s\t%s\t\n' "$c" "$r" "$g" >>"$RES"
	done
done

log "3/5 scaling: refused connect by a non-allowed UID, N allowed UIDs"
for n in $SCALE_NS; do
	for c in $CONTENDERS; do
		us=$(apply "$c" "$n")
		printf 'install\t%s\t%s\t0\t%s\t\n' "$c" "$n" "$us" >>"$RES"
	done
	for r in $(seq "$SCALE_ROUNDS"); do
		for c in $CONTENDERS; do
			sample refuse "$c" "$n" "$r" "$U_WEB" "$(refusal_outcome "$c")" 192.0.2.2 "$P_SMTP" "$SCALE_ITER"
		done
	done
done
validate # still correct with 10,000 UIDs

log "4/5 BPF programs' own run time (kernel.bpf_stats_enabled)"
prog_stats() { # -> "run_time_ns run_cnt" of the pinned connect4 program
	bpftool prog show pinned "$PIN/prog_connect4" |
		awk '{ for (i = 1; i < NF; i++) { if ($i == "run_time_ns") t = $(i+1); if ($i == "run_cnt") n = $(i+1) } }
		     END { print (t ? t : 0), (n ? n : 0) }'
}
STATS_OLD=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -q -w kernel.bpf_stats_enabled=1
for path in "open 127.0.0.1 8080 $U_WEB ok" "smtp 127.0.0.1 $P_SMTP $U_MTA ok" \
	"refuse 192.0.2.2 $P_SMTP $U_WEB eperm"; do
	set -- $path
	read -r t0 n0 < <(prog_stats)
	out=$(client smtpguard "$4" connect "$2" "$3" "$STATS_ITER") || true
	expect "bpfstats/$1" "$out" "$5"
	read -r t1 n1 < <(prog_stats)
	printf 'bpfns\tsmtpguard\t%s\t0\t%s\t%s\n' "$1" \
		"$(awk -v t=$((t1 - t0)) -v n=$((n1 - n0)) 'BEGIN { printf "%.1f", n ? t / n : 0 }')" \
		$((n1 - n0)) >>"$RES"
done
sysctl -q -w kernel.bpf_stats_enabled="$STATS_OLD"
STATS_OLD=""

log "5/5 smtpguard load / reload / unload wall times ($LOAD_REPS reps)"
sg_conf 1 "$WORK/sg-1.conf"
sg_conf 10000 "$WORK/sg-10000.conf"
sg_conf 10000 "$WORK/sg-10000-acct.conf" acct
timed() { # NAME CMD...: run, record wall time in microseconds
	local name=$1 t0 t1
	shift
	t0=$(now_ns)
	"$@" >/dev/null || { log "UNEXPECTED: $* failed"; ERRORS=$((ERRORS + 1)); }
	t1=$(now_ns)
	printf 'sgtime\tsmtpguard\t%s\t%s\t%s\t\n' "$name" "$r" $(((t1 - t0) / 1000)) >>"$RES"
}
L=("$SG" --cgroup "$CGBASE/l" --pin-dir "$PIN_L")
for r in $(seq "$LOAD_REPS"); do
	timed load_1 "${L[@]}" --config "$WORK/sg-1.conf" load
	timed reload_1 "${L[@]}" --config "$WORK/sg-1.conf" reload
	timed reload_10000 "${L[@]}" --config "$WORK/sg-10000.conf" reload
	timed reload_back_1 "${L[@]}" --config "$WORK/sg-1.conf" reload
	timed unload_1 "${L[@]}" unload
	timed load_10000 "${L[@]}" --config "$WORK/sg-10000.conf" load
	timed unload_10000 "${L[@]}" unload
	timed load_10000_acct "${L[@]}" --config "$WORK/sg-10000-acct.conf" load
	timed reload_10000_acct "${L[@]}" --config "$WORK/sg-10000-acct.conf" reload
	timed unload_10000_acct "${L[@]}" unload
done
T_END=$(now_ns)

# ---------------------------------------------------------------- report
median() { sort -g | awk '{ a[NR] = $1 } END { if (!NR) { print ""; exit }
	print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
vals() { # PHASE CONTENDER PARAM [COLUMN]
	awk -F'\t' -v p="$1" -v c="$2" -v n="$3" -v k="${4:-5}" \
		'$1 == p && $2 == c && $3 == n && $k != "" { print $k }' "$RES"
}
med() { vals "$@" | median; }
# paired ratio: median and IQR over rounds of CONTENDER/floor (same round)
pratio() { # PHASE CONTENDER PARAM
	awk -F'\t' -v p="$1" -v c="$2" -v n="$3" '
		$1 == p && $3 == n && $2 == "floor" { f[$4] = $5 }
		$1 == p && $3 == n && $2 == c { v[$4] = $5 }
		END { for (r in v) if (f[r] > 0) print v[r] / f[r] }' "$RES" | sort -g |
		awk '{ a[NR] = $1 } END { if (!NR) { print "-"; exit }
			m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			lo = a[int((NR - 1) * 0.25) + 1]; hi = a[int((NR - 1) * 0.75 + 0.5) + 1]
			printf "%.3f [%.3f-%.3f]", m, lo, hi }'
}
us() { awk -v v="$1" 'BEGIN { if (v == "") print "-"; else printf "%.2f", v / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.3f", a / b }'; }

TABLE="$WORK/table.md"
{
	printf '| measurement |'
	for c in $CONTENDERS; do printf ' %s |' "${LABEL[$c]}"; done
	printf '\n|---|'
	for c in $CONTENDERS; do printf -- '---:|'; done
	printf '\n'
	row() { # TITLE PHASE PARAM COLUMN KIND(lat|rate|gbit)
		local f v
		f=$(med "$2" floor "$3" "$4")
		printf '| %s |' "$1"
		for c in $CONTENDERS; do
			v=$(med "$2" "$c" "$3" "$4")
			case $5 in
			lat) printf ' %s' "$(us "$v")" ;;
			rate) printf ' %s' "$(awk -v v="$v" 'BEGIN { if (v == "") print "-"; else printf "%.0f", v }')" ;;
			gbit) printf ' %s' "$(awk -v v="$v" 'BEGIN { if (v == "") print "-"; else printf "%.2f", v }')" ;;
			esac
			[ "$c" = floor ] || printf ' (%sx)' "$(ratio "$v" "$f")"
			printf ' |'
		done
		printf '\n'
	}
	row "connect+close, non-guarded port 8080, µs (median)" open 8080 5 lat
	row "connect+close, non-guarded port 8080, connects/s" open 8080 6 rate
	row "connect+close, :$P_SMTP on loopback, allowed user, µs" smtp 25 5 lat
	row "connect+close, :$P_SMTP on loopback, allowed user, connects/s" smtp 25 6 rate
	row "bulk TCP over loopback, Gbit/s" tput 0 5 gbit
	for n in $SCALE_NS; do
		row "refused connect to :$P_SMTP, $n allowed UIDs, µs" refuse "$n" 5 lat
	done
	printf '| policy install for 10,000 UIDs, ms |'
	for c in $CONTENDERS; do
		v=$(med install "$c" 10000)
		[ "$c" = floor ] && v=""
		printf ' %s |' "$(awk -v v="$v" 'BEGIN { if (v == "") print "-"; else printf "%.1f", v / 1000 }')"
	done
	printf '\n'
} >"$TABLE"

PAIRED="$WORK/paired.md"
{
	echo "| paired ratio to (a), median [IQR] over rounds |$(for c in $CONTENDERS; do [ "$c" = floor ] || printf ' %s |' "${LABEL[$c]}"; done)"
	echo "|---|$(for c in $CONTENDERS; do [ "$c" = floor ] || printf -- '---:|'; done)"
	for spec in "open 8080 connect+close, port 8080" "smtp 25 connect+close, :$P_SMTP allowed" \
		"tput 0 throughput" "refuse 1 refusal, 1 UID" "refuse 10000 refusal, 10,000 UIDs"; do
		set -- $spec
		p=$1 n=$2
		shift 2
		printf '| %s |' "$*"
		for c in $CONTENDERS; do [ "$c" = floor ] || printf ' %s |' "$(pratio "$p" "$c" "$n")"; done
		printf '\n'
	done
} >"$PAIRED"

SGT="$WORK/sgtimes.md"
msv() { awk -v v="$(med sgtime smtpguard "$1")" 'BEGIN { if (v == "") print "-"; else printf "%.1f", v / 1000 }'; }
bpfv() { med bpfns smtpguard "$1"; }
{
	echo "| smtpguard operation | median wall time, ms |"
	echo "|---|---:|"
	echo "| \`load\` (1 allowed UID + root) | $(msv load_1) |"
	echo "| \`reload\` (same policy) | $(msv reload_1) |"
	echo "| \`reload\` to 10,000 allowed UIDs | $(msv reload_10000) |"
	echo "| \`reload\` from 10,000 back to 1 | $(msv reload_back_1) |"
	echo "| \`unload\` (1 UID loaded) | $(msv unload_1) |"
	echo "| \`load\` with 10,000 allowed UIDs | $(msv load_10000) |"
	echo "| \`unload\` (10,000 UIDs loaded) | $(msv unload_10000) |"
	echo "| \`load\` with 10,000 UIDs and their account destinations (40,001 trie entries) | $(msv load_10000_acct) |"
	echo "| \`reload\` of that (same policy) | $(msv reload_10000_acct) |"
	echo "| \`unload\` of that | $(msv unload_10000_acct) |"
	echo
	echo "| BPF program run time per connect() (connect4, bpf_stats) | ns |"
	echo "|---|---:|"
	echo "| non-guarded port (port check only) | $(bpfv open) |"
	echo "| :$P_SMTP to an allowed destination (127.0.0.1) | $(bpfv smtp) |"
	echo "| :$P_SMTP refused, 10,000 allowed UIDs (UID and GID lookups, both account-destination lookups, counters, offender, event) | $(bpfv refuse) |"
} >"$SGT"

echo
echo "== smtpguard benchmark ($MODE mode, $(((T_END - T_START) / 1000000000)) s) =="
cat "$TABLE"
echo
cat "$PAIRED"
echo
cat "$SGT"

# ---------------------------------------------------------------- plot
if [ -n "$PNG" ]; then
	mkdir -p "$(dirname "$PNG")"
	DAT="$WORK/scaling.dat"
	{
		echo "# N $CONTENDERS (median refused-connect latency, microseconds)"
		for n in $SCALE_NS; do
			printf '%s' "$n"
			for c in $CONTENDERS; do printf ' %s' "$(us "$(med refuse "$c" "$n")")"; done
			printf '\n'
		done
	} >"$DAT"
	if command -v gnuplot >/dev/null; then
		col=2 plots=""
		declare -A COLOR=([floor]="#555555" [smtpguard]="#009e73" [iptleg]="#e69f00"
			[iptnft]="#d55e00" [nft]="#0072b2")
		for c in $CONTENDERS; do
			plots="$plots${plots:+, }'$DAT' using 1:$col with linespoints lw 2 pt 7 lc rgb \"${COLOR[$c]}\" title \"${LABEL[$c]}\""
			col=$((col + 1))
		done
		gnuplot <<-EOF || log "gnuplot failed"
			set terminal pngcairo size 900,560 font "sans,10"
			set output "$PNG"
			set title "Refused connect() to :$P_SMTP by a non-allowed user vs. number of allowed UIDs"
			set logscale x
			set logscale y
			set xlabel "allowed UIDs"
			set ylabel "median latency per socket+connect+close (µs)"
			set xtics ("1" 1, "10" 10, "100" 100, "1,000" 1000, "10,000" 10000)
			set grid
			set key top left
			plot $plots
		EOF
	else
		log "gnuplot not installed; no plot"
	fi
fi

# ---------------------------------------------------------------- markdown
if [ -n "$MD" ]; then
	mkdir -p "$(dirname "$MD")"
	MDIR=$(cd "$(dirname "$MD")" && pwd)
	PNGREL=""
	[ -n "$PNG" ] && [ -f "$PNG" ] && PNGREL=$(realpath --relative-to="$MDIR" "$PNG")
	. "$TOP/bench/report.sh" # writes $MD from the results above
	log "wrote $MD${PNGREL:+ and $PNG}"
fi

if [ "$ERRORS" -gt 0 ]; then
	log "$ERRORS unexpected outcomes (see above)"
	exit 1
fi
exit 0
