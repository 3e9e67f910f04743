package dev.flowgate.controlplane.bench;

import dev.flowgate.bpf.BpfMap;
import dev.flowgate.bpf.Layout;
import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.cache.FlowCacheOptions;
import dev.flowgate.controlplane.dataplane.Dataplane;
import dev.flowgate.controlplane.journal.CrashJournal;
import dev.flowgate.controlplane.sweep.IntervalBatchBuilder;
import dev.flowgate.controlplane.sweep.Sweeper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Crash journal cost (not a test): a real kernel flow map (flowgate's object, LRU hash of {@code
 * flows} entries) filled with {@code flows} distinct flows from user space, then drained into a
 * flow cache by {@link Sweeper#drainIdle}: without a journal (chunked lookup-and-delete), with the
 * journal (whole-map lookup, one frame written, delete, merge), and with the journal forcing every
 * frame to disk. Prints per-sweep wall time and journal bytes, and one checkpoint's cost. Needs
 * root (loads BPF). Arguments: {@code [flows [sweeps [journalDir]]]}, default 1,000,000 3 /var/tmp.
 */
public final class JournalBenchmark {
  private JournalBenchmark() {}

  public static void main(String[] args) throws IOException {
    int flows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int sweeps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path base = Path.of(args.length > 2 ? args[2] : "/var/tmp");
    Path pins = Path.of("/sys/fs/bpf/fg-jbench-" + ProcessHandle.current().pid());
    Path dir = Files.createTempDirectory(base, "fg-jbench");
    int chunk = Sweeper.DEFAULT_CHUNK_ENTRIES;
    Dataplane dp = Dataplane.load(pins, flows, Layout.DEFAULT_SNAP);
    try (BufferAllocator alloc = new RootAllocator()) {
      SyntheticDrain gen = new SyntheticDrain(flows, chunk);
      BpfMap map = dp.flowMaps()[0] == dp.currentFlowMap() ? dp.flowMaps()[1] : dp.flowMaps()[0];
      System.out.printf(
          "journal benchmark: %,d flows in a kernel map, %d sweeps each, journal" + " under %s%n",
          flows, sweeps, dir);
      for (String variant : new String[] {"none", "journal", "journal+fsync", "none", "journal"}) {
        CrashJournal journal =
            variant.equals("none")
                ? null
                : CrashJournal.open(dir.resolve(variant), variant.endsWith("fsync"));
        try (FlowCache cache =
                new FlowCache(
                    alloc,
                    new FlowCacheOptions()
                        .capacity(2 * flows)
                        .idleTimeout(Duration.ofHours(1))
                        .activeTimeout(Duration.ofHours(2)),
                    root -> {});
            IntervalBatchBuilder batch = new IntervalBatchBuilder(alloc, chunk)) {
          Sweeper sweeper =
              new Sweeper(dp, batch, cache, (i, d, p, b) -> {}, chunk, false, journal);
          StringBuilder line = new StringBuilder(String.format("%-14s", variant));
          for (int s = 0; s < sweeps; s++) {
            fill(map, gen, s);
            long bytes0 = journal == null ? 0 : journal.bytesWritten();
            long t0 = System.nanoTime();
            int n = sweeper.drainIdle(map, System.currentTimeMillis());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long bytes = journal == null ? 0 : journal.bytesWritten() - bytes0;
            line.append(String.format(" | %,d entries %d ms %,d B", n, ms, bytes));
            if (journal != null) {
              journal.checkpoint(cache); // keep the log short, like the service
            }
          }
          System.out.println(line);
          if (journal != null) {
            long t0 = System.nanoTime();
            journal.checkpoint(cache);
            System.out.printf(
                "  checkpoint of %,d flows: %d ms, %,d B snapshot%n",
                cache.activeFlows(),
                (System.nanoTime() - t0) / 1_000_000,
                Files.size(dir.resolve(variant).resolve(CrashJournal.SNAPSHOT_FILE)));
            journal.close();
          }
        }
      }
    } finally {
      dp.close();
      dp.unpinAll();
      Files.deleteIfExists(pins);
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Puts every flow into the map (one update each; not timed). */
  private static void fill(BpfMap map, SyntheticDrain gen, int sweep) {
    gen.shuffle();
    ByteBuffer k = ByteBuffer.allocateDirect(Layout.FLOW_KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer v = ByteBuffer.allocateDirect(Layout.FLOW_STATS_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    int chunk = gen.keys.capacity() / Layout.FLOW_KEY_SIZE;
    for (int from = 0; from < gen.flows(); from += chunk) {
      int m = Math.min(chunk, gen.flows() - from);
      gen.fill(from, m, sweep);
      for (int i = 0; i < m; i++) {
        k.clear();
        k.put(gen.keys.slice(i * Layout.FLOW_KEY_SIZE, Layout.FLOW_KEY_SIZE)).flip();
        v.clear();
        v.put(gen.values.slice(i * Layout.FLOW_STATS_SIZE, Layout.FLOW_STATS_SIZE)).flip();
        map.update(k, v, BpfMap.BPF_ANY);
      }
    }
  }
}
