package dev.flowgate.controlplane.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.accounting.Accounting;
import dev.flowgate.controlplane.sweep.SweepResult;
import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.FlowSink;
import dev.flowgate.exporters.IfNameSource;
import dev.flowgate.exporters.JournalPosition;
import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.Volume;
import dev.flowgate.exporters.collector.CollectorExporter;
import dev.flowgate.exporters.collector.CollectorOptions;
import dev.flowgate.exporters.outcome.SinkOutcomes;
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

  /** A sink that keeps the packet counts of the rows it gets and holds what it is told to. */
  private static final class HoldingSink implements FlowSink {
    final SinkOutcomes outcomes;
    final long held;
    final List<Long> packets = new ArrayList<>();
    final List<JournalPosition> positions = new ArrayList<>();
    int asked;

    HoldingSink(String name, long held) {
      this.outcomes = new SinkOutcomes(name);
      this.held = held;
    }

    @Override
    public void write(VectorSchemaRoot finished) {
      write(finished, null);
    }

    @Override
    public void write(VectorSchemaRoot finished, JournalPosition at) {
      FlowColumns cols = new FlowColumns(finished);
      for (int r = 0; r < cols.rowCount(); r++) {
        packets.add(cols.packets(r));
        outcomes.handed(new Volume(cols.packets(r), cols.bytes(r)));
        outcomes.delivered(new Volume(cols.packets(r), cols.bytes(r)));
      }
      positions.add(at);
    }

    @Override
    public long heldRows(long sequence) {
      asked++;
      return held;
    }

    @Override
    public SinkReport report() {
      return outcomes.report();
    }

    @Override
    public void close() {}
  }

  /** Rows with packets {@code from+1 .. to}, bytes 10 times that. */
  private VectorSchemaRoot rows(int from, int to) {
    List<TestFlow> flows = new ArrayList<>();
    for (int i = from; i < to; i++) {
      flows.add(
          TestFlow.of(
              "10.0.0.1", "10.0.1.1", 1 + i % 60000, 53, TestFlow.UDP, i + 1, 10L * (i + 1)));
    }
    return FlowBatches.build(allocator, flows);
  }

  private static List<Long> packets(int from, int to) {
    List<Long> l = new ArrayList<>();
    for (int i = from; i < to; i++) {
      l.add((long) i + 1);
    }
    return l;
  }

  @Test
  void aReplayedSweepGoesToEachSinkOnlyAsFarAsItsOwnJournalMissesIt() {
    HoldingSink whole = new HoldingSink("whole", 3000); // its spool holds all of sweep 7
    HoldingSink cut = new HoldingSink("cut", 1500); // a kill cut its append inside batch 2
    HoldingSink none = new HoldingSink("none", 0); // the kill came before its append
    HoldingSink unknown = new HoldingSink("arrow", FlowSink.HELD_UNKNOWN); // no journal of its own
    ExportFanout fanout = new ExportFanout(List.of(whole, cut, none, unknown), new Accounting());
    boolean inDoubt;
    try (VectorSchemaRoot first = rows(0, 1000);
        VectorSchemaRoot second = rows(1000, 3000)) {
      inDoubt = fanout.acceptReplayed(first, new JournalPosition(7, 0));
      inDoubt &= fanout.acceptReplayed(second, new JournalPosition(7, 1000));
    }
    assertThat(inDoubt).isTrue(); // the sink without a journal got it again
    assertThat(whole.packets).isEmpty();
    assertThat(cut.packets).isEqualTo(packets(1500, 3000));
    assertThat(cut.positions).containsExactly(new JournalPosition(7, 1500));
    assertThat(none.packets).isEqualTo(packets(0, 3000));
    assertThat(none.positions)
        .containsExactly(new JournalPosition(7, 0), new JournalPosition(7, 1000));
    assertThat(unknown.packets).isEqualTo(packets(0, 3000));
    for (HoldingSink s : List.of(whole, cut, none, unknown)) {
      assertThat(s.asked).as(s.outcomes.sink()).isEqualTo(1); // once per sweep
    }
    // in doubt only where a sink could not tell: 1 + 2 + ... + 3000 packets
    Map<String, Volume> doubt = new java.util.HashMap<>();
    for (SinkReport r : fanout.sinkReports()) {
      doubt.put(r.sink(), r.inDoubt());
    }
    long sum = 3000L * 3001 / 2;
    assertThat(doubt)
        .containsEntry("arrow", new Volume(sum, 10 * sum))
        .containsEntry("whole", Volume.ZERO)
        .containsEntry("cut", Volume.ZERO)
        .containsEntry("none", Volume.ZERO);
    // a sweep no sink misses and every sink can tell: nothing in doubt
    ExportFanout spooled = new ExportFanout(List.of(whole, none), new Accounting());
    try (VectorSchemaRoot batch = rows(0, 10)) {
      assertThat(spooled.acceptReplayed(batch, new JournalPosition(8, 0))).isFalse();
    }
    // a sweep that is not replayed goes to every sink with its position
    try (VectorSchemaRoot batch = rows(0, 10)) {
      fanout.accept(batch, new JournalPosition(9, 0));
    }
    assertThat(whole.positions).containsExactly(new JournalPosition(9, 0));
    assertThat(whole.packets).isEqualTo(packets(0, 10));
  }
}
