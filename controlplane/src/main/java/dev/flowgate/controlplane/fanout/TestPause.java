package dev.flowgate.controlplane.fanout;

import dev.flowgate.exporters.FlowSink;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.LoggerFactory;

/**
 * A seam for the crash tests, off unless the system property {@value #PROPERTY} names a sink (as
 * its report does, e.g. {@code udp:127.0.0.1:4739}): once the fan-out has handed that sink a batch
 * that is not empty (not in a replay), it logs {@value #LOG_LINE} and the sweeper's thread stops
 * there for good, so a test can kill -9 the process between two sinks' appends, deterministically.
 */
final class TestPause {

  /** The system property naming the sink to stop after. */
  static final String PROPERTY = "flowgate.test.pause-after-sink";

  /** What the log says when the fan-out stops. */
  static final String LOG_LINE = "test pause: the fan-out stops after handing a batch to";

  private static final String SINK = System.getProperty(PROPERTY);

  private TestPause() {}

  /** Called after {@code sink} got a batch of {@code rows}: stops for good if it is the one. */
  static void after(FlowSink sink, int rows) {
    if (SINK == null || rows == 0 || !SINK.equals(sink.report().sink())) {
      return;
    }
    LoggerFactory.getLogger(ExportFanout.class)
        .warn("{} {} ({} flow records; {})", LOG_LINE, SINK, rows, PROPERTY);
    while (true) {
      LockSupport.park();
    }
  }
}
