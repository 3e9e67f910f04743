#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# make bench-dataplane: per-packet cost of fg_xdp / fg_tc_ingress /
# fg_tc_egress against an empty program and a reference counter, measured in
# the same run on a lab veth (see bench/dataplane.py and BENCHMARKS.md).
# Builds what it needs itself (the BPF object, no Java). Needs root.
#
# The flow table gets the slots per CPU the control plane would give it for
# the run's flow count (bench/fgload.c, FlowTable.configure).
#
#   bench/dataplane.sh                      flows 1, 10k, 100k, 1M
#   BENCH_FLOWS=1,10000 bench/dataplane.sh  other flow counts
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" = 0 ] || { echo "bench-dataplane: needs root (BPF, namespaces)" >&2; exit 1; }
command -v trafgen >/dev/null || { echo "bench-dataplane: trafgen missing (apt-get install netsniff-ng)" >&2; exit 1; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

out=$PWD/bench/build
make -s -C dataplane-bpf OUT="$out/flowgate"
make -s -C bench OUT="$out"
exec /usr/bin/python3 bench/dataplane.py "$out/flowgate/flowgate.bpf.o" "$out" \
	--flows "${BENCH_FLOWS:-1,10000,100000,1000000}"
