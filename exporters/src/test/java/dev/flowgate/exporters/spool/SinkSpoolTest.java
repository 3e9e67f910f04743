package dev.flowgate.exporters.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.FlowRecordWriter;
import dev.flowgate.exporters.FlowSink;
import dev.flowgate.exporters.JournalPosition;
import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.Volume;
import dev.flowgate.exporters.outcome.SinkOutcomes;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.TestFlow;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool keeps rows in order until committed, resumes after a restart with what was not
 * delivered (what was read and not committed counted in doubt), and drops the oldest past its
 * limit, counted exactly in the sink's ledger.
 */
class SinkSpoolTest {

  @TempDir Path dir;

  private final BufferAllocator allocator = new RootAllocator(Long.MAX_VALUE);
  private final FlowRecordWriter into = new FlowRecordWriter(allocator, 16);
  private long nextPort = 1;

  @AfterEach
  void closeAllocator() {
    into.close();
    allocator.close();
  }

  /**
   * {@code n} flows with distinct source ports (in order) and packets = port, bytes = 100 * port.
   */
  private List<TestFlow> flows(int n) {
    List<TestFlow> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long p = nextPort++;
      list.add(TestFlow.of("10.0.0.1", "10.0.0.2", (int) (p % 65536), 80, 6, p, 100 * p));
    }
    return list;
  }

  private static Volume volume(List<TestFlow> flows) {
    Volume v = Volume.ZERO;
    for (TestFlow f : flows) {
      v = v.plus(new Volume(f.packets(), f.bytes()));
    }
    return v;
  }

  private void append(SinkSpool spool, SinkOutcomes outcomes, List<TestFlow> flows) {
    append(spool, outcomes, flows, null);
  }

  private void append(
      SinkSpool spool, SinkOutcomes outcomes, List<TestFlow> flows, JournalPosition at) {
    try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
      outcomes.handed(volume(flows));
      spool.append(root, at);
    }
  }

  private Path onlySegment() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> segs = files.filter(p -> p.toString().endsWith(".seg")).toList();
      assertThat(segs).hasSize(1);
      return segs.get(0);
    }
  }

  /** Reads every frame now in the spool and returns the packet counts of the rows sent. */
  private List<Long> drain(SinkSpool spool, boolean commit) throws InterruptedException {
    List<Long> packets = new ArrayList<>();
    SinkSpool.Frame f;
    while ((f = spool.read(into, 0)) != null) {
      FlowColumns cols = new FlowColumns(into.root());
      for (int r = f.firstRow(); r < f.rows(); r++) {
        packets.add(cols.packets(r));
      }
      if (commit) {
        spool.commit(f.end());
      }
    }
    return packets;
  }

  private static List<Long> range(long from, long toInclusive) {
    List<Long> l = new ArrayList<>();
    for (long p = from; p <= toInclusive; p++) {
      l.add(p);
    }
    return l;
  }

  @Test
  void rowsComeBackInOrderAcrossFramesAndBatches() throws Exception {
    SinkOutcomes outcomes = new SinkOutcomes("test");
    try (SinkSpool spool = SinkSpool.open(dir, SinkSpool.DEFAULT_LIMIT_BYTES, outcomes)) {
      append(spool, outcomes, flows(2500)); // three frames: 1024, 1024, 452
      append(spool, outcomes, flows(3));
      assertThat(drain(spool, true)).isEqualTo(range(1, 2503));
      assertThat(spool.isDrained()).isTrue();
      assertThat(spool.stats().pendingRows()).isZero();
    }
  }

  @Test
  void aRestartResumesWhatWasNotDeliveredAndCountsWhatWasReadAsInDoubt() throws Exception {
    SinkOutcomes first = new SinkOutcomes("test");
    long committedTo;
    try (SinkSpool spool = SinkSpool.open(dir, SinkSpool.DEFAULT_LIMIT_BYTES, first)) {
      append(spool, first, flows(3000));
      SinkSpool.Frame f = spool.read(into, 0); // rows 1..1024: deliver the first 100
      committedTo = f.position(100);
      spool.commit(committedTo, 4242); // e.g. the next sequence number
      spool.read(into, 0); // rows 1025..2048: sent, never confirmed
      // no close(): the process is killed
    }
    SinkOutcomes second = new SinkOutcomes("test");
    try (SinkSpool spool = SinkSpool.open(dir, SinkSpool.DEFAULT_LIMIT_BYTES, second)) {
      List<TestFlow> left = flowsFrom(101, 3000);
      List<TestFlow> inDoubt = flowsFrom(101, 2048);
      assertThat(spool.mark()).isEqualTo(4242);
      assertThat(spool.stats().resumed()).isEqualTo(volume(left));
      assertThat(spool.stats().inDoubt()).isEqualTo(volume(inDoubt));
      assertThat(second.report().handed()).isEqualTo(volume(left));
      assertThat(drain(spool, true)).isEqualTo(range(101, 3000));
    }
    try (SinkSpool spool =
        SinkSpool.open(dir, SinkSpool.DEFAULT_LIMIT_BYTES, new SinkOutcomes("test"))) {
      assertThat(spool.stats().resumed()).isEqualTo(Volume.ZERO);
      assertThat(spool.read(into, 0)).isNull();
    }
  }

  private static List<TestFlow> flowsFrom(long from, long toInclusive) {
    List<TestFlow> l = new ArrayList<>();
    for (long p = from; p <= toInclusive; p++) {
      l.add(TestFlow.of("10.0.0.1", "10.0.0.2", (int) (p % 65536), 80, 6, p, 100 * p));
    }
    return l;
  }

  @Test
  void pastTheLimitTheOldestUnreadRowsAreDroppedAndCountedExactly() throws Exception {
    SinkOutcomes outcomes = new SinkOutcomes("test");
    long limit = SinkSpool.MIN_LIMIT_BYTES; // 1 MiB: about 13,000 rows
    int total = 40_000;
    try (SinkSpool spool = SinkSpool.open(dir, limit, outcomes)) {
      for (int i = 0; i < total / 1000; i++) {
        append(spool, outcomes, flows(1000));
      }
      SinkSpool.Stats stats = spool.stats();
      assertThat(stats.bytesOnDisk()).isLessThanOrEqualTo(limit);
      assertThat(stats.droppedRows()).isPositive();
      List<Long> arrived = drain(spool, true);
      // the oldest went, the rest arrive in order up to the last row
      long firstKept = total - arrived.size() + 1;
      assertThat(arrived).isEqualTo(range(firstKept, total));
      assertThat(stats.droppedRows()).isEqualTo(firstKept - 1);
      SinkReport report = outcomes.report();
      assertThat(report.dropped()).isEqualTo(volume(flowsFrom(1, firstKept - 1)));
      assertThat(report.handed()).isEqualTo(volume(flowsFrom(1, total)));
    }
  }

  @Test
  void rowsReadButNotCommittedAreTheSendersWhenTheLimitDeletesThem() throws Exception {
    SinkOutcomes outcomes = new SinkOutcomes("test");
    try (SinkSpool spool = SinkSpool.open(dir, SinkSpool.MIN_LIMIT_BYTES, outcomes)) {
      append(spool, outcomes, flows(1024));
      SinkSpool.Frame inFlight = spool.read(into, 0);
      for (int i = 0; i < 40; i++) {
        append(spool, outcomes, flows(1000));
      }
      long restart = spool.rewind();
      assertThat(restart).isGreaterThan(inFlight.end()); // the in-flight frame is gone from disk
      // the limit counted only unread rows; the sender counts its in-flight frame itself
      long unreadDropped = spool.stats().droppedRows();
      List<Long> arrived = drain(spool, true);
      assertThat(1024 + unreadDropped + arrived.size()).isEqualTo(1024 + 40_000);
      assertThat(spool.isDrained()).isTrue();
    }
  }

  @Test
  void rewindReadsAgainFromTheCommittedRow() throws Exception {
    SinkOutcomes outcomes = new SinkOutcomes("test");
    try (SinkSpool spool = SinkSpool.open(dir, SinkSpool.DEFAULT_LIMIT_BYTES, outcomes)) {
      append(spool, outcomes, flows(2000));
      SinkSpool.Frame f = spool.read(into, 0);
      spool.commit(f.position(10));
      spool.read(into, 0);
      spool.rewind();
      assertThat(drain(spool, true)).isEqualTo(range(11, 2000));
    }
  }

  @Test
  void aTornFrameAtTheTailIsCutOffAtStart() throws Exception {
    SinkOutcomes outcomes = new SinkOutcomes("test");
    try (SinkSpool spool = SinkSpool.open(dir, SinkSpool.DEFAULT_LIMIT_BYTES, outcomes)) {
      append(spool, outcomes, flows(500));
    }
    Path seg;
    try (Stream<Path> files = Files.list(dir)) {
      seg = files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
    }
    Files.write(seg, new byte[] {0x46, 0x47, 0x53, 0x31, 0, 0, 1}, StandardOpenOption.APPEND);
    SinkOutcomes again = new SinkOutcomes("test");
    try (SinkSpool spool = SinkSpool.open(dir, SinkSpool.DEFAULT_LIMIT_BYTES, again)) {
      assertThat(drain(spool, true)).isEqualTo(range(1, 500));
      append(spool, again, flows(5));
      assertThat(drain(spool, true)).isEqualTo(range(501, 505));
    }
  }

  @Test
  void discardCountsWhatIsLeftDroppedAndDeletesTheDirectory() throws Exception {
    SinkOutcomes outcomes = new SinkOutcomes("test");
    SinkSpool spool = SinkSpool.open(dir.resolve("sink"), SinkSpool.DEFAULT_LIMIT_BYTES, outcomes);
    List<TestFlow> all = flows(1500);
    append(spool, outcomes, all);
    spool.commit(spool.read(into, 0).end());
    spool.discard("removed by the operator");
    SinkReport r = outcomes.report();
    assertThat(r.dropped()).isEqualTo(volume(all.subList(1024, 1500)));
    assertThat(Files.exists(dir.resolve("sink"))).isFalse();
  }

  @Test
  void heldRowsSaysHowMuchOfAJournalSweepTheSpoolHoldsAfterAKillCutAnAppend() throws Exception {
    SinkOutcomes outcomes = new SinkOutcomes("test");
    try (SinkSpool spool = SinkSpool.open(dir, SinkSpool.DEFAULT_LIMIT_BYTES, outcomes)) {
      assertThat(spool.heldRows(7)).isZero(); // a new spool holds nothing
      append(spool, outcomes, flows(100), new JournalPosition(6, 0));
      append(spool, outcomes, flows(1000), new JournalPosition(7, 0));
      append(spool, outcomes, flows(2000), new JournalPosition(7, 1000)); // frames to 2024, 3000
      assertThat(spool.heldRows(7)).isEqualTo(3000);
      assertThat(spool.heldRows(8)).isZero(); // a later sweep: none of it
      // an earlier sweep while the spool holds a later one: the journal was reset, cannot tell
      assertThat(spool.heldRows(6)).isEqualTo(FlowSink.HELD_UNKNOWN);
    }
    // a kill cut the last frame (rows 2024..2999) while it was written: the start cuts it off
    Path seg = onlySegment();
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 10);
    }
    SinkOutcomes again = new SinkOutcomes("test");
    try (SinkSpool spool = SinkSpool.open(dir, SinkSpool.DEFAULT_LIMIT_BYTES, again)) {
      assertThat(spool.heldRows(7)).isEqualTo(2024);
      assertThat(drain(spool, true)).isEqualTo(range(1, 2124));
      assertThat(spool.heldRows(7)).as("delivered, still known").isEqualTo(2024);
      append(spool, again, flows(5)); // without a position: cannot tell any more
      assertThat(spool.heldRows(7)).isEqualTo(FlowSink.HELD_UNKNOWN);
    }
  }

  @Test
  void framesOfTheVersionBeforeJournalPositionsAreReadAndHoldUnknown() throws Exception {
    SinkOutcomes outcomes = new SinkOutcomes("test");
    try (SinkSpool spool = SinkSpool.open(dir, SinkSpool.DEFAULT_LIMIT_BYTES, outcomes)) {
      append(spool, outcomes, flows(300), new JournalPosition(3, 0));
    }
    // rewrite the frame as the version before wrote it: "FGS1", a 32-byte header
    Path seg = onlySegment();
    byte[] b = Files.readAllBytes(seg);
    byte[] old = new byte[b.length - 16];
    System.arraycopy(b, 0, old, 0, 32);
    System.arraycopy(b, 48, old, 32, b.length - 48);
    old[3] = 0x31;
    Files.write(seg, old);
    SinkOutcomes again = new SinkOutcomes("test");
    try (SinkSpool spool = SinkSpool.open(dir, SinkSpool.DEFAULT_LIMIT_BYTES, again)) {
      assertThat(spool.heldRows(3)).isEqualTo(FlowSink.HELD_UNKNOWN);
      assertThat(drain(spool, true)).isEqualTo(range(1, 300));
      append(spool, again, flows(2), new JournalPosition(4, 0));
      assertThat(drain(spool, true)).isEqualTo(range(301, 302));
      assertThat(spool.heldRows(4)).isEqualTo(2);
    }
  }

  @Test
  void aLimitBelowTheMinimumIsRefused() {
    assertThatThrownBy(() -> SinkSpool.open(dir, 1000, new SinkOutcomes("test")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least");
  }

  @Test
  void openingANewSpoolStartsEmpty() throws IOException, InterruptedException {
    try (SinkSpool spool =
        SinkSpool.open(dir.resolve("new"), SinkSpool.DEFAULT_LIMIT_BYTES, new SinkOutcomes("t"))) {
      assertThat(spool.read(into, 0)).isNull();
      assertThat(spool.isDrained()).isTrue();
    }
  }
}
