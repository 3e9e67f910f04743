package dev.flowgate.controlplane.sweep;

import dev.flowgate.bpf.FlowTable;
import dev.flowgate.bpf.Layout;
import dev.flowgate.bpf.LazyMemory;
import dev.flowgate.bpf.SliceActivity;
import dev.flowgate.controlplane.CrashPoint;
import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.dataplane.Dataplane;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.BitSet;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.slf4j.LoggerFactory;

/**
 * One sweep: point the programs at the other half of the flow table, drain the half they wrote
 * until now in chunks (one JNI crossing each, reading the table's mmap), turn every chunk into rows
 * of the interval batch and merge it into the flow cache, then expire flows by timeout.
 *
 * <p>Loss-free by construction: after {@link Dataplane#swapFlowTable()} no program writes into the
 * drained half, so the drain sees every increment. What the kernel could not put into the table at
 * all is counted apart, in its totals, and shows as "unaccounted". A flow counted on several CPUs
 * arrives as several entries with one key; the flow cache adds them up.
 *
 * <p><b>With a {@link SweepJournal}</b> (the crash journal) the drain reads before it empties: the
 * retired half is copied out a chunk at a time into the sweeper's chunk buffers (nothing emptied),
 * each chunk appended to the journal as one part, and only once the whole half is journaled is it
 * emptied (no program writes the retired half any more, so it holds the same entries). The flow
 * cache then merges the parts, read back from the journal (the page cache) one at a time, and the
 * journal hears when the sweep's finished flows have gone to the sinks: no sweep holds a copy of
 * the half. {@link #replay} re-runs a journaled sweep's merge and expiry exactly as the sweep ran
 * them, part for part.
 *
 * <p>Runs on the sweeper's own thread, never on an event loop. Not thread-safe.
 */
public final class Sweeper implements AutoCloseable {

  private final Dataplane dataplane;
  private final IntervalBatchBuilder batch;
  private final FlowCache cache;
  private final DrainTally tally;
  private final int chunkEntries;
  private final boolean keepIntervalIpc;
  private final SweepJournal journal;
  // one chunk of entries (chunkEntries, or the largest part a replay read): every drain, journal
  // part, merge and IPC batch goes through these; mapped at the first use, unmapped at close
  private LazyMemory chunkMemory;
  private ByteBuffer keys;
  private ByteBuffer values;
  // the last sweep's interval, kept for the Arrow IPC stream on request: its entries stay in the
  // journal's parts of that sweep (lastSequence), readable until the next sweep begins
  private int lastCount = -1;
  private long lastSequence;
  private long lastOffset;

  /**
   * A sweeper over {@code dataplane}'s flow table (null for one that only {@link #replay}s) that
   * fills {@code batch} and merges it into {@code cache}, in chunks of {@link
   * SweeperOptions#chunkEntries} (116 bytes each) through buffers mapped at its first drain; with a
   * journal ({@link SweeperOptions#journal}) each chunk is one part of the journal.
   */
  public Sweeper(
      Dataplane dataplane, IntervalBatchBuilder batch, FlowCache cache, SweeperOptions options) {
    this.dataplane = dataplane;
    this.batch = batch;
    this.cache = cache;
    this.tally = options.tally();
    this.chunkEntries = options.chunkEntries();
    this.keepIntervalIpc = options.keepIntervalIpc();
    this.journal = options.journal();
    if (keepIntervalIpc && journal == null) {
      throw new IllegalArgumentException(
          "the interval's Arrow IPC stream is written from the journal's parts: needs a journal");
    }
  }

  /**
   * Sweeps once: swap, drain, merge, expire.
   *
   * @param nowMs epoch ms used for timeouts
   * @param afterSwap runs between the swap and the drain: the moment to read the kernel totals that
   *     the drained map's counts belong to
   * @return entries drained
   */
  public int sweep(long nowMs, Runnable afterSwap) {
    int drained = dataplane.swapFlowTable();
    afterSwap.run();
    int n;
    if (journal != null) {
      n = drainJournaled(drained, nowMs, true);
    } else {
      n = drain(drained, nowMs);
      cache.expire(nowMs);
    }
    return n;
  }

  /**
   * Drains a half of the flow table into the cache without swapping (at start, for what a previous
   * run or the time flowgate was stopped left in the half that is not current).
   */
  public int drainIdle(int half, long nowMs) {
    return journal != null ? drainJournaled(half, nowMs, false) : drain(half, nowMs);
  }

