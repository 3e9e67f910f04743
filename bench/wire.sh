#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# make bench-wire: CPU per million packets and accuracy of flowgate against
# softflowd and pmacctd (nfprobe) on the same veth traffic, each above its own
# floor (an empty XDP program; nothing attached) measured in the same run
# (bench/wire.py, BENCHMARKS.md). Builds what it needs. Needs root.
#
#   bench/wire.sh                                   1M frames over 1k, 65k, 1M flows, 3 rounds
#   WIRE_FRAMES=20000 WIRE_FLOWS=1000 WIRE_ROUNDS=1 bench/wire.sh   a short run
#   WIRE_WARMUP=100000 bench/wire.sh                a shorter warm-up pass (default: WIRE_FRAMES)
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" = 0 ] || { echo "bench-wire: needs root (BPF, namespaces)" >&2; exit 1; }
for t in trafgen nfcapd nfdump softflowd pmacctd bpftool; do
  command -v "$t" >/dev/null || { echo "bench-wire: $t missing (make deps)" >&2; exit 1; }
done
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

mvn -B -ntp -q -pl controlplane -am -DskipTests package
out=$PWD/bench/build
make -s -C bench OUT="$out"
exec /usr/bin/python3 bench/wire.py "$PWD" "$out" \
  --frames "${WIRE_FRAMES:-1000000}" --flows "${WIRE_FLOWS:-1000,65536,1000000}" --rounds "${WIRE_ROUNDS:-3}" \
  --warmup "${WIRE_WARMUP:-${WIRE_FRAMES:-1000000}}"
