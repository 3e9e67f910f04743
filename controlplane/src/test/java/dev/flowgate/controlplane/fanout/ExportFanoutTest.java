package dev.flowgate.controlplane.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.accounting.Accounting;
import dev.flowgate.controlplane.sweep.SweepResult;
import dev.flowgate.exporters.FlowSink;
import dev.flowgate.exporters.IfNameSource;
import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.collector.CollectorExporter;
import dev.flowgate.exporters.collector.CollectorOptions;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.TestFlow;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A collector a reload removes while its spool still holds records keeps delivering them (and stays
 * in the reports) until its time runs out; then what is left is dropped, counted, and its spool
 * deleted.
 */
class ExportFanoutTest {

  @TempDir Path tmp;
  private final RootAllocator allocator = new RootAllocator();

  @AfterEach
  void close() {
    allocator.close();
  }

  private static int deadPort() throws Exception {
    try (DatagramSocket s = new DatagramSocket(0)) {
      return s.getLocalPort(); // bound and closed: nothing listens
    }
  }

  private static SweepResult sweep(long n) {
    return new SweepResult(n, System.currentTimeMillis(), 0, 0, null, Map.of(), null);
  }

  @Test
  void aRemovedCollectorKeepsDeliveringAndStaysInTheReportsUntilItsDeadline() throws Exception {
    Path spool = tmp.resolve("spool");
    CollectorExporter dead =
        CollectorExporter.start(
            new CollectorOptions().collector("127.0.0.1:" + deadPort()).spoolDirectory(spool),
            IfNameSource.of(Map.of()));
    ExportFanout fanout = new ExportFanout(List.of(dead), new Accounting());
    List<TestFlow> flows = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      flows.add(TestFlow.of("10.0.0." + (i + 1), "10.0.1.1", 1000 + i, 53, TestFlow.UDP, 2, 200));
    }
    try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
      fanout.accept(root);
    }
    fanout.removedSinkTimeout(Duration.ofHours(1));
    fanout.replaceSinks(List.of()); // the reload removed it
    fanout.swept(sweep(1));
    assertThat(fanout.sinks()).isEmpty();
    List<SinkReport> reports = fanout.sinkReports();
    assertThat(reports).hasSize(1); // still delivering, still shown
    assertThat(reports.get(0).queued().packets()).isEqualTo(200);
    assertThat(Files.exists(spool)).isTrue();

    fanout.removedSinkTimeout(Duration.ZERO); // the operator gives up on it
    fanout.replaceSinks(List.of());
    fanout.swept(sweep(2)); // its deadline (an hour) is not reached: still there
    assertThat(fanout.sinkReports()).hasSize(1);
    fanout.close(); // at a stop it keeps its spool
    assertThat(Files.exists(spool)).isTrue();
  }

  @Test
  void aRemovedCollectorWhoseTimeoutIsZeroDropsWhatItHeldAtTheNextSweep() throws Exception {
    Path spool = tmp.resolve("spool");
    CollectorExporter dead =
        CollectorExporter.start(
            new CollectorOptions().collector("127.0.0.1:" + deadPort()).spoolDirectory(spool),
            IfNameSource.of(Map.of()));
    ExportFanout fanout = new ExportFanout(List.of(dead), new Accounting());
    List<TestFlow> flows = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      flows.add(TestFlow.of("10.0.0." + (i + 1), "10.0.1.1", 1000 + i, 53, TestFlow.UDP, 2, 200));
    }
    try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
      fanout.accept(root);
    }
    fanout.removedSinkTimeout(Duration.ZERO);
    fanout.replaceSinks(List.of());
    fanout.swept(sweep(1));
    assertThat(fanout.sinkReports()).isEmpty();
    SinkReport r = dead.report();
    assertThat(r.dropped().packets()).isEqualTo(200);
    assertThat(r.queued().isZero()).isTrue();
    assertThat(r.addsUp()).isTrue();
    assertThat(Files.exists(spool)).isFalse();
    fanout.close();
  }

  @Test
  void aRemovedSinkThatHoldsNothingIsClosedAtOnce() throws Exception {
    FlowSink idle =
        CollectorExporter.start(
            new CollectorOptions()
                .collector("127.0.0.1:" + deadPort())
                .spoolDirectory(tmp.resolve("idle")),
            IfNameSource.of(Map.of()));
    ExportFanout fanout = new ExportFanout(List.of(idle), new Accounting());
    fanout.replaceSinks(List.of());
    assertThat(fanout.sinkReports()).isEmpty();
    fanout.close();
  }
}
