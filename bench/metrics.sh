#!/usr/bin/env bash
# make bench-metrics: /metrics scrape cost with 64 interfaces (time and bytes per scrape, text and
# OpenMetrics) against an empty registry in the same run
# (controlplane/src/test/java/dev/flowgate/controlplane/metrics/ScrapeBenchmark.java).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl controlplane -am -DskipTests package exec:exec@bench \
  -Dflowgate.bench.args="-Xms64m -Xmx512m --add-opens=java.base/java.nio=ALL-UNNAMED -cp %classpath dev.flowgate.controlplane.metrics.ScrapeBenchmark ${BENCH_INTERFACES:-64}"
