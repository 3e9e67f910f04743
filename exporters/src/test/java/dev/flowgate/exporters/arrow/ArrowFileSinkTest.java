package dev.flowgate.exporters.arrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.SampleFlows;
import dev.flowgate.exporters.testing.TestFlow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ArrowFileSinkTest {

  private static final Instant T0 = Instant.parse("2026-11-25T13:45:10Z");

  @TempDir Path temp;
  private BufferAllocator allocator;
  private VectorSchemaRoot caller;
  private SettableClock clock;
  private Path dir;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    caller = FlowBatches.build(allocator, List.of());
    clock = new SettableClock(T0);
    dir = temp.resolve("flows");
  }

  @AfterEach
  void tearDown() {
    caller.close();
    allocator.close(); // throws if the sink leaked a buffer
  }

  private ArrowFileSink sink(int maxFiles) {
    return new ArrowFileSink(
        new ArrowFileSinkOptions().directory(dir).maxFiles(maxFiles).clock(clock), allocator);
  }

  /** Refills the caller's root with {@code flows}, hands it to the sink, returns what it held. */
  private List<List<Object>> write(ArrowFileSink sink, List<TestFlow> flows) {
    FlowBatches.fill(caller, flows);
    List<List<Object>> rows = FlowFiles.rows(caller);
    sink.write(caller);
    return rows;
  }

  /** Flows with every column away from its default, the unsigned ones at their maximum. */
  private static List<TestFlow> extremes(int n, int seed) {
    List<TestFlow> flows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      flows.add(
          new TestFlow(
              "10." + seed + "." + (i / 256) + "." + (i % 256),
              "2001:db8::" + Integer.toHexString(seed * 256 + i + 1),
              65535 - i,
              1 + i,
              TestFlow.UDP,
              255 - i,
              0xff - i,
              -1L - i, // 2^64 - 1 - i as uint64
              Long.MAX_VALUE - seed,
              1_700_000_000_000L + i,
              1_700_000_060_000L + seed,
              0xFFFF_FFFFL - i,
              i % 2,
              4095 - i,
              1 + (i % 5)));
    }
    return flows;
  }

  @Test
  void rowsComeBackExactlyFromEveryBatchOfEveryRotatedFile() throws Exception {
    List<List<Object>> a;
    List<List<Object>> b;
    List<List<Object>> c;
    List<List<Object>> d;
    try (ArrowFileSink sink = sink(10)) {
      a = write(sink, extremes(3, 1));
      clock.set(Instant.parse("2026-11-25T13:45:59.999Z"));
      b = write(sink, List.of(SampleFlows.tcp4(), SampleFlows.icmp6()));
      clock.set(Instant.parse("2026-11-25T13:46:00Z"));
      c = write(sink, extremes(1000, 2));
      clock.advance(Duration.ofMinutes(3));
      d = write(sink, List.of(SampleFlows.icmp6()));
      ArrowFileSinkStats stats = sink.stats();
      assertThat(stats.filesWritten()).isEqualTo(2);
      assertThat(stats.currentFile().getFileName().toString())
          .isEqualTo("flows-20261125T134900Z.arrow.tmp");
    }

    assertThat(FlowFiles.names(dir))
        .containsExactly(
            "flows-20261125T134500Z.arrow",
            "flows-20261125T134600Z.arrow",
            "flows-20261125T134900Z.arrow");
    assertThat(FlowFiles.readBatches(dir.resolve("flows-20261125T134500Z.arrow"), allocator))
        .containsExactly(a, b);
    assertThat(FlowFiles.readBatches(dir.resolve("flows-20261125T134600Z.arrow"), allocator))
        .containsExactly(c);
    assertThat(FlowFiles.readBatches(dir.resolve("flows-20261125T134900Z.arrow"), allocator))
        .containsExactly(d);
    // the comparison is of decoded values: the uint64 maximum comes back as its bit pattern
    assertThat(a.get(0).get(11)).isEqualTo(-1L);
    assertThat(a.get(0).get(0)).isEqualTo("00000000000000000000ffff0a010000");
  }

  @Test
  void countersTellFilesBatchesAndRows() {
    ArrowFileSinkStats stats;
    try (ArrowFileSink sink = sink(10)) {
      write(sink, extremes(5, 1));
      write(sink, extremes(7, 2));
      clock.advance(Duration.ofMinutes(1));
      write(sink, extremes(11, 3));
      sink.close();
      stats = sink.stats();
    }
    assertThat(stats).isEqualTo(new ArrowFileSinkStats(dir, 2, 3, 23, 0, 0, 0, 0, null, null));
  }

  @Test
  void retentionKeepsExactlyTheNewestMaxFilesAndNothingElseIsTouched() throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("notes.txt"), "not ours");
    Files.writeString(dir.resolve("flows-latest.arrow"), "not a flow file name either");
    try (ArrowFileSink sink = sink(3)) {
      for (int minute = 0; minute < 6; minute++) {
        write(sink, extremes(2, minute));
        clock.advance(Duration.ofMinutes(1));
      }
      sink.close();
      assertThat(sink.stats().filesDeleted()).isEqualTo(3);
      assertThat(sink.stats().filesWritten()).isEqualTo(6);
    }
    assertThat(FlowFiles.names(dir))
        .containsExactly(
            "flows-20261125T134800Z.arrow",
            "flows-20261125T134900Z.arrow",
            "flows-20261125T135000Z.arrow",
            "flows-latest.arrow",
            "notes.txt");
  }

  @Test
  void aFileBeingWrittenIsNeverListedAsFinished() throws Exception {
    try (ArrowFileSink sink = sink(10)) {
      write(sink, extremes(4, 1));
      write(sink, extremes(4, 2));
      assertThat(FlowFiles.names(dir)).containsExactly("flows-20261125T134500Z.arrow.tmp");
      assertThat(FlowFiles.arrowFiles(dir)).isEmpty();
      assertThat(new FlowDirectory(dir).finishedFiles()).isEmpty();

      sink.tick(clock.millis()); // same interval: nothing due
      assertThat(FlowFiles.arrowFiles(dir)).isEmpty();
      clock.advance(Duration.ofMinutes(1));
      sink.tick(clock.millis()); // a quiet interval still finishes the file
      assertThat(FlowFiles.names(dir)).containsExactly("flows-20261125T134500Z.arrow");
    }
  }

  @Test
  void aRestartWithinTheIntervalStartsANewerFileAndRetentionKeepsIt() throws Exception {
    List<List<Object>> first;
    List<List<Object>> second;
    try (ArrowFileSink sink = sink(1)) {
      first = write(sink, extremes(3, 1));
    }
    clock.advance(Duration.ofSeconds(20));
    try (ArrowFileSink sink = sink(2)) {
      second = write(sink, extremes(3, 2));
    }
    assertThat(FlowFiles.names(dir))
        .containsExactly("flows-20261125T134500Z-1.arrow", "flows-20261125T134500Z.arrow");
    assertThat(FlowFiles.readBatches(dir.resolve("flows-20261125T134500Z.arrow"), allocator))
        .containsExactly(first);
    assertThat(FlowFiles.readBatches(dir.resolve("flows-20261125T134500Z-1.arrow"), allocator))
        .containsExactly(second);
    try (ArrowFileSink sink = sink(1)) {
      write(sink, extremes(1, 3));
    }
    assertThat(FlowFiles.names(dir)).containsExactly("flows-20261125T134500Z-2.arrow");
  }

  @Test
  void anEmptyBatchWritesNoFile() throws Exception {
    try (ArrowFileSink sink = sink(10)) {
      write(sink, List.of());
      assertThat(sink.stats().batchesWritten()).isZero();
    }
    assertThat(Files.exists(dir)).isFalse();
  }

  @Test
  void aBatchOfAnotherSchemaOrAfterCloseIsRefused() {
    ArrowFileSink sink = sink(10);
    try (VectorSchemaRoot other = VectorSchemaRoot.create(new Schema(List.of()), allocator)) {
      assertThatThrownBy(() -> sink.write(other)).isInstanceOf(IllegalArgumentException.class);
    }
    sink.close();
    sink.close(); // twice is harmless
    FlowBatches.fill(caller, extremes(1, 1));
    assertThatThrownBy(() -> sink.write(caller)).isInstanceOf(IllegalStateException.class);
  }
}