  /**
   * Empties a half of the flow table without counting it anywhere: at start, for what a sweep cut
   * short by a crash had journaled but not yet emptied.
   *
   * @return entries emptied
   */
  public int discard(int half) {
    dataplane.sliceActivity().forget(half);
    return dataplane.flowTable().clear(half);
  }

  /**
   * Re-runs a journaled sweep: merges the {@code count} entries (packed kernel keys and stats from
   * the buffers' positions) into the cache in their order, then expires at {@code nowMs} if the
   * sweep did. No tally, no interval stream. (A journal frame written before sweeps were journaled
   * in parts, or an upgrade's older-schema entries.)
   */
  public void replay(
      ByteBuffer keys,
      ByteBuffer values,
      int count,
      long nowMs,
      long epochOffsetNs,
      boolean expire) {
    mergeEntries(keys, values, count, epochOffsetNs);
    if (expire) {
      cache.expire(nowMs);
    }
  }

  /**
   * Re-runs a sweep journaled in parts: merges each part as one batch, in order, as the sweep did,
   * then expires at {@code nowMs} if the sweep did. No tally, no interval stream.
   */
  public void replay(SweepParts parts, long nowMs, long epochOffsetNs, boolean expire) {
    mergeParts(parts, epochOffsetNs, false);
    if (expire) {
      cache.expire(nowMs);
    }
  }

  /**
   * Writes the last sweep's interval to {@code out} as one Arrow IPC stream ({@code FlowSchema}, one
   * record batch per journal part; a sweep that drained nothing is the schema alone), read back
   * from the journal's parts of that sweep one at a time: nothing is serialized unless asked, and
   * the memory is one chunk. The drained listeners do not hear these rows again. Call on the
   * sweeper's thread.
   *
   * @return false, writing nothing, before the first sweep or when the sweeper keeps no interval
   */
  public boolean writeLastInterval(WritableByteChannel out) throws IOException {
    if (!keepIntervalIpc || lastCount < 0) {
      return false;
    }
    SweepParts parts = journal.parts(lastSequence);
    batch.clear();
    try (ArrowStreamWriter writer = new ArrowStreamWriter(batch.root(), null, out)) {
      writer.start();
      for (int i = 0; i < parts.parts(); i++) {
        int m = readPart(parts, i);
        batch.clear();
        batch.fill(keys, values, m, lastOffset);
        writer.writeBatch();
      }
      writer.end();
    } finally {
      batch.clear();
    }
    return true;
  }

  /** Forgets the last interval and unmaps the chunk buffers (at once, not at a later GC). */
  @Override
  public void close() {
    lastCount = -1;
    keys = null;
    values = null;
    if (chunkMemory != null) {
      chunkMemory.close();
      chunkMemory = null;
    }
  }

  /**
   * Read in parts, journal each, delete, merge the parts read back from the journal (and expire),
   * tell the journal it went out. Falls back to {@link #drain} when the journal could not record
   * the half (nothing was emptied or merged by then).
   */
  private int drainJournaled(int half, long nowMs, boolean expire) {
    long offset = MonotonicClock.epochOffsetNs();
    chunkBuffers(chunkEntries);
    lastCount = -1; // the journal's parts of the last interval go with this sweep's begin
    // only the slices a CPU wrote since this half was last emptied: an idle table is not read
    SliceActivity activity = dataplane.sliceActivity();
    BitSet written = activity.written(half);
    FlowTable table = dataplane.flowTable();
    long seq = journal.begin(nowMs, offset, expire);
    keys.clear();
    values.clear();
    int n = table.copy(half, written, keys, values, this::journalPart);
    if (!journal.end(n)) {
      // the journal failed (logged, counted): this sweep goes unprotected, as the journal's
      // contract says; the half is still whole, so the plain drain takes it
      int got = drain(half, nowMs);
      activity.emptied(half);
      if (expire) {
        cache.expire(nowMs);
      }
      return got;
    }
    if (n > 0) {
      CrashPoint.reached(CrashPoint.SWEEP_JOURNALED);
    }
    int deleted = table.clear(half, written);
    activity.emptied(half);
    if (deleted != n) {
      // only a writer on the retired half could do this: the swap contract is broken
      throw new IllegalStateException(
          "flow table half "
              + half
              + " held "
              + n
              + " entries when journaled and "
              + deleted
              + " when emptied");
    }
    journal.cleared(seq);
    mergeParts(journal.parts(seq), offset, true);
    lastCount = n;
    lastSequence = seq;
    lastOffset = offset;
    if (expire) {
      cache.expire(nowMs);
    }
    journal.exported(seq);
    return n;
  }

