package dev.flowgate.controlplane.cache;

import static dev.flowgate.controlplane.cache.CacheTable.BYTES;
import static dev.flowgate.controlplane.cache.CacheTable.FIRST_MS;
import static dev.flowgate.controlplane.cache.CacheTable.GATEWAY_LONGS;
import static dev.flowgate.controlplane.cache.CacheTable.IFACES;
import static dev.flowgate.controlplane.cache.CacheTable.K0;
import static dev.flowgate.controlplane.cache.CacheTable.K1;
import static dev.flowgate.controlplane.cache.CacheTable.K2;
import static dev.flowgate.controlplane.cache.CacheTable.K3;
import static dev.flowgate.controlplane.cache.CacheTable.K4;
import static dev.flowgate.controlplane.cache.CacheTable.K5;
import static dev.flowgate.controlplane.cache.CacheTable.LAST_MS;
import static dev.flowgate.controlplane.cache.CacheTable.PACKETS;
import static dev.flowgate.controlplane.cache.CacheTable.STRIDE;

import dev.flowgate.exporters.EndReason;
import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.FlowRecordWriter;
import dev.flowgate.exporters.FlowSchema;
import java.nio.LongBuffer;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The flow cache: merges the sweeper's interval batches (per-interval deltas from the kernel) into
 * long-lived flows and finishes them with NetFlow/IPFIX semantics, handing finished records on as
 * Arrow batches of {@link FlowSchema}.
 *
 * <p>A flow is finished, with its flowEndReason, when
 *
 * <ul>
 *   <li>{@link EndReason#END_OF_FLOW}: a merged interval shows TCP FIN or RST (at once, in {@link
 *       #merge}; or, between {@link #beginInterval()} and {@link #endInterval()}, once every chunk
 *       of the interval is merged, so that the kernel's per-CPU entries of one connection make one
 *       record; later packets of the connection start a new record);
 *   <li>{@link EndReason#IDLE_TIMEOUT}: {@link #expire} finds {@code now - last >= idle timeout};
 *   <li>{@link EndReason#ACTIVE_TIMEOUT}: else {@link #expire} finds {@code now - start >= active
 *       timeout}; the flow leaves the cache, and the next interval's counts for its key start a new
 *       record (nothing is kept back, nothing counted twice);
 *   <li>{@link EndReason#LACK_OF_RESOURCES}: a new flow arrives while the cache is full; the least
 *       recently seen of a window of {@value #EVICTION_WINDOW} flows (all flows when the cache is
 *       that small) makes room, like Redis' sampled LRU;
 *   <li>{@link EndReason#FORCED_END}: {@link #finishAll()} at shutdown, every flow.
 * </ul>
 *
 * <p><b>No per-flow objects.</b> Flows live in {@link CacheTable}: two primitive arrays (an 80-byte
 * entry per flow and a linear-probing index at load at most 1/2), 96 bytes a flow at a power-of-two
 * capacity, allocated once. A million flows cost the garbage collector nothing to trace.
 *
 * <p><b>Expiry by scanning, not a timer wheel.</b> Every sweep (about once a second) merges an
 * update into every active flow, so each flow's idle deadline moves every interval: a timer wheel
 * or an LRU list would relink the flow on every merge, two or three more cache misses per flow per
 * sweep, on the hot path. Scanning instead walks the dense entry array once per {@link #expire}
 * call, sequentially (hardware prefetch; a small fraction of the merge's cost: BENCHMARKS.md,
 * "Figures that were in javadoc"), exactly: every deadline is checked at every call, so a flow ends
 * at the first call at or after its deadline. Eviction under pressure samples a window after a
 * moving hand instead of keeping a global LRU order, for the same reason. When a third of the
 * flows or more end at one call (a burst of short flows idling out together) the survivors are
 * compacted in one pass and indexed anew ({@link CacheTable#retainPays}) instead of each ending flow
 * being removed from the index by hash (two index misses a flow).
 *
 * <p><b>Merge speed.</b> A million-flow table is far larger than the CPU caches, so the merge looks
 * rows up in blocks of 32: it first touches every index slot and entry the block will need, so
 * their cache misses overlap, then merges the rows one by one (BENCHMARKS.md, section Sweep).
 *
 * <p><b>Accounting.</b> For each (ifindex, direction), packets and bytes merged in = packets and
 * bytes handed to the consumer + {@link #heldPackets held}, at every return from a method, whatever
 * the mix of timeouts and evictions. The held figures are maintained on every merge and finish, so
 * reading them costs a hash lookup.
 *
 * <p>Time is only what the caller passes ({@code nowMs}, epoch ms, the clock of the batches'
 * timestamps). Not thread-safe: the sweeper's thread calls everything, including {@link #top} for
 * the HTTP API and the statistics for metrics (publish copies of them after each sweep).
 */
public final class FlowCache implements AutoCloseable {

  /** Flows looked at to choose one to evict when the cache is full. */
  public static final int EVICTION_WINDOW = 16;

  /** Rows looked up together, their cache misses overlapped ({@link CacheTable#prefetch}). */
  private static final int BLOCK = 32;

  private static final int PROTO_TCP = 6;
  private static final int TCP_FIN_OR_RST = 0x01 | 0x04;

  private final CacheTable table;
  private final HeldCounters held = new HeldCounters();
  private final FlowRecordWriter out;
  private final FinishedFlowConsumer consumer;
  private long idleMs;
  private long activeMs;
  private final int maxBatchRows;
  private final long[] finished = new long[EndReason.values().length + 1]; // by code
  private final long[] blockHash = new long[BLOCK];
  private final long[] blockKey = new long[BLOCK * 6];
  private int pending;
  private int hand;
  private boolean deferEnds;
  private long[] deferred = new long[DEFERRED_STRIDE * 64];
  private int deferredRows;

  // a held-back ending row (deferred): DEFERRED_STRIDE longs at these offsets
  private static final int D_HASH = 0;
  private static final int D_K0 = 1;
  private static final int D_K1 = 2;
  private static final int D_K2 = 3;
  private static final int D_K3 = 4;
  private static final int D_K4 = 5;
  private static final int D_K5 = 6; // the key part only
  private static final int D_PACKETS = 7; // WRITTEN once the row went out uncached
  private static final int D_BYTES = 8;
  private static final int D_FIRST_MS = 9;
  private static final int D_LAST_MS = 10;
  private static final int D_META = 11; // CacheTable.k5Meta: tcp flags, ToS, ip version
  private static final int D_GATEWAY = 12; // CacheTable.GATEWAY_LONGS words, IFACES order
  private static final int DEFERRED_STRIDE = D_GATEWAY + GATEWAY_LONGS;

  /** One row's gateway words (CacheTable.IFACES order), read when a row is inserted or sent. */
  private final long[] rowGateway = new long[GATEWAY_LONGS];

  /** {@link #D_PACKETS} of a deferred row written out uncached: nothing left to finish. */
  private static final long WRITTEN = -1;

  @SuppressWarnings("unused") // keeps the prefetch loads alive
  private long prefetchSink;

  /**
   * Creates an empty cache and its finished-flow batch.
   *
   * @param allocator the cache's child allocator, for the finished-flow batch
   * @param options capacity, timeouts, batch size
   * @param consumer receives every finished flow, on the caller's thread
   */
  public FlowCache(
      BufferAllocator allocator, FlowCacheOptions options, FinishedFlowConsumer consumer) {
    this.consumer = consumer;
    this.idleMs = options.idleTimeoutMs();
    this.activeMs = options.activeTimeoutMs();
    this.maxBatchRows = options.maxBatchRows();
    this.table = new CacheTable(options.capacity());
    this.out = new FlowRecordWriter(allocator, maxBatchRows);
  }

  /**
   * Merges one interval batch (rows of {@link FlowSchema}, e.g. from {@code IntervalBatchBuilder}):
   * adds each row's counts to its flow, creating flows as needed (evicting when full) and finishing
   * flows that saw FIN or RST. Finished flows are handed to the consumer before this returns.
   */
  public void merge(VectorSchemaRoot interval) {
    final FlowColumns in = new FlowColumns(interval);
    final int n = in.rowCount();
    final long a = table.arena;
    final long[] h = blockHash;
    final long[] k = blockKey;
    long heldKey = -1;
    int heldIndex = -1;
    for (int base = 0; base < n; base += BLOCK) {
      int m = Math.min(BLOCK, n - base);
      CacheTable.readKeys(in, base, m, k, h);
      prefetchSink += table.prefetch(h, m);
      for (int j = 0, r = base; j < m; j++, r++) {
        int o = j * 6;
        long k0 = k[o];
        long k1 = k[o + 1];
        long k2 = k[o + 2];
        long k3 = k[o + 3];
        long k4 = k[o + 4];
        long k5 = k[o + 5];
        long pk = in.packets(r);
        long by = in.bytes(r);
        long first = in.startMillis(r);
        long last = in.endMillis(r);
        int fl = in.tcpFlags(r);
        boolean ends = CacheTable.protocol(k5) == PROTO_TCP && (fl & TCP_FIN_OR_RST) != 0;

        if (ends && deferEnds) {
          CacheTable.readGateway(in, r, rowGateway, 0);
          defer(
              h[j],
              k0,
              k1,
              k2,
              k3,
              k4,
              k5,
              pk,
              by,
              first,
              last,
              CacheTable.k5Meta(fl, in.tos(r), in.ipVersion(r)));
          continue;
        }
        int id = table.probe(h[j], k0, k1, k2, k3, k4, k5);
        if (id < 0) {
          CacheTable.readGateway(in, r, rowGateway, 0);
          if (ends) { // a whole connection within one interval: straight out, never cached
            writeRow(
                k0,
                k1,
                k2,
                k3,
                k4,
                k5 | CacheTable.k5Meta(fl, in.tos(r), in.ipVersion(r)),
                pk,
                by,
                first,
                last,
                EndReason.END_OF_FLOW,
                rowGateway,
                0);
            continue;
          }
          if (table.isFull()) {
            evictOne();
            id = table.probe(h[j], k0, k1, k2, k3, k4, k5);
          }
          id =
              insert(
                  -1 - id,
                  h[j],
                  k0,
                  k1,
                  k2,
                  k3,
                  k4,
                  k5,
                  CacheTable.k5Meta(fl, in.tos(r), in.ipVersion(r)),
                  rowGateway,
                  0);
        } else {
          CacheTable.put(
              a,
              id * STRIDE + K5,
              CacheTable.get(a, id * STRIDE + K5) | (CacheTable.k5TcpFlags(fl)));
        }
        add(id, pk, by, first, last);
        int ifindex = CacheTable.ifindex(k4);
        int direction = CacheTable.direction(k5);
        long hk = (long) ifindex << 8 | direction;
        if (hk != heldKey) {
          heldKey = hk;
          heldIndex = held.indexOf(ifindex, direction);
        }
        held.add(heldIndex, pk, by);
        if (ends) {
          finish(id, EndReason.END_OF_FLOW);
        }
      }
    }
    flush();
  }

  /**
   * Starts an interval that comes in several {@link #merge} calls (the sweeper's chunks): until
   * {@link #endInterval()}, rows that end their connection (TCP FIN or RST) are held back, because
   * the same connection may have more rows in a later chunk (the kernel counts a flow seen on two
   * CPUs in two entries).
   */
  public void beginInterval() {
    deferEnds = true;
  }

  /**
   * Ends the interval: merges the held-back ending rows and finishes their flows with {@link
   * EndReason#END_OF_FLOW}, one record per connection whatever the number of rows. A connection
   * that is not cached goes straight out as before; so does one that would need a full cache to
   * make room (then a second ending row of the same connection makes a second record).
   */
  public void endInterval() {
    deferEnds = false;
    final long[] d = deferred;
    final long a = table.arena;
    // pass 1: every row's counts into its flow (cached now if there is room), so that rows of one
    // connection meet; pass 2: finish each such flow once
    for (int i = 0; i < deferredRows; i++) {
      int o = i * DEFERRED_STRIDE;
      long k4 = d[o + D_K4];
      long k5 = d[o + D_K5];
      int id =
          table.probe(d[o + D_HASH], d[o + D_K0], d[o + D_K1], d[o + D_K2], d[o + D_K3], k4, k5);
      if (id < 0) {
        if (table.isFull()) {
          writeRow(
              d[o + D_K0],
              d[o + D_K1],
              d[o + D_K2],
              d[o + D_K3],
              k4,
              k5 | d[o + D_META],
              d[o + D_PACKETS],
              d[o + D_BYTES],
              d[o + D_FIRST_MS],
              d[o + D_LAST_MS],
              EndReason.END_OF_FLOW,
              d,
              o + D_GATEWAY);
          d[o + D_PACKETS] = WRITTEN;
          continue;
        }
        id =
            insert(
                -1 - id,
                d[o + D_HASH],
                d[o + D_K0],
                d[o + D_K1],
                d[o + D_K2],
                d[o + D_K3],
                k4,
                k5,
                d[o + D_META],
                d,
                o + D_GATEWAY);
      } else {
        CacheTable.put(
            a,
            id * STRIDE + K5,
            CacheTable.get(a, id * STRIDE + K5)
                | (CacheTable.k5TcpFlags(CacheTable.tcpFlags(d[o + D_META]))));
      }
      add(id, d[o + D_PACKETS], d[o + D_BYTES], d[o + D_FIRST_MS], d[o + D_LAST_MS]);
      held.add(
          held.indexOf(CacheTable.ifindex(k4), CacheTable.direction(k5)),
          d[o + D_PACKETS],
          d[o + D_BYTES]);
    }
    for (int i = 0; i < deferredRows; i++) {
      int o = i * DEFERRED_STRIDE;
      if (d[o + D_PACKETS] == WRITTEN) {
        continue;
      }
      int id =
          table.probe(
              d[o + D_HASH],
              d[o + D_K0],
              d[o + D_K1],
              d[o + D_K2],
              d[o + D_K3],
              d[o + D_K4],
              d[o + D_K5]);
      if (id >= 0) { // else an earlier row of the same connection finished it
        finish(id, EndReason.END_OF_FLOW);
      }
    }
    deferredRows = 0;
    flush();
  }

  /**
   * A new flow at index slot {@code slot}: its key, and the first row's flags, ToS and version and
   * gateway words ({@code g} from {@code at}).
   */
  private int insert(
      int slot,
      long h,
      long k0,
      long k1,
      long k2,
      long k3,
      long k4,
      long k5,
      long meta,
      long[] g,
      int at) {
    int id = table.insertAt(slot, h, k0, k1, k2, k3, k4, k5);
    CacheTable.put(table.arena, id * STRIDE + K5, k5 | meta);
    for (int w = 0; w < GATEWAY_LONGS; w++) {
      CacheTable.put(table.arena, id * STRIDE + IFACES + w, g[at + w]);
    }
    return id;
  }

  /** Adds one row's counts and times to flow {@code id}. */
  private void add(int id, long packets, long bytes, long firstMs, long lastMs) {
    final long a = table.arena;
    int b = id * STRIDE;
    CacheTable.put(a, b + PACKETS, CacheTable.get(a, b + PACKETS) + (packets));
    CacheTable.put(a, b + BYTES, CacheTable.get(a, b + BYTES) + (bytes));
    CacheTable.put(a, b + FIRST_MS, Math.min(CacheTable.get(a, b + FIRST_MS), firstMs));
    CacheTable.put(a, b + LAST_MS, Math.max(CacheTable.get(a, b + LAST_MS), lastMs));
  }

  private void defer(
      long h,
      long k0,
      long k1,
      long k2,
      long k3,
      long k4,
      long k5,
      long packets,
      long bytes,
      long first,
      long last,
      long meta) {
    int o = deferredRows * DEFERRED_STRIDE;
    if (o + DEFERRED_STRIDE > deferred.length) {
      deferred = java.util.Arrays.copyOf(deferred, deferred.length * 2);
    }
    System.arraycopy(rowGateway, 0, deferred, o + D_GATEWAY, GATEWAY_LONGS);
    if (o + DEFERRED_STRIDE > deferred.length) {
      deferred = java.util.Arrays.copyOf(deferred, deferred.length * 2);
    }
    long[] d = deferred;
    d[o + D_HASH] = h;
    d[o + D_K0] = k0;
    d[o + D_K1] = k1;
    d[o + D_K2] = k2;
    d[o + D_K3] = k3;
    d[o + D_K4] = k4;
    d[o + D_K5] = k5;
    d[o + D_PACKETS] = packets;
    d[o + D_BYTES] = bytes;
    d[o + D_FIRST_MS] = first;
    d[o + D_LAST_MS] = last;
    d[o + D_META] = meta;
    deferredRows++;
  }

  /**
   * Finishes every flow whose idle or active timeout has passed at {@code nowMs} (epoch ms) and
   * hands them to the consumer before returning.
   */
  public void expire(long nowMs) {
    final long a = table.arena;
    if (table.retainPays(endingEstimate(a, nowMs))) {
      expireCompacting(nowMs);
    } else {
      for (int id = 0; id < table.size(); ) {
        EndReason reason = endReason(a, id, nowMs);
        if (reason != null) {
          finish(id, reason); // the last entry moved into id: look at id again
        } else {
          id++;
        }
      }
    }
    flush();
  }

  /**
   * How many flows end at {@code nowMs}, from every {@value #ESTIMATE_STEP}th entry of a large
   * table (every entry of a small one): it only chooses how they are removed, and a full count
   * would cost a second scan (~5 ns a flow held, as much as removing one flow in twenty).
   */
  private int endingEstimate(long a, long nowMs) {
    int size = table.size();
    int step = size >= ESTIMATE_STEP * 256 ? ESTIMATE_STEP : 1;
    int looked = 0;
    int ending = 0;
    for (int id = 0; id < size; id += step) {
      looked++;
      if (endReason(a, id, nowMs) != null) {
        ending++;
      }
    }
    return looked == 0 ? 0 : (int) ((long) ending * size / looked);
  }

  /** {@link #endingEstimate} looks at every this-many-th entry of a large table. */
  private static final int ESTIMATE_STEP = 16;

  /** Why flow {@code id} ends at {@code nowMs} by a timeout, or null if it does not. */
  private EndReason endReason(long a, int id, long nowMs) {
    int b = id * STRIDE;
    if (nowMs - CacheTable.get(a, b + LAST_MS) >= idleMs) {
      return EndReason.IDLE_TIMEOUT;
    }
    if (nowMs - CacheTable.get(a, b + FIRST_MS) >= activeMs) {
      return EndReason.ACTIVE_TIMEOUT;
    }
    return null;
  }

  /**
   * {@link #expire} when many flows end ({@link CacheTable#retainPays}): one pass writes the ending
   * flows out in id order and moves the others down over them, in order; then the table indexes
   * the survivors anew. No index lookup per ending flow, where {@link #finish} needs two.
   */
  private void expireCompacting(long nowMs) {
    final long a = table.arena;
    int size = table.size();
    int kept = 0;
    for (int id = 0; id < size; id++) {
      EndReason reason = endReason(a, id, nowMs);
      if (reason == null) {
        if (kept != id) {
          table.moveEntry(id, kept);
        }
        kept++;
        continue;
      }
      writeFinished(id, reason);
    }
    table.retainFirst(kept);
  }

  /** Shutdown: finishes every flow with {@link EndReason#FORCED_END}; the cache is then empty. */
  public void finishAll() {
    final long a = table.arena;
    for (int id = 0, size = table.size(); id < size; id++) {
      int b = id * STRIDE;
      writeRow(
          CacheTable.get(a, b + K0),
          CacheTable.get(a, b + K1),
          CacheTable.get(a, b + K2),
          CacheTable.get(a, b + K3),
          CacheTable.get(a, b + K4),
          CacheTable.get(a, b + K5),
          CacheTable.get(a, b + PACKETS),
          CacheTable.get(a, b + BYTES),
          CacheTable.get(a, b + FIRST_MS),
          CacheTable.get(a, b + LAST_MS),
          EndReason.FORCED_END,
          arenaGateway(id),
          0);
      release(
          CacheTable.get(a, b + K4),
          CacheTable.get(a, b + K5),
          CacheTable.get(a, b + PACKETS),
          CacheTable.get(a, b + BYTES));
    }
    table.clear();
    flush();
  }

  /** Flows in the cache now. */
  public int activeFlows() {
    return table.size();
  }

  /** Most flows the cache holds. */
  public int capacity() {
    return table.capacity();
  }

  /** Flows finished for this reason since the cache was created. */
  public long finishedFlows(EndReason reason) {
    return finished[reason.code()];
  }

  /** Packets of the flows held now for this ifindex and direction (0 ingress, 1 egress). */
  public long heldPackets(int ifindex, int direction) {
    int i = held.find(ifindex, direction);
    return i < 0 ? 0 : held.packets(i);
  }

  /** Bytes of the flows held now for this ifindex and direction. */
  public long heldBytes(int ifindex, int direction) {
    int i = held.find(ifindex, direction);
    return i < 0 ? 0 : held.bytes(i);
  }

  /** Visits the held packets and bytes of every (ifindex, direction) that ever held a flow. */
  public void forEachHeld(HeldCountsVisitor visitor) {
    for (int i = 0; i < held.size(); i++) {
      visitor.accept(held.ifindex(i), held.direction(i), held.packets(i), held.bytes(i));
    }
  }

  /**
   * The {@code n} active flows with the most bytes or packets, largest first (ties in no set
   * order). One pass over the table with a heap of {@code n} ids: only the results are copied.
   */
  public List<ActiveFlow> top(int n, FlowRanking by) {
    return TopFlows.of(table, n, by, TopFlows.ANY_IFINDEX);
  }

  /** Like {@link #top(int, FlowRanking)}, of the flows on one ifindex only. */
  public List<ActiveFlow> top(int n, FlowRanking by, int ifindex) {
    if (ifindex == TopFlows.ANY_IFINDEX) {
      throw new IllegalArgumentException("ifindex 0 is no interface");
    }
    return TopFlows.of(table, n, by, ifindex);
  }

  /**
   * Copies of the flows at positions {@code from} to {@code from + limit} (fewer at the end): a
   * walk over every flow, page by page. Positions change as flows end (the last one moves into the
   * freed place), so a walk that spans sweeps may miss or repeat flows that ended meanwhile.
   */
  public List<ActiveFlow> page(int from, int limit) {
    if (from < 0 || limit < 1) {
      throw new IllegalArgumentException("from >= 0 and limit >= 1, were " + from + ", " + limit);
    }
    return TopFlows.page(table, from, limit);
  }

  /** The idle timeout in force, ms. */
  public long idleTimeoutMs() {
    return idleMs;
  }

  /** The active timeout in force, ms. */
  public long activeTimeoutMs() {
    return activeMs;
  }

  /**
   * Changes the timeouts from the next {@link #expire} on (a reload, or the journal's replay of a
   * sweep made under other timeouts): flows already held are judged by the new ones.
   */
  public void timeouts(long idleTimeoutMs, long activeTimeoutMs) {
    if (idleTimeoutMs < 1 || activeTimeoutMs < 1) {
      throw new IllegalArgumentException(
          "timeouts must be positive, were " + idleTimeoutMs + ", " + activeTimeoutMs + " ms");
    }
    this.idleMs = idleTimeoutMs;
    this.activeMs = activeTimeoutMs;
  }

  /**
   * Longs per flow in {@link #entries()}: six of key, packets, bytes, first ms, last ms, then five
   * gateway words (interfaces, next hop, forwarding status and MACs).
   */
  public static final int ENTRY_LONGS = STRIDE;

  /**
   * The cache's state for a crash-journal snapshot, without a copy: a read-only view of the {@link
   * #activeFlows()} entries in id order, {@value #ENTRY_LONGS} longs each. Together with {@link
   * #evictionHand()} it is everything later merges and expiries depend on, so {@link #restore}
   * followed by the same merges and expiries finishes the same flows. Valid until the next call
   * that changes the cache.
   */
  public LongBuffer entries() {
    return table.entries();
  }

  /** Where the next eviction's window starts (part of the state, see {@link #entries()}). */
  public int evictionHand() {
    return hand;
  }

  /**
   * Fills an empty cache with the state {@link #entries()} and {@link #evictionHand()} gave, in the
   * same id order. Entries beyond this cache's capacity (a smaller cache configured since) are
   * finished at once as {@link EndReason#LACK_OF_RESOURCES} and handed to the consumer.
   *
   * @param entries {@value #ENTRY_LONGS} longs per flow from its position to its limit
   * @throws IllegalStateException if the cache is not empty
   */
  public void restore(LongBuffer entries, int evictionHand) {
    if (table.size() != 0) {
      throw new IllegalStateException("restore into a cache holding " + table.size() + " flows");
    }
    final long a = table.arena;
    long[] e = new long[STRIDE];
    while (entries.remaining() >= STRIDE) {
      entries.get(e);
      long k5 = e[K5] & CacheTable.K5_KEY_MASK;
      if (table.isFull()) {
        writeRow(
            e[K0],
            e[K1],
            e[K2],
            e[K3],
            e[K4],
            e[K5],
            e[PACKETS],
            e[BYTES],
            e[FIRST_MS],
            e[LAST_MS],
            EndReason.LACK_OF_RESOURCES,
            e,
            IFACES);
        continue;
      }
      long h = CacheTable.hash(e[K0], e[K1], e[K2], e[K3], e[K4], k5);
      int id = table.probe(h, e[K0], e[K1], e[K2], e[K3], e[K4], k5);
      if (id >= 0) {
        throw new IllegalStateException("cache state holds a flow twice");
      }
      id = table.insertAt(-1 - id, h, e[K0], e[K1], e[K2], e[K3], e[K4], k5);
      for (int w = 0; w < STRIDE; w++) {
        CacheTable.put(a, id * STRIDE + w, e[w]);
      }
      held.add(
          held.indexOf(CacheTable.ifindex(e[K4]), CacheTable.direction(e[K5])),
          e[PACKETS],
          e[BYTES]);
    }
    hand = evictionHand;
    flush();
  }

  /**
   * Memory of a cache of {@code capacity} flows when full: the entries ({@link CacheTable#STRIDE}
   * longs each) and the index at its largest (8 bytes a slot). Both are committed as flows arrive.
   */
  public static long bytesAtCapacity(int capacity) {
    return (long) capacity * CacheTable.STRIDE * Long.BYTES
        + (long) CacheTable.maxIndexSlots(capacity) * Long.BYTES;
  }

  /** Frees the finished-flow batch. Call {@link #finishAll()} first to export what is held. */
  @Override
  public void close() {
    out.close();
    table.free();
  }

  private void finish(int id, EndReason reason) {
    writeFinished(id, reason);
    table.remove(id);
  }

  /** Writes flow {@code id} out as finished for {@code reason} and releases its held counts. */
  private void writeFinished(int id, EndReason reason) {
    final long a = table.arena;
    int b = id * STRIDE;
    writeRow(
        CacheTable.get(a, b + K0),
        CacheTable.get(a, b + K1),
        CacheTable.get(a, b + K2),
        CacheTable.get(a, b + K3),
        CacheTable.get(a, b + K4),
        CacheTable.get(a, b + K5),
        CacheTable.get(a, b + PACKETS),
        CacheTable.get(a, b + BYTES),
        CacheTable.get(a, b + FIRST_MS),
        CacheTable.get(a, b + LAST_MS),
        reason,
        arenaGateway(id),
        0);
    release(
        CacheTable.get(a, b + K4),
        CacheTable.get(a, b + K5),
        CacheTable.get(a, b + PACKETS),
        CacheTable.get(a, b + BYTES));
  }

  /** Makes room for one flow: the least recently seen in a window after the hand. */
  private void evictOne() {
    final long a = table.arena;
    int size = table.size();
    int window = Math.min(EVICTION_WINDOW, size);
    int from = hand < size ? hand : 0;
    int victim = from;
    long oldest = Long.MAX_VALUE;
    for (int k = 0, id = from; k < window; k++, id = id + 1 == size ? 0 : id + 1) {
      long last = CacheTable.get(a, id * STRIDE + LAST_MS);
      if (last < oldest) {
        oldest = last;
        victim = id;
      }
    }
    hand = from + window;
    finish(victim, EndReason.LACK_OF_RESOURCES);
  }

  private void release(long k4, long k5, long packets, long bytes) {
    int i = held.find(CacheTable.ifindex(k4), CacheTable.direction(k5));
    held.add(i, -packets, -bytes);
  }

  private void writeRow(
      long k0,
      long k1,
      long k2,
      long k3,
      long k4,
      long k5,
      long packets,
      long bytes,
      long firstMs,
      long lastMs,
      EndReason reason,
      long[] g,
      int at) {
    int row = pending;
    out.writeAddresses(row, k0, k1, k2, k3);
    out.writeKey(
        row,
        CacheTable.srcPort(k4),
        CacheTable.dstPort(k4),
        CacheTable.protocol(k5),
        CacheTable.ipVersion(k5),
        CacheTable.ifindex(k4),
        CacheTable.direction(k5),
        CacheTable.vlanId(k5));
    out.writeCounters(
        row,
        CacheTable.tos(k5),
        CacheTable.tcpFlags(k5),
        packets,
        bytes,
        firstMs,
        lastMs,
        reason.code());
    long ifaces = g[at];
    long srcMacStatus = g[at + 3];
    out.writeGateway(
        row,
        (int) ifaces,
        (int) (ifaces >>> 32),
        g[at + 1],
        g[at + 2],
        (int) srcMacStatus & 0xFF,
        srcMacStatus >>> 8,
        g[at + 4]);
    finished[reason.code()]++;
    if (++pending == maxBatchRows) {
      flush();
    }
  }

  /** Flow {@code id}'s gateway words, copied into {@link #rowGateway}. */
  private long[] arenaGateway(int id) {
    final long a = table.arena;
    int b = id * STRIDE + IFACES;
    for (int w = 0; w < GATEWAY_LONGS; w++) {
      rowGateway[w] = CacheTable.get(a, b + w);
    }
    return rowGateway;
  }

  /** Hands the pending finished rows to the consumer. */
  private void flush() {
    if (pending == 0) {
      return;
    }
    out.publish(pending);
    pending = 0;
    consumer.accept(out.root());
  }
}
