#!/usr/bin/env bash
# make bench-kafka: flow records/s into a local Kafka broker through the Kafka sink (lz4, protobuf
# and Arrow) next to the IPFIX encoder in the same run, rounds interleaved
# (exporters/src/test/java/dev/flowgate/exporters/bench/KafkaExportBenchmark.java).
# The broker (single-node KRaft, testing/KafkaBroker) runs in its own JVM on CPU 1; flowgate's side
# (encoders, sink, producer) in this one, pinned to CPU 0.
#
#   bench/kafka.sh                                   2,000,000 records per round, 5 rounds
#   BENCH_RECORDS=500000 BENCH_ROUNDS=3 bench/kafka.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cp=$(mktemp)
fifo=$(mktemp -u)
trap 'exec 3>&- 2>/dev/null || true; rm -f "$cp" "$fifo"; [ -n "${broker:-}" ] && wait "$broker" 2>/dev/null || true' EXIT
mvn -B -ntp -q -pl exporters -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile="$cp" -Dmdep.includeScope=test
classpath="exporters/target/test-classes:exporters/target/classes:$(cat "$cp")"
opens=--add-opens=java.base/java.nio=ALL-UNNAMED
mkfifo "$fifo"
taskset -c 1 java -Xmx1g -cp "$classpath" dev.flowgate.exporters.testing.KafkaBroker <"$fifo" >"$fifo.out" 2>/dev/null &
broker=$!
exec 3>"$fifo" # the broker runs until this closes
while ! [ -s "$fifo.out" ]; do sleep 0.2; kill -0 "$broker"; done
bootstrap=$(head -1 "$fifo.out")
rm -f "$fifo.out"
taskset -c 0 java -Xmx2g $opens -cp "$classpath" dev.flowgate.exporters.bench.KafkaExportBenchmark \
  "$bootstrap" "${BENCH_RECORDS:-2000000}" "${BENCH_ROUNDS:-5}"