  /** Merges entries in chunks of the interval batch's size. */
  private void mergeEntries(ByteBuffer keyBuf, ByteBuffer valueBuf, int count, long offset) {
    int chunk = chunkEntries;
    int k0 = keyBuf.position();
    int v0 = valueBuf.position();
    cache.beginInterval();
    for (int at = 0; at < count; at += chunk) {
      int m = Math.min(chunk, count - at);
      batch.clear();
      batch.append(
          keyBuf.duplicate().position(k0 + at * Layout.FLOW_KEY_SIZE),
          valueBuf.duplicate().position(v0 + at * Layout.FLOW_STATS_SIZE),
          m,
          offset);
      cache.merge(batch.root());
    }
    cache.endInterval();
  }

  /** One chunk of the retired half to the journal (the crash tests may stop after the first). */
  private void journalPart(ByteBuffer keys, ByteBuffer values, int count) {
    journal.part(keys, values, count);
    if (CrashPoint.armed(CrashPoint.SWEEP_PART_JOURNALED)) {
      LoggerFactory.getLogger(Sweeper.class).warn("journaled a part of {} entries", count);
      CrashPoint.reached(CrashPoint.SWEEP_PART_JOURNALED);
    }
  }

  /**
   * Merges a sweep's parts in order, each as one batch (what a replay of the sweep does too), with
   * the drained tally if {@code tally}.
   */
  private void mergeParts(SweepParts parts, long offset, boolean tally) {
    cache.beginInterval();
    for (int i = 0; i < parts.parts(); i++) {
      int m = readPart(parts, i);
      if (tally) {
        tally(keys, values, m);
      }
      batch.clear();
      batch.append(keys, values, m, offset);
      cache.merge(batch.root());
    }
    cache.endInterval();
  }

  /** Part {@code i} into the chunk buffers (from position 0); returns its entries. */
  private int readPart(SweepParts parts, int i) {
    int m = parts.entries(i);
    chunkBuffers(m);
    keys.clear().limit(m * Layout.FLOW_KEY_SIZE);
    values.clear().limit(m * Layout.FLOW_STATS_SIZE);
    parts.read(i, keys, values);
    return m;
  }

  /** The chunk buffers, with room for at least {@code entries} (a part written with more). */
  private void chunkBuffers(int entries) {
    if (keys == null || keys.capacity() < entries * Layout.FLOW_KEY_SIZE) {
      close();
      long n = Math.max(entries, chunkEntries);
      chunkMemory = LazyMemory.map(n * (Layout.FLOW_KEY_SIZE + Layout.FLOW_STATS_SIZE));
      ByteBuffer all = chunkMemory.buffer();
      int k = (int) n * Layout.FLOW_KEY_SIZE;
      keys = all.duplicate().limit(k).slice().order(ByteOrder.LITTLE_ENDIAN);
      values = all.duplicate().position(k).slice().order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  private int drain(int half, long nowMs) {
    long offset = MonotonicClock.epochOffsetNs();
    chunkBuffers(chunkEntries);
    int total = 0;
    cache.beginInterval();
    while (true) {
      keys.clear();
      values.clear();
      int n = dataplane.flowTable().drain(half, keys, values);
      if (n == 0) {
        break;
      }
      total += n;
      tally(keys, values, n);
      batch.clear();
      batch.append(keys, values, n, offset);
      cache.merge(batch.root());
      // a pass over the half ends with a call that returns 0
    }
    cache.endInterval(); // a connection's rows from several CPUs make one record
    return total;
  }

  private void tally(ByteBuffer keys, ByteBuffer values, int n) {
    if (tally == SweeperOptions.NO_TALLY) {
      return; // nobody listens (every periodic sweep): no pass over the entries
    }
    for (int i = 0; i < n; i++) {
      int k = keys.position() + i * Layout.FLOW_KEY_SIZE;
      int v = values.position() + i * Layout.FLOW_STATS_SIZE;
      tally.add(
          Layout.flowKeyIfindex(keys, k),
          Layout.flowKeyDirection(keys, k),
          Layout.flowStatsPackets(values, v),
          Layout.flowStatsBytes(values, v));
    }
  }

  /** Receives drained counts per (ifindex, direction). */
  @FunctionalInterface
  public interface DrainTally {
    void add(int ifindex, int direction, long packets, long bytes);
  }
}
