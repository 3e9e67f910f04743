package dev.flowgate.controlplane.sweep;

import dev.flowgate.bpf.Layout;
import dev.flowgate.bpf.LazyMemory;
import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.dataplane.Dataplane;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

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
 * whole retired half is copied out (nothing emptied), recorded in the journal, and only then
 * emptied (no program writes the retired half any more, so it holds the same entries). The flow
 * cache merges the entries after that, and the journal hears when the sweep's finished flows have
 * gone to the sinks. {@link #replay} re-runs a journaled sweep's merge and expiry exactly as the
 * sweep ran them.
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
  // the chunked drain's buffers (no journal): allocated at its first drain, never with a journal
  private ByteBuffer keys;
  private ByteBuffer values;
  // the journaled drain's buffers: a whole half of the flow table, allocated at the first sweep
  private LazyMemory keyMemory;
  private LazyMemory valueMemory;
  private ByteBuffer mapKeys;
  private ByteBuffer mapValues;
  // the last sweep's interval, kept for the Arrow IPC stream on request: its entries stay in the
  // journaled copy's buffers (mapKeys, mapValues) until the next sweep copies over them
  private int lastCount = -1;
  private long lastOffset;

  /**
   * A sweeper over {@code dataplane}'s flow table (null for one that only {@link #replay}s) that
   * fills {@code batch} and merges it into {@code cache}. With a journal ({@link
   * SweeperOptions#journal}) the sweeper holds buffers for a whole half of the flow table (84 bytes
   * per slot: {@link Dataplane#flowCapacity()} slots), allocated at the first sweep; without one it
   * drains in chunks of {@link SweeperOptions#chunkEntries} through buffers allocated at its first
   * drain.
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
          "the interval's Arrow IPC stream is written from the journaled copy: needs a journal");
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
    return dataplane.flowTable().clear(half);
  }

  /**
   * Re-runs a journaled sweep: merges the {@code count} entries (packed kernel keys and stats from
   * the buffers' positions) into the cache in their order, then expires at {@code nowMs} if the
   * sweep did. No tally, no interval stream.
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
   * Writes the last sweep's interval to {@code out} as one Arrow IPC stream ({@code FlowSchema}, one
   * record batch per chunk; a sweep that drained nothing is the schema alone), from the entries the
   * sweep journaled, which the sweeper keeps until the next sweep: nothing is serialized unless
   * asked. The drained listeners do not hear these rows again. Call on the sweeper's thread.
   *
   * @return false, writing nothing, before the first sweep or when the sweeper keeps no interval
   */
  public boolean writeLastInterval(WritableByteChannel out) throws IOException {
    if (!keepIntervalIpc || lastCount < 0) {
      return false;
    }
    batch.clear();
    try (ArrowStreamWriter writer = new ArrowStreamWriter(batch.root(), null, out)) {
      writer.start();
      for (int at = 0; at < lastCount; at += chunkEntries) {
        int m = Math.min(chunkEntries, lastCount - at);
        batch.clear();
        batch.fill(
            mapKeys.duplicate().position(at * Layout.FLOW_KEY_SIZE),
            mapValues.duplicate().position(at * Layout.FLOW_STATS_SIZE),
            m,
            lastOffset);
        writer.writeBatch();
      }
      writer.end();
    } finally {
      batch.clear();
    }
    return true;
  }

  /** Unmaps the journaled drain's buffers (their pages go back at once, not at a later GC). */
  @Override
  public void close() {
    lastCount = -1;
    mapKeys = null;
    mapValues = null;
    if (keyMemory != null) {
      keyMemory.close();
      valueMemory.close();
      keyMemory = null;
      valueMemory = null;
    }
  }

  /** Read, journal, delete, merge (and expire), tell the journal it went out. */
  private int drainJournaled(int half, long nowMs, boolean expire) {
    long offset = MonotonicClock.epochOffsetNs();
    int slots = dataplane.flowCapacity();
    if (mapKeys == null || mapKeys.capacity() < (long) slots * Layout.FLOW_KEY_SIZE) {
      // sized for a full half, committed only as far as the largest sweep wrote
      keyMemory = LazyMemory.map((long) slots * Layout.FLOW_KEY_SIZE);
      valueMemory = LazyMemory.map((long) slots * Layout.FLOW_STATS_SIZE);
      mapKeys = keyMemory.buffer().order(ByteOrder.LITTLE_ENDIAN);
      mapValues = valueMemory.buffer().order(ByteOrder.LITTLE_ENDIAN);
    }
    lastCount = -1; // the copy overwrites the last interval's entries: none until this one merged
    mapKeys.clear();
    mapValues.clear();
    int n = dataplane.flowTable().copy(half, mapKeys, mapValues);
    mapKeys.limit(n * Layout.FLOW_KEY_SIZE);
    mapValues.limit(n * Layout.FLOW_STATS_SIZE);
    long seq = journal.drained(nowMs, offset, expire, mapKeys, mapValues, n);
    int deleted = discard(half);
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
    tally(mapKeys, mapValues, n);
    mergeEntries(mapKeys, mapValues, n, offset);
    lastCount = n;
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

  private int drain(int half, long nowMs) {
    long offset = MonotonicClock.epochOffsetNs();
    if (keys == null) {
      keys =
          ByteBuffer.allocateDirect(chunkEntries * Layout.FLOW_KEY_SIZE)
              .order(ByteOrder.LITTLE_ENDIAN);
      values =
          ByteBuffer.allocateDirect(chunkEntries * Layout.FLOW_STATS_SIZE)
              .order(ByteOrder.LITTLE_ENDIAN);
    }
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
