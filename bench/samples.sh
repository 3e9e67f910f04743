#!/usr/bin/env bash
# make bench-samples: packet samples per second from the kernel's ring buffer to bytes on a socket
# (pcapng over TCP, PSAMP over UDP) against ring-buffer-to-nothing in the same run, everything
# pinned to one core with taskset (the benchmark JVM inherits it); the UDP collector stand-in (a
# python3 reader) runs as its own process on the other core (SAMPLES_SINK_CPU), with a receive
# buffer of SAMPLES_SINK_RCVBUF bytes (default 8 MiB, the tests' nfcapd -B; 0: the system's default)
# (controlplane/src/test/java/dev/flowgate/controlplane/samples/SampleBenchmark.java).
set -euo pipefail
cd "$(dirname "$0")/.."
export SAMPLES_SINK_CPU="${SAMPLES_SINK_CPU:-0}"
export SAMPLES_SINK_RCVBUF="${SAMPLES_SINK_RCVBUF:-8388608}"
taskset -c "${SAMPLES_CPU:-1}" \
  mvn -B -ntp -q -pl controlplane -am -DskipTests package exec:exec@bench \
  -Dflowgate.bench.args="-Xms256m -Xmx1g --add-opens=java.base/java.nio=ALL-UNNAMED -cp %classpath dev.flowgate.controlplane.samples.SampleBenchmark ${SAMPLES_ROUNDS:-300} ${SAMPLES_PAYLOAD:-200}"
