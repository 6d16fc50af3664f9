#!/usr/bin/env bash
# The per-packet cost of the egress layer (issue 14, config key egress_guard),
# run by `make bench` after bench/run.sh:
#   bench/egress.sh [--quick] [--md FILE]   (--md: append a section to FILE)
#
# One network namespace with loopback servers, one cgroup with smtpguard's
# connect hooks and a child cgroup the clients run in. Samples interleave the
# layer off and on (a reload between them, 10 ms), so drift hits both alike:
#   bulk   sgbench stream over loopback (128 KiB writes), Gbit/s
#   small  sgbench connect+close over loopback (SYN, SYN-ACK, ACK, RST: four
#          small packets per operation), operations per second
# plus the egress program's own run time per packet from kernel.bpf_stats.
# Nothing is sent from the host's namespace; everything made here is removed
# on every exit path (trap).
set -u -o pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
SG="$TOP/smtpguard"
HELPER="$TOP/build/bench/sgbench"
# shellcheck source=../tests/netns-world.sh
. "$TOP/tests/netns-world.sh"

QUICK=0 MD=""
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1 ;;
	--md) MD=$2; shift ;;
	*) echo "bench/egress: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
if [ "$QUICK" = 1 ]; then ROUNDS=1 SECS=0.3 ITER=300; else ROUNDS=7 SECS=2 ITER=20000; fi
PORT=${BENCH_EGRESS_PORT:-825} # guarded; the servers are on other ports
U_WEB=1001

ID="sgbeg$$"
ROOT=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
CG="$ROOT/$ID" CT="$ROOT/$ID/ct" PIN="/sys/fs/bpf/$ID" NS="$ID"
WORK=$(mktemp -d /tmp/sgbench-egress.XXXXXX)
STATS_OLD=""

cleanup() {
	"$SG" unload --pin-dir "$PIN" >/dev/null 2>&1
	rm -rf "$PIN" 2>/dev/null
	[ -f "$WORK/srv.pid" ] && kill "$(cat "$WORK/srv.pid")" 2>/dev/null
	[ -f "$WORK/sink.pid" ] && kill "$(cat "$WORK/sink.pid")" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	for _ in $(seq 50); do rmdir "$CT" 2>/dev/null; rmdir "$CG" 2>/dev/null && break; sleep 0.1; done
	[ -n "$STATS_OLD" ] && sysctl -q -w kernel.bpf_stats_enabled="$STATS_OLD"
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

die() { echo "bench/egress: $*" >&2; exit 1; }
[ -x "$HELPER" ] || die "no $HELPER (make bench-helpers)"
mkdir -p "$CT" || die "cannot make $CT"
cp "$HELPER" "$WORK/sgbench" && chmod 755 "$WORK"
ip netns add "$NS" && ip -n "$NS" link set lo up || die "cannot make netns $NS"
ip netns exec "$NS" "$WORK/sgbench" serve 3600 8080 >"$WORK/srv.log" 2>&1 &
echo $! >"$WORK/srv.pid"
ip netns exec "$NS" "$WORK/sgbench" sink 3600 5001 >"$WORK/sink.log" 2>&1 &
echo $! >"$WORK/sink.pid"
printf 'ports = %s\n' "$PORT" >"$WORK/off.conf"
printf 'ports = %s\negress_guard = %s\n' "$PORT" "${CT#"$ROOT"}" >"$WORK/on.conf"
layer() { "$SG" --config "$WORK/$1.conf" --cgroup "$CG" --pin-dir "$PIN" load >/dev/null || die "load $1"; }
client() {
	timeout -k 5 300 sh -c "$IN_CGROUP_SH" sh "$CT" ip netns exec "$NS" \
		setpriv --reuid="$U_WEB" --regid="$U_WEB" --clear-groups "$WORK/sgbench" "$@"
}
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }
sleep 0.3

: >"$WORK/res"
for r in $(seq "$ROUNDS"); do
	for mode in off on; do
		layer "$mode"
		g=$(field gbit "$(client stream 127.0.0.1 5001 "$SECS")")
		o=$(field rate "$(client connect 127.0.0.1 8080 "$ITER")")
		printf '%s %s %s\n' "$mode" "${g:-0}" "${o:-0}" >>"$WORK/res"
		echo "bench/egress: round $r $mode: ${g:-?} Gbit/s, ${o:-?} connects/s" >&2
	done
done

# The program's own time per packet it judges (every packet of the cgroup).
layer on
STATS_OLD=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -q -w kernel.bpf_stats_enabled=1
client connect 127.0.0.1 8080 "$ITER" >/dev/null
client stream 127.0.0.1 5001 "$SECS" >/dev/null
read -r rt cnt < <(bpftool prog show pinned "$PIN/prog_egress" 2>/dev/null |
	awk '{ for (i = 1; i < NF; i++) { if ($i == "run_time_ns") t = $(i+1); if ($i == "run_cnt") n = $(i+1) } }
	     END { print t + 0, n + 0 }')
sysctl -q -w kernel.bpf_stats_enabled="$STATS_OLD"
STATS_OLD=""

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2); else print 0 }'; }
med() { awk -v m="$1" -v c="$2" '$1 == m { print $c }' "$WORK/res" | median; }
span() { awk -v m="$1" -v c="$2" '$1 == m { v = $c + 0; if (!n++ || v < lo) lo = v; if (v > hi) hi = v }
	END { printf "%s–%s", lo, hi }' "$WORK/res"; }
G_OFF=$(med off 2) G_ON=$(med on 2) O_OFF=$(med off 3) O_ON=$(med on 3)
PER=$(awk -v t="$rt" -v n="$cnt" 'BEGIN { printf "%.0f", n ? t / n : 0 }')
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f%%", a ? (b - a) * 100 / a : 0 }'; }

section() {
	cat <<EOF

## Egress layer (egress_guard): per-packet cost

\`bench/egress.sh\` ($(uname -r), $(nproc) CPUs; $ROUNDS interleaved rounds per
mode, medians; clients in a cgroup named by \`egress_guard\`, over loopback
in a network namespace of their own, as a non-allowed UID, port $PORT
guarded). "off": the connect hooks only (the default: nothing of the layer
is loaded); "on": the egress layer attached to the clients' cgroup.

| workload | layer off | layer on | change |
| --- | ---: | ---: | ---: |
| bulk TCP over loopback (128 KiB writes), Gbit/s (rounds: off $(span off 2), on $(span on 2)) | $G_OFF | $G_ON | $(pct "$G_OFF" "$G_ON") |
| connect+close over loopback (4 small packets each), ops/s (rounds: off $(span off 3), on $(span on 3)) | $O_OFF | $O_ON | $(pct "$O_OFF" "$O_ON") |
| egress program run time per packet (kernel.bpf_stats, $cnt packets) | — | $PER ns | |

The program reads the IP header of every packet the cgroup sends (and the
TCP header of TCP ones); only a SYN to a guarded port costs more (map
lookups). Where the rounds of one mode spread wider than the difference
between the modes (a shared machine), the medians do not measure the
layer; its own run time does: $PER ns a packet is
$(awk -v p="$PER" -v o="$O_OFF" 'BEGIN { printf "%.1f%%", o ? 4 * p * o / 1e7 : 0 }') of a
connect+close at the "off" rate (four packets), and for bulk traffic, where
one packet carries up to 64 KiB (GSO), it is
$(awk -v p="$PER" -v g="$G_OFF" 'BEGIN { printf "%.2f%%", p * g * 1e9 / 8 / 65536 / 1e7 }') of the time at the "off" rate.
EOF
}
section
[ -n "$MD" ] && section >>"$MD"
exit 0
