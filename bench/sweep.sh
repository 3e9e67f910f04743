#!/usr/bin/env bash
# make bench-sweep: interval batch + flow cache merge with 1,000,000 flows, against a HashMap
# baseline in the same run (controlplane/src/test/java/dev/flowgate/controlplane/bench).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl controlplane -am -DskipTests package exec:exec@bench \
  -Dflowgate.bench.args="-XX:+UseTransparentHugePages -Xms64m -Xmx1g -XX:+UseSerialGC --add-opens=java.base/java.nio=ALL-UNNAMED -cp %classpath dev.flowgate.controlplane.bench.SweepBenchmark ${SWEEP_FLOWS:-1000000} ${SWEEP_ROUNDS:-8}"
echo
# the same pipeline with the kernel in it: a real flow table drained through its mmap, against
# the same flows drained from a kernel hash map with the batch op, in the same run (needs root)
mvn -B -ntp -q -pl controlplane -am -DskipTests package exec:exec@bench \
  -Dflowgate.bench.args="-XX:+UseTransparentHugePages -Xms64m -Xmx1g -XX:+UseSerialGC --add-opens=java.base/java.nio=ALL-UNNAMED -cp %classpath dev.flowgate.controlplane.bench.KernelSweepBenchmark ${SWEEP_FLOWS:-1000000}"
