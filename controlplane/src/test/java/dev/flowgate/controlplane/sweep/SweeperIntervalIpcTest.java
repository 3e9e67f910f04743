package dev.flowgate.controlplane.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.bpf.BpfMap;
import dev.flowgate.bpf.FlowTable;
import dev.flowgate.bpf.Layout;
import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.cache.FlowCacheOptions;
import dev.flowgate.controlplane.dataplane.Dataplane;
import dev.flowgate.controlplane.journal.CrashJournal;
import dev.flowgate.exporters.FlowSchema;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interval's Arrow IPC stream is written when asked, from the entries the last sweep drained
 * (a real kernel flow table, filled from user space, with the crash journal on as {@code flowgate
 * run} sweeps): every drained entry once, in chunks of the batch's size, the drained listeners not
 * told again; nothing before the first sweep; the schema alone after a sweep that drained nothing.
 */
@Tag("kernel")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SweeperIntervalIpcTest {
  private static final int CHUNK = 16;
  private static final int FLOWS = 50; // four chunks, the last one short

  @TempDir Path dir;
  private Path pins;
  private final RootAllocator allocator = new RootAllocator();

  @BeforeEach
  void pinPath() throws Exception {
    pins = Files.createTempDirectory(Path.of("/sys/fs/bpf"), "fg-" + ProcessHandle.current().pid() + "-ipc");
  }

  @AfterEach
  void cleanup() throws Exception {
    try (var paths = Files.walk(pins)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    allocator.close();
  }

  @Test
  void theLastIntervalIsWrittenOnRequestFromWhatTheSweepDrained() throws Exception {
    AtomicInteger heard = new AtomicInteger();
    try (Dataplane dp = Dataplane.load(pins, 1024, Layout.DEFAULT_SNAP);
        CrashJournal journal = CrashJournal.open(dir, false);
        FlowCache cache = new FlowCache(allocator, new FlowCacheOptions(), finished -> {});
        IntervalBatchBuilder batch = new IntervalBatchBuilder(allocator, CHUNK)) {
      batch.setAppendListener((root, from, count) -> heard.addAndGet(count));
      Sweeper sweeper =
          new Sweeper(
              dp,
              batch,
              cache,
              new SweeperOptions().chunkEntries(CHUNK).keepIntervalIpc(true).journal(journal));
      assertThat(sweeper.writeLastInterval(Channels.newChannel(new ByteArrayOutputStream())))
          .as("before the first sweep")
          .isFalse();

      fill(dp.flowTable(), dp.flowTable().current(), FLOWS);
      assertThat(sweeper.sweep(System.currentTimeMillis(), () -> {})).isEqualTo(FLOWS);
      assertThat(heard.get()).isEqualTo(FLOWS);

      long[] read = readBack(sweeper); // rows, packets, batches
      assertThat(read[0]).as("rows").isEqualTo(FLOWS);
      assertThat(read[1]).as("packets").isEqualTo((long) FLOWS * (FLOWS + 1) / 2);
      assertThat(read[2]).as("record batches").isEqualTo((FLOWS + CHUNK - 1) / CHUNK);
      assertThat(readBack(sweeper)).as("asked again: the same").containsExactly(read);
      assertThat(heard.get()).as("the drained listeners heard each entry once").isEqualTo(FLOWS);
      assertThat(batch.rowCount()).as("the batch is left empty").isZero();

      assertThat(sweeper.sweep(System.currentTimeMillis(), () -> {})).isZero();
      assertThat(readBack(sweeper)).as("an empty sweep: the schema alone").containsExactly(0, 0, 0);
    }
  }

  @Test
  void anIntervalStreamNeedsTheJournalsCopy() {
    try (IntervalBatchBuilder batch = new IntervalBatchBuilder(allocator, CHUNK)) {
      assertThatThrownBy(
              () -> new Sweeper(null, batch, null, new SweeperOptions().keepIntervalIpc(true)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("needs a journal");
    }
  }

  /** Rows, packets and record batches of the stream the sweeper writes now. */
  private long[] readBack(Sweeper sweeper) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(sweeper.writeLastInterval(Channels.newChannel(out))).isTrue();
    long rows = 0;
    long packets = 0;
    long batches = 0;
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayInputStream(out.toByteArray()), allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      assertThat(root.getSchema()).isEqualTo(FlowSchema.SCHEMA);
      while (reader.loadNextBatch()) {
        batches++;
        rows += root.getRowCount();
        UInt8Vector p = (UInt8Vector) root.getVector(FlowSchema.PACKETS_INDEX);
        for (int i = 0; i < root.getRowCount(); i++) {
          packets += p.get(i);
        }
      }
    }
    return new long[] {rows, packets, batches};
  }

  /** Flow i (1..n, i packets) into slot i - 1 of {@code half}, as the programs would. */
  private static void fill(FlowTable table, int half, int n) {
    BpfMap map = table.map();
    long jiffies = table.clock().jiffies();
    ByteBuffer k = ByteBuffer.allocateDirect(4).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer slot = ByteBuffer.allocateDirect(Layout.FLOW_SLOT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 1; i <= n; i++) {
      TestFlowKey f = TestFlowKey.v4("10.0.0." + i, 1000 + i, "192.0.2.1", 443, TestFlowKey.UDP);
      DrainedEntries e = new DrainedEntries(1).add(f, i, 100L * i, 0, 0, 0, 0);
      slot.clear();
      slot.put(e.keys().slice(0, Layout.FLOW_KEY_SIZE));
      slot.putInt(Layout.SLOT_USED);
      slot.put(e.values().slice(0, Layout.FLOW_STATS_SIZE));
      slot.putLong(Layout.FLOW_SLOT_STATS + Layout.FLOW_STATS_FIRST_SEEN_NS, jiffies);
      slot.putLong(Layout.FLOW_SLOT_STATS + Layout.FLOW_STATS_LAST_SEEN_NS, jiffies);
      k.putInt(0, (int) (half * table.halfSlots() + i - 1));
      map.update(k, slot.clear(), BpfMap.BPF_ANY);
    }
  }
}
