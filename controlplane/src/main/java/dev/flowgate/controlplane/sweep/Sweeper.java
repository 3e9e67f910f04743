package dev.flowgate.controlplane.sweep;

import dev.flowgate.bpf.BpfMap;
import dev.flowgate.bpf.Layout;
import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.dataplane.Dataplane;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/**
 * One sweep: point the programs at the other flow map, drain the one they wrote until now in
 * chunks (one JNI crossing each), turn every chunk into rows of the interval batch and merge it
 * into the flow cache, then expire flows by timeout.
 *
 * <p>Loss-free by construction: after {@link Dataplane#swapFlowMaps()} no program writes into the
 * drained map, so lookup-and-delete sees every increment. What the kernel could not put into the
 * map at all is counted apart, in its totals, and shows as "unaccounted".
 *
 * <p>Runs on the sweeper's own thread, never on an event loop. Not thread-safe.
 */
public final class Sweeper {

  /** Entries drained per JNI crossing: 65,536 (5.5 MB of buffers). */
  public static final int DEFAULT_CHUNK_ENTRIES = 1 << 16;

  private final Dataplane dataplane;
  private final IntervalBatchBuilder batch;
  private final FlowCache cache;
  private final DrainTally tally;
  private final ByteBuffer keys;
  private final ByteBuffer values;
  private final boolean keepIntervalIpc;
  private volatile byte[] lastIntervalIpc = new byte[0];
  private long sweeps;

  /**
   * @param tally receives the packets and bytes drained per (ifindex, direction)
   * @param keepIntervalIpc serialize each interval as an Arrow IPC stream for {@link
   *     #lastIntervalIpc()}
   */
  public Sweeper(
      Dataplane dataplane,
      IntervalBatchBuilder batch,
      FlowCache cache,
      DrainTally tally,
      int chunkEntries,
      boolean keepIntervalIpc) {
    this.dataplane = dataplane;
    this.batch = batch;
    this.cache = cache;
    this.tally = tally;
    this.keepIntervalIpc = keepIntervalIpc;
    this.keys = ByteBuffer.allocateDirect(chunkEntries * Layout.FLOW_KEY_SIZE)
        .order(ByteOrder.LITTLE_ENDIAN);
    this.values = ByteBuffer.allocateDirect(chunkEntries * Layout.FLOW_STATS_SIZE)
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Sweeps once: swap, drain, merge, expire.
   *
   * @param nowMs epoch ms used for timeouts
   * @param afterSwap runs between the swap and the drain: the moment to read the kernel totals
   *     that the drained map's counts belong to
   * @return entries drained
   */
  public int sweep(long nowMs, Runnable afterSwap) {
    BpfMap drained = dataplane.swapFlowMaps();
    afterSwap.run();
    int n = drain(drained, nowMs);
    cache.expire(nowMs);
    sweeps++;
    return n;
  }

  /**
   * Drains a flow map into the cache without swapping (at start, for what a previous run or the
   * time flowgate was stopped left in the map that is not current).
   */
  public int drainIdle(BpfMap map, long nowMs) {
    return drain(map, nowMs);
  }

  /** Sweeps completed. */
  public long sweeps() {
    return sweeps;
  }

  /**
   * The latest interval batch as an Arrow IPC stream, serialized when its sweep ended (empty
   * before the first sweep, or when not kept).
   */
  public byte[] lastIntervalIpc() {
    return lastIntervalIpc;
  }

  private int drain(BpfMap map, long nowMs) {
    long offset = MonotonicClock.epochOffsetNs();
    int total = 0;
    ByteArrayOutputStream ipc = keepIntervalIpc ? new ByteArrayOutputStream() : null;
    ArrowStreamWriter writer = null;
    try {
      while (true) {
        keys.clear();
        values.clear();
        int n = map.lookupAndDeleteBatch(keys, values);
        if (n == 0) {
          break;
        }
        total += n;
        tally(n);
        batch.clear();
        batch.append(keys, values, n, offset);
        if (ipc != null) {
          if (writer == null) {
            writer = new ArrowStreamWriter(batch.root(), null, Channels.newChannel(ipc));
            writer.start();
          }
          writer.writeBatch();
        }
        cache.merge(batch.root());
        if (n < keys.capacity() / Layout.FLOW_KEY_SIZE) {
          break;
        }
      }
      if (ipc != null) {
        if (writer == null) {
          batch.clear();
          writer = new ArrowStreamWriter(batch.root(), null, Channels.newChannel(ipc));
          writer.start();
        }
        writer.end();
        lastIntervalIpc = ipc.toByteArray();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (writer != null) {
        writer.close();
      }
    }
    return total;
  }

  private void tally(int n) {
    for (int i = 0; i < n; i++) {
      int k = i * Layout.FLOW_KEY_SIZE;
      int v = i * Layout.FLOW_STATS_SIZE;
      tally.add(
          keys.getInt(k + Layout.FLOW_KEY_IFINDEX),
          keys.get(k + Layout.FLOW_KEY_DIRECTION),
          values.getLong(v + Layout.FLOW_STATS_PACKETS),
          values.getLong(v + Layout.FLOW_STATS_BYTES));
    }
  }

  /** Receives drained counts per (ifindex, direction). */
  @FunctionalInterface
  public interface DrainTally {
    void add(int ifindex, int direction, long packets, long bytes);
  }
}
