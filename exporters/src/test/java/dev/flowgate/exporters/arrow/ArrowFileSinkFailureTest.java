package dev.flowgate.exporters.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.SampleFlows;
import dev.flowgate.exporters.testing.TestFlow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** I/O errors, crashes and their recovery. The tests run as root, so no permission tricks. */
@Timeout(60)
class ArrowFileSinkFailureTest {

  private static final Instant T0 = Instant.parse("2026-11-25T13:45:10Z");
  private static final List<TestFlow> TWO = List.of(SampleFlows.tcp4(), SampleFlows.icmp6());

  @TempDir Path temp;
  private BufferAllocator allocator;
  private VectorSchemaRoot caller;
  private SettableClock clock;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    caller = FlowBatches.build(allocator, List.of());
    clock = new SettableClock(T0);
  }

  @AfterEach
  void tearDown() {
    caller.close();
    allocator.close(); // throws if the sink leaked a buffer
  }

  private ArrowFileSink sink(Path dir) {
    return new ArrowFileSink(new ArrowFileSinkOptions().directory(dir).clock(clock), allocator);
  }

  private List<List<Object>> write(ArrowFileSink sink, List<TestFlow> flows) {
    FlowBatches.fill(caller, flows);
    List<List<Object>> rows = FlowFiles.rows(caller);
    sink.write(caller);
    return rows;
  }

  @Test
  void anUnwritableDirectoryCountsErrorsAndTheSinkWritesOnceItIsUsable() throws Exception {
    Path blocker = temp.resolve("blocker");
    Files.writeString(blocker, "a file where the directory's parent should be");
    Path dir = blocker.resolve("flows");
    try (ArrowFileSink sink = sink(dir)) {
      write(sink, TWO);
      write(sink, TWO);
      ArrowFileSinkStats stats = sink.stats();
      assertThat(stats.writeErrors()).isEqualTo(2);
      assertThat(stats.rowsDropped()).isEqualTo(4);
      assertThat(stats.rowsWritten()).isZero();
      assertThat(stats.currentFile()).isNull();
      assertThat(stats.lastError()).contains("writing 2 flows");

      Files.delete(blocker);
      List<List<Object>> rows = write(sink, TWO);
      sink.close();
      assertThat(sink.stats().rowsWritten()).isEqualTo(2);
      assertThat(sink.stats().writeErrors()).isEqualTo(2);
      assertThat(FlowFiles.readBatches(dir.resolve("flows-20261125T134500Z.arrow"), allocator))
          .containsExactly(rows);
    }
  }

  @Test
  void aDirectoryRemovedUnderAnOpenFileCostsThatFileAndTheSinkGoesOn() throws Exception {
    Path dir = temp.resolve("flows");
    try (ArrowFileSink sink = sink(dir)) {
      write(sink, TWO);
      deleteTree(dir);
      clock.advance(Duration.ofMinutes(1));
      List<List<Object>> rows = write(sink, TWO); // finishing the old file fails; a new one opens
      sink.close();

      ArrowFileSinkStats stats = sink.stats();
      assertThat(stats.writeErrors()).isEqualTo(1);
      assertThat(stats.lastError()).contains("finishing");
      assertThat(stats.filesWritten()).isEqualTo(1);
      assertThat(FlowFiles.names(dir)).containsExactly("flows-20261125T134600Z.arrow");
      assertThat(FlowFiles.readBatches(dir.resolve("flows-20261125T134600Z.arrow"), allocator))
          .containsExactly(rows);
    }
  }

  @Test
  void aFileCutByACrashIsRecoveredWithItsWholeBatches() throws Exception {
    Path crashed = temp.resolve("crashed");
    Path dir = temp.resolve("flows");
    Files.createDirectories(dir);
    List<List<Object>> first;
    long sizeAfterFirst;
    try (ArrowFileSink sink = sink(crashed)) {
      first = write(sink, TWO);
      Path open = crashed.resolve("flows-20261125T134500Z.arrow.tmp");
      sizeAfterFirst = Files.size(open);
      write(sink, TWO);
      // the crash: the second batch reached the disk only in part
      byte[] bytes = Files.readAllBytes(open);
      Files.write(dir.resolve(open.getFileName()), Arrays.copyOf(bytes, bytes.length - 9));
      assertThat(bytes.length - 9).isGreaterThan((int) sizeAfterFirst);
    }

    List<List<Object>> next;
    try (ArrowFileSink sink = sink(dir)) {
      next = write(sink, TWO);
      assertThat(sink.stats().filesRecovered()).isEqualTo(1);
      assertThat(sink.stats().writeErrors()).isZero();
    }
    assertThat(FlowFiles.names(dir))
        .containsExactly("flows-20261125T134500Z-1.arrow", "flows-20261125T134500Z.arrow");
    assertThat(FlowFiles.readBatches(dir.resolve("flows-20261125T134500Z.arrow"), allocator))
        .containsExactly(first);
    assertThat(FlowFiles.readBatches(dir.resolve("flows-20261125T134500Z-1.arrow"), allocator))
        .containsExactly(next);
  }

  /**
   * A kill -9 after a batch was written: the next run may get no flow at all (the crash journal
   * does not replay a sweep whose batches every sink took). Its sink still finishes the killed
   * run's file, at its first tick, and at a close without any tick.
   */
  @Test
  void aFileLeftByAKillIsRecoveredByARunThatGetsNoFlow() throws Exception {
    Path dir = temp.resolve("flows");
    Files.createDirectories(dir);
    Path crashed = temp.resolve("crashed");
    List<List<Object>> rows;
    try (ArrowFileSink sink = sink(crashed)) {
      rows = write(sink, TWO);
      Path open = crashed.resolve("flows-20261125T134500Z.arrow.tmp");
      Files.copy(open, dir.resolve(open.getFileName())); // what a kill leaves
      Files.copy(open, temp.resolve(open.getFileName()));
    }
    Path finished = dir.resolve("flows-20261125T134500Z.arrow");
    try (ArrowFileSink sink = sink(dir)) {
      sink.tick(clock.millis()); // a sweep, no flow
      assertThat(FlowFiles.names(dir)).containsExactly("flows-20261125T134500Z.arrow");
      assertThat(sink.stats().filesRecovered()).isEqualTo(1);
      assertThat(FlowFiles.readBatches(finished, allocator)).containsExactly(rows);
    }
    // a stop before the first sweep
    Files.delete(finished);
    Files.move(
        temp.resolve("flows-20261125T134500Z.arrow.tmp"),
        dir.resolve("flows-20261125T134500Z.arrow.tmp"));
    sink(dir).close();
    assertThat(FlowFiles.names(dir)).containsExactly("flows-20261125T134500Z.arrow");
    assertThat(FlowFiles.readBatches(finished, allocator)).containsExactly(rows);
  }

  @Test
  void aFileCutBeforeItsFirstBatchLeavesNothingBehind() throws Exception {
    Path dir = temp.resolve("flows");
    Files.createDirectories(dir);
    Files.write(dir.resolve("flows-20261125T134400Z.arrow.tmp"), "ARROW1\0\0".getBytes("US-ASCII"));
    Files.write(dir.resolve("flows-20261125T134300Z.arrow.tmp"), new byte[] {'A', 'R'});
    try (ArrowFileSink sink = sink(dir)) {
      write(sink, TWO);
      assertThat(sink.stats().filesRecovered()).isZero();
      assertThat(sink.stats().writeErrors()).isZero();
    }
    assertThat(FlowFiles.names(dir)).containsExactly("flows-20261125T134500Z.arrow");
  }

  @Test
  void aRecoveryCutAfterItsRenameIsNotRecoveredTwice() throws Exception {
    Path dir = temp.resolve("flows");
    List<List<Object>> rows;
    try (ArrowFileSink sink = sink(dir)) {
      rows = write(sink, TWO);
    }
    // the rename happened, the delete of the temporary file did not
    Path finished = dir.resolve("flows-20261125T134500Z.arrow");
    Files.copy(finished, dir.resolve("flows-20261125T134500Z.arrow.tmp"));
    clock.advance(Duration.ofMinutes(1));
    try (ArrowFileSink sink = sink(dir)) {
      write(sink, TWO);
      assertThat(sink.stats().filesRecovered()).isZero();
    }
    assertThat(FlowFiles.names(dir))
        .containsExactly("flows-20261125T134500Z.arrow", "flows-20261125T134600Z.arrow");
    assertThat(FlowFiles.readBatches(finished, allocator)).containsExactly(rows);
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
