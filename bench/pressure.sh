#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# make bench-pressure: flowgate under floods of new flows (bench/pressure.py):
# insert failures, spilled flows, unaccounted packets, sweep time, RSS, and the
# check kernel = exported + in cache + unaccounted. Builds what it needs. Needs root.
#
#   bench/pressure.sh                      30 s per scenario: flood, over, million
#   PRESSURE_SECONDS=5 bench/pressure.sh   a short run
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" = 0 ] || { echo "bench-pressure: needs root (BPF, namespaces)" >&2; exit 1; }
for t in trafgen nfcapd nfdump; do
  command -v "$t" >/dev/null || { echo "bench-pressure: $t missing (make deps)" >&2; exit 1; }
done
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

mvn -B -ntp -q -pl controlplane -am -DskipTests package
exec /usr/bin/python3 bench/pressure.py "$PWD" --seconds "${PRESSURE_SECONDS:-30}" \
  --scenarios "${PRESSURE_SCENARIOS:-flood,over,million}"
