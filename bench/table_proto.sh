#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The helper-call-free flow table prototype, both halves in one command:
# per-packet cost of proto_xdp/proto_tc next to empty/ref/fg in the same run
# (BENCH_PROTO=1 bench/dataplane.sh, with its exact-count check), then the
# user-space drain through the mmap against lookup_and_delete_batch of an
# LRU_HASH (bench/table_drain.c). Needs root.
#
#   bench/table_proto.sh                       flows 1, 10k, 100k; drain 1M
#   BENCH_FLOWS=1,10000 DRAIN_FLOWS=500000 bench/table_proto.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_PROTO=1 BENCH_FLOWS=${BENCH_FLOWS:-1,10000,100000} bench/dataplane.sh
echo
bench/build/table_drain "${DRAIN_FLOWS:-1000000}" 20 "${DRAIN_ROUNDS:-7}"
