#!/usr/bin/env bash
# make bench-sweep: interval batch + flow cache merge with 1,000,000 flows, against a HashMap
# baseline in the same run (controlplane/src/test/java/dev/flowgate/controlplane/bench).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl controlplane -am -DskipTests package exec:exec@bench \
  -Dflowgate.bench.args="-XX:+UseTransparentHugePages -Xms64m -Xmx1g -XX:+UseSerialGC --add-opens=java.base/java.nio=ALL-UNNAMED -cp %classpath dev.flowgate.controlplane.bench.SweepBenchmark ${SWEEP_FLOWS:-1000000} ${SWEEP_ROUNDS:-8}"
echo
# the same pipeline with the kernel in it (needs root), in one run: the drain only (a real flow
# table drained through its mmap, Arrow batch, merge), the product's path (flowgate run's service:
# crash journal, interval IPC, default flow cache, an IPFIX collector on loopback, Arrow files,
# every sweep listener), and the same flows drained from a kernel hash map with the batch op.
# JVM flags: bin/flowgate's, so the product's path runs in the heap flowgate run gets.
# SWEEP_PHASES picks phases (default table,product,hash).
mvn -B -ntp -q -pl controlplane -am -DskipTests package exec:exec@bench \
  -Dflowgate.bench.args="-Xms16m -Xmx96m -XX:+UseSerialGC -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=48m -Xss512k -Dfg.sweep.phases=${SWEEP_PHASES:-table,product,hash} --add-opens=java.base/java.nio=ALL-UNNAMED -cp %classpath dev.flowgate.controlplane.bench.KernelSweepBenchmark ${SWEEP_FLOWS:-1000000} ${SWEEP_KERNEL_ROUNDS:-6}"
