package dev.flowgate.exporters.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.Processes;
import dev.flowgate.exporters.testing.TestFlow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Arrow sink on a full disk (a small tmpfs, so root): what survives, exactly. The batch whose
 * write finds no room is failed; the batches before it in the same file are saved under the file's
 * finished name when the copy has room, else counted failed too and left in the {@code .tmp} file,
 * which the next sink on the directory turns into a finished file (rows counted failed then
 * reappear in a file); the sink writes again once there is room, and never throws.
 */
@Tag("kernel")
@Timeout(60)
class ArrowFullDiskTest {

  @TempDir Path temp;

  private static List<TestFlow> flows(int n, int seed) {
    List<TestFlow> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          TestFlow.of(
              "10." + seed + "." + (i / 250) + "." + (i % 250 + 1),
              "192.0.2.1",
              1000 + i,
              53,
              TestFlow.UDP,
              1,
              100));
    }
    return out;
  }

  @Test
  void aFullDiskFailsWhatItCannotHoldAndEveryWholeBatchWrittenEndsInAFinishedFile()
      throws Exception {
    Path dir = Files.createDirectories(temp.resolve("flows"));
    Processes.run(List.of("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", dir.toString()));
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot batch = FlowBatches.build(allocator, List.of())) {
      SettableClock clock = new SettableClock(Instant.parse("2026-11-25T13:45:10Z"));
      Path filler = dir.resolve("filler");
      Files.write(filler, new byte[160 << 10]); // room to free later
      long handedPackets = 0;
      int batches = 0;
      try (ArrowFileSink sink =
          new ArrowFileSink(new ArrowFileSinkOptions().directory(dir).clock(clock), allocator)) {
        while (sink.stats().writeErrors() == 0 && batches < 100) {
          FlowBatches.fill(batch, flows(500, batches));
          sink.write(batch); // never throws
          handedPackets += 500;
          batches++;
        }
        assertThat(sink.stats().writeErrors()).isPositive();
        assertThat(sink.stats().lastError()).contains("No space left on device");
        SinkReport full = sink.report();
        assertThat(full.addsUp()).isTrue();
        // the cut batch is failed; the whole one before it waits in the .tmp file, queued, since
        // its recovery copy found no room either
        assertThat(batches).isEqualTo(2);
        assertThat(full.failed().packets()).as("%s", full).isEqualTo(500);
        assertThat(full.queued().packets()).as("%s", full).isEqualTo(500);
        assertThat(FlowFiles.names(dir)).contains("flows-20261125T134500Z.arrow.tmp");

        Files.delete(filler); // room again: the next tick recovers it, and the sink writes again
        sink.tick(clock.millis());
        SinkReport room = sink.report();
        assertThat(room.delivered().packets()).as("%s", room).isEqualTo(500);
        assertThat(room.queued().isZero()).as("%s", room).isTrue();
        FlowBatches.fill(batch, flows(200, 199));
        sink.write(batch);
        handedPackets += 200;
        assertThat(sink.stats().currentFile()).isNotNull();
        sink.close();
        SinkReport end = sink.report();
        assertThat(end.delivered().packets()).as("%s", end).isEqualTo(700);
        assertThat(end.failed().packets()).isEqualTo(500);
        assertThat(end.addsUp()).isTrue();
      }
      long inFiles = 0;
      for (String name : FlowFiles.arrowFiles(dir)) {
        for (List<List<Object>> rows : FlowFiles.readBatches(dir.resolve(name), allocator)) {
          inFiles += rows.size(); // one packet a flow
        }
      }
      assertThat(FlowFiles.names(dir)).allMatch(n -> n.endsWith(".arrow"));
      // every whole batch, exactly what was counted delivered: all but the one that found no room
      assertThat(inFiles).as("handed %d", handedPackets).isEqualTo(handedPackets - 500);
    } finally {
      Processes.run(List.of("umount", dir.toString()));
    }
  }
}
