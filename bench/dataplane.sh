#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# make bench-dataplane: per-packet cost of fg_xdp / fg_tc_ingress /
# fg_tc_egress against an empty program and a reference counter, measured in
# the same run on a lab veth (see bench/dataplane.py and BENCHMARKS.md).
# Builds what it needs itself (the BPF object, no Java). Needs root.
#
#   bench/dataplane.sh                      flows 1, 10k, 100k, 1M, common LRU
#   BENCH_FLOWS=1,10000 bench/dataplane.sh  other flow counts
#   BENCH_LRU=percpu bench/dataplane.sh     flow maps with BPF_F_NO_COMMON_LRU
#   BENCH_PROTO=1 bench/dataplane.sh        also the table prototype (table_proto.bpf.c)
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" = 0 ] || { echo "bench-dataplane: needs root (BPF, namespaces)" >&2; exit 1; }
command -v trafgen >/dev/null || { echo "bench-dataplane: trafgen missing (apt-get install netsniff-ng)" >&2; exit 1; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

out=$PWD/bench/build
lru=${BENCH_LRU:-common}
case $lru in
common) flags= ;;
percpu) flags=-DFG_FLOW_MAP_FLAGS=BPF_F_NO_COMMON_LRU ;;
*) echo "BENCH_LRU must be common or percpu" >&2; exit 2 ;;
esac
make -s -C dataplane-bpf OUT="$out/$lru-lru" EXTRA_CFLAGS="$flags"
make -s -C bench OUT="$out"
extra=()
if [ "${BENCH_PROTO:-0}" = 1 ]; then
	make -s -C bench OUT="$out" proto
	extra=(--proto)
fi
exec /usr/bin/python3 bench/dataplane.py "$out/$lru-lru/flowgate.bpf.o" "$out" \
	--flows "${BENCH_FLOWS:-1,10000,100000,1000000}" "${extra[@]}"
