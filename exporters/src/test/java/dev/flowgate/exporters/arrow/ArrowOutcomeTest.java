package dev.flowgate.exporters.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.exporters.FlowSchema;
import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.Processes;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Arrow sink's outcomes on a real file system, in flow packets: rows are delivered once the
 * file holding them was renamed into place, and exactly those rows are in the finished files; on a
 * 64 KiB tmpfs that fills up, the rows that could not be written are failed. In both, handed =
 * delivered + dropped + failed, nothing left queued after close.
 */
@Timeout(60)
class ArrowOutcomeTest {

  private static final int PACKETS_PER_FLOW = 3;
  private static final Instant T0 = Instant.parse("2026-11-25T13:45:10Z");

  @TempDir Path temp;
  private BufferAllocator allocator;
  private VectorSchemaRoot caller;
  private SettableClock clock;
  private Path mounted;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    caller = FlowBatches.build(allocator, List.of());
    clock = new SettableClock(T0);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (mounted != null) {
      Processes.run(List.of("umount", mounted.toString()));
    }
    caller.close();
    allocator.close();
  }

  @Test
  void rowsAreDeliveredWhenTheirFileIsRenamedIntoPlace() throws Exception {
    Path dir = temp.resolve("flows");
    ArrowFileSink sink = sink(dir);
    long handed = write(sink, 0, 100);
    handed += write(sink, 100, 100);
    SinkReport open = sink.report();
    assertThat(open.queued().packets()).as("the file is not finished yet").isEqualTo(handed);
    assertThat(open.delivered().isZero()).isTrue();
    clock.advance(Duration.ofMinutes(10)); // the next write finishes the first file
    handed += write(sink, 200, 50);
    assertThat(sink.report().delivered().packets()).isEqualTo(200 * PACKETS_PER_FLOW);
    sink.close();

    SinkReport r = sink.report();
    assertAddsUp(r, handed);
    assertThat(r.sink()).isEqualTo("arrow");
    assertThat(r.delivered().packets()).isEqualTo(handed).isEqualTo(packetsInFiles(dir));
  }

  @Test
  @Tag("kernel") // root: it mounts a tmpfs
  void aFullTmpfsShowsFailedRowsAndTheFilesHoldExactlyTheDelivered() throws Exception {
    mounted = Files.createDirectory(temp.resolve("small"));
    Processes.run(List.of("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mounted.toString()));
    ArrowFileSink sink = sink(mounted);
    long handed = 0;
    for (int batch = 0; sink.report().failed().isZero(); batch++) {
      assertThat(batch).as("the tmpfs filled up").isLessThan(200);
      handed += write(sink, batch * 100, 100);
      if (batch % 3 == 2) {
        clock.advance(Duration.ofMinutes(10)); // some files finish before the disk is full
      }
    }
    handed += write(sink, 100_000, 100); // a write on a full disk fails too
    sink.close();

    SinkReport r = sink.report();
    assertThat(r.handed().packets()).as("%s", r).isEqualTo(handed);
    assertThat(r.addsUp()).isTrue();
    // whole batches whose recovery copy found no room wait in their .tmp file, queued, for the
    // next start's recovery (ArrowFullDiskTest: delivered once there is room)
    assertThat(r.queued().isZero())
        .as("%s", r)
        .isEqualTo(FlowFiles.names(mounted).stream().noneMatch(n -> n.endsWith(".tmp")));
    assertThat(r.failed().packets()).as("%s", r).isPositive();
    assertThat(r.lastError()).contains("No space left on device");
    assertThat(r.delivered().packets()).isEqualTo(packetsInFiles(mounted));
  }

  private static void assertAddsUp(SinkReport r, long handedPackets) {
    assertThat(r.handed().packets()).as("%s", r).isEqualTo(handedPackets);
    assertThat(r.queued().isZero()).as("nothing left queued: %s", r).isTrue();
    assertThat(r.addsUp()).isTrue();
  }

  private ArrowFileSink sink(Path dir) {
    return new ArrowFileSink(
        new ArrowFileSinkOptions().directory(dir).clock(clock).maxFiles(1000), allocator);
  }

  private long write(ArrowFileSink sink, int first, int n) {
    List<TestFlow> flows = new ArrayList<>();
    for (int i = first; i < first + n; i++) {
      flows.add(
          TestFlow.of(
              "172.16." + (i / 250 % 250) + "." + (i % 250 + 1),
              "172.17.0.1",
              20000 + (i % 40000),
              9,
              TestFlow.UDP,
              PACKETS_PER_FLOW,
              64 * PACKETS_PER_FLOW));
    }
    FlowBatches.fill(caller, flows);
    sink.write(caller);
    return (long) n * PACKETS_PER_FLOW;
  }

  /** Packets of every row in the finished {@code .arrow} files of {@code dir}. */
  private long packetsInFiles(Path dir) throws Exception {
    long packets = 0;
    for (String name : FlowFiles.arrowFiles(dir)) {
      for (List<List<Object>> batch : FlowFiles.readBatches(dir.resolve(name), allocator)) {
        for (List<Object> row : batch) {
          packets += ((Number) row.get(FlowSchema.PACKETS_INDEX)).longValue();
        }
      }
    }
    return packets;
  }
}
