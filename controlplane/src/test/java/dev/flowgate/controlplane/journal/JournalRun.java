package dev.flowgate.controlplane.journal;

import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.cache.FlowCacheOptions;
import dev.flowgate.controlplane.sweep.DecodedRecord;
import dev.flowgate.controlplane.sweep.DrainedEntries;
import dev.flowgate.controlplane.sweep.IntervalBatchBuilder;
import dev.flowgate.controlplane.sweep.Sweeper;
import dev.flowgate.controlplane.sweep.SweeperOptions;
import dev.flowgate.controlplane.sweep.TestFlowKey;
import java.nio.LongBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A flow cache, its gate and a journal driven like the service drives them, with made-up drains
 * instead of the kernel: a small cache (evictions), FIN flows, idle and active timeouts.
 */
final class JournalRun implements AutoCloseable {
  static final int CHUNK = 16;

  final List<DecodedRecord> exported = new ArrayList<>();
  final ExportGate gate = new ExportGate(root -> exported.addAll(DecodedRecord.decode(root)));
  final FlowCache cache;
  final IntervalBatchBuilder batch;
  final Sweeper sweeper;
  private final Random rnd;
  private final DrainedEntries drained = new DrainedEntries(200);

  JournalRun(BufferAllocator allocator, long seed) {
    cache =
        new FlowCache(
            allocator,
            new FlowCacheOptions()
                .capacity(48)
                .idleTimeout(Duration.ofSeconds(3))
                .activeTimeout(Duration.ofSeconds(7)),
            gate);
    batch = new IntervalBatchBuilder(allocator, CHUNK);
    sweeper = new Sweeper(null, batch, cache, new SweeperOptions().chunkEntries(CHUNK));
    rnd = new Random(seed);
  }

  /** The made-up drain of sweep {@code s}: up to 60 entries out of 90 flows. */
  DrainedEntries drain(int s) {
    drained.clear();
    drained.keys().clear();
    drained.values().clear();
    long t = 1_000_000L + s * 1000L;
    int n = rnd.nextInt(60);
    boolean[] seen = new boolean[90];
    for (int i = 0; i < n; i++) {
      int f = rnd.nextInt(90);
      if (seen[f]) {
        continue;
      }
      seen[f] = true;
      TestFlowKey flow =
          TestFlowKey.v4(
                  "10.0.0." + (f + 1),
                  1000 + f,
                  "192.0.2.1",
                  443,
                  f % 3 == 0 ? TestFlowKey.UDP : TestFlowKey.TCP)
              .on(2 + f % 2, f % 2);
      int flags = f % 3 != 0 && rnd.nextInt(10) == 0 ? 0x01 : 0x10;
      long p = 1 + rnd.nextInt(9);
      drained.addMs(
          flow, p, p * 100, t - 900 + rnd.nextInt(100), t - 100 + rnd.nextInt(100), flags, 0);
    }
    drained.keys().limit(drained.count() * 44).position(0);
    drained.values().limit(drained.count() * 72).position(0);
    return drained;
  }

  static long nowMs(int s) {
    return 1_000_000L + s * 1000L + 500;
  }

  /** Sweep {@code s} as the sweeper runs it with a journal, cut short after {@code steps}. */
  void sweep(CrashJournal journal, int s, int steps) {
    DrainedEntries d = drain(s);
    long seq = journal.drained(nowMs(s), 0, true, d.keys(), d.values(), d.count());
    if (steps < 2) {
      return;
    }
    journal.cleared(seq);
    merge(d, s);
    if (steps < 3) {
      return;
    }
    journal.exported(seq);
  }

  /** Entries per journal part in {@link #sweepInParts}: several parts a sweep. */
  static final int PART = 7;

  /**
   * Sweep {@code s} as the sweeper runs it since sweeps are journaled in parts: the entries in
   * parts of {@link #PART}, the end frame, "cleared", the merge of the parts read back from the
   * journal, "exported"; cut short after {@code steps} (0: parts only, 1: the end, 2: merged).
   */
  void sweepInParts(CrashJournal journal, int s, int steps) {
    DrainedEntries d = drain(s);
    long seq = journal.begin(nowMs(s), 0, true);
    for (int at = 0; at < d.count(); at += PART) {
      int m = Math.min(PART, d.count() - at);
      journal.part(
          d.keys().duplicate().limit((at + m) * 44).position(at * 44),
          d.values().duplicate().limit((at + m) * 72).position(at * 72),
          m);
    }
    if (steps < 1) {
      return;
    }
    if (!journal.end(d.count())) {
      throw new IllegalStateException("the journal did not record sweep " + s);
    }
    if (steps < 2) {
      return;
    }
    journal.cleared(seq);
    sweeper.replay(journal.parts(seq), nowMs(s), 0, true);
    if (steps < 3) {
      return;
    }
    journal.exported(seq);
  }

  /** The cache's part of a sweep, no journal. */
  void merge(DrainedEntries d, int s) {
    sweeper.replay(d.keys(), d.values(), d.count(), nowMs(s), 0, true);
  }

  /** The cache's state: entries and hand. */
  long[] state() {
    LongBuffer e = cache.entries();
    long[] out = new long[e.remaining() + 1];
    e.get(out, 0, out.length - 1);
    out[out.length - 1] = cache.evictionHand();
    return out;
  }

  static long packets(List<DecodedRecord> records) {
    return records.stream().mapToLong(DecodedRecord::packets).sum();
  }

  @Override
  public void close() {
    cache.close();
    batch.close();
  }
}
