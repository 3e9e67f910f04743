package dev.flowgate.controlplane.bench;

import dev.flowgate.bpf.Layout;
import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.cache.FlowCacheOptions;
import dev.flowgate.controlplane.dataplane.Dataplane;
import dev.flowgate.controlplane.journal.CrashJournal;
import dev.flowgate.controlplane.sweep.IntervalBatchBuilder;
import dev.flowgate.controlplane.sweep.Sweeper;
import dev.flowgate.controlplane.sweep.SweeperOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Crash journal cost (not a test): a real kernel flow table (flowgate's object, sized for {@code
 * flows} flows per CPU) whose idle half is filled with {@code flows} distinct flows from user
 * space, then drained into a flow cache by {@link Sweeper#drainIdle}: without a journal (chunked
 * drain through the mmap), with the journal (whole-half copy, one frame written, emptied, merge),
 * and with the journal forcing every frame to disk. Prints per-sweep wall time and journal bytes,
 * and one checkpoint's cost. Needs root (loads BPF). Arguments: {@code [flows [sweeps
 * [journalDir]]]}, default 1,000,000 3 /var/tmp.
 */
public final class JournalBenchmark {
  private JournalBenchmark() {}

  public static void main(String[] args) throws IOException {
    int flows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int sweeps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path base = Path.of(args.length > 2 ? args[2] : "/var/tmp");
    Path pins = Path.of("/sys/fs/bpf/fg-jbench-" + ProcessHandle.current().pid());
    Path dir = Files.createTempDirectory(base, "fg-jbench");
    int chunk = SweeperOptions.DEFAULT_CHUNK_ENTRIES;
    Dataplane dp = Dataplane.load(pins, flows, Layout.DEFAULT_SNAP);
    try (BufferAllocator alloc = new RootAllocator()) {
      SyntheticDrain gen = new SyntheticDrain(flows, chunk);
      int idle = dp.idleHalf();
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
              new Sweeper(
                  dp, batch, cache, new SweeperOptions().chunkEntries(chunk).journal(journal));
          StringBuilder line = new StringBuilder(String.format("%-14s", variant));
          for (int s = 0; s < sweeps; s++) {
            TableFill.fillAsPrograms(dp.flowTable(), dp.totals(), idle, gen, s);
            long bytes0 = journal == null ? 0 : journal.bytesWritten();
            long t0 = System.nanoTime();
            int n = sweeper.drainIdle(idle, System.currentTimeMillis());
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
}
