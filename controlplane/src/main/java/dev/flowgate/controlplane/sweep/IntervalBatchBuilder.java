package dev.flowgate.controlplane.sweep;

import static dev.flowgate.bpf.Layout.FLOW_KEY_SIZE;
import static dev.flowgate.bpf.Layout.FLOW_STATS_SIZE;

import dev.flowgate.bpf.Layout;
import dev.flowgate.exporters.FlowRecordWriter;
import dev.flowgate.exporters.FlowSchema;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Turns the entries a sweep drained from the kernel's flow table into rows of the interval batch:
 * one reused {@link VectorSchemaRoot} of {@link FlowSchema#SCHEMA}, one row per drained entry, with
 * flowEndReason 0 (an interval record has not ended).
 *
 * <p>Input is what {@code FlowTable.drain} fills: {@code n} packed {@code struct flow_key} (44
 * bytes each, {@link Layout}) in one buffer and the {@code n} matching packed {@code struct
 * flow_stats} (72 bytes each) in another, little-endian. A large drain may come in chunks: {@link
 * #append} adds rows after those already in the batch, {@link #clear()} starts the next batch. The
 * drained CLOCK_MONOTONIC times (tick resolution) become epoch milliseconds with an offset the
 * caller takes once per sweep ({@link MonotonicClock#epochOffsetNs()}).
 *
 * <p>Rows are copied field by field from the buffers into the Arrow columns: no Java object per
 * flow. Not thread-safe: the sweeper's thread owns it.
 */
public final class IntervalBatchBuilder implements AutoCloseable {

  /**
   * Rows a sweeper's batch starts with: it grows to the largest chunk a sweep filled (16,384 rows,
   * about 3.7 MB, only where sweeps drain that many), so an idle flowgate does not hold it.
   */
  public static final int FIRST_ROWS = 1_024;

  private final FlowRecordWriter writer;
  private int rows;
  private AppendListener listener = (root, from, count) -> {};
  private LocalDestinations localDestinations = LocalDestinations.ofThisNamespace();

  /**
   * Creates the batch in {@code allocator}.
   *
   * @param allocator the sweeper's child allocator; freed back on {@link #close()}
   * @param initialRows rows allocated up front (e.g. the flow map's capacity, or the drain chunk);
   *     the batch grows past it when needed
   */
  public IntervalBatchBuilder(BufferAllocator allocator, int initialRows) {
    this.writer = new FlowRecordWriter(allocator, initialRows);
    writer.publish(0);
  }

  /** The interval batch; its row count is the rows appended since the last {@link #clear()}. */
  public VectorSchemaRoot root() {
    return writer.root();
  }

  /** Rows in the current batch. */
  public int rowCount() {
    return rows;
  }

  /** Starts a new batch: the root's row count drops to 0 (its buffers are kept for reuse). */
  public void clear() {
    rows = 0;
    writer.publish(0);
  }

  /**
   * Appends {@code count} drained entries to the batch.
   *
   * <p>Reads {@code count * 44} bytes of keys and {@code count * 40} bytes of values from each
   * buffer's position on (positions are not moved). Buffers of either byte order are read as
   * little-endian, the kernel's order on every host flowgate runs on.
   *
   * @param keys packed {@code struct flow_key}s
   * @param values packed {@code struct flow_stats}, in the same order
   * @param count entries to take
   * @param epochOffsetNs {@code epoch ns - CLOCK_MONOTONIC ns}, from {@link
   *     MonotonicClock#epochOffsetNs()}
   * @return the batch's row count after the append
   * @throws IllegalArgumentException if a buffer holds fewer than {@code count} entries
   */
  public int append(ByteBuffer keys, ByteBuffer values, int count, long epochOffsetNs) {
    fill(keys, values, count, epochOffsetNs);
    listener.appended(writer.root(), rows - count, count);
    return rows;
  }

  /**
   * {@link #append} without telling the {@link AppendListener}: rows that are not a drain (the
   * last interval written again as an Arrow IPC stream on request).
   */
  int fill(ByteBuffer keys, ByteBuffer values, int count, long epochOffsetNs) {
    if (count < 0
        || keys.remaining() < (long) count * FLOW_KEY_SIZE
        || values.remaining() < (long) count * FLOW_STATS_SIZE) {
      throw new IllegalArgumentException(
          "need "
              + count
              + " entries: keys has "
              + keys.remaining()
              + " bytes, values "
              + values.remaining());
    }
    ByteBuffer k = littleEndian(keys);
    ByteBuffer v = littleEndian(values);
    writer.ensureCapacity(rows + count);
    int kAt = keys.position();
    int vAt = values.position();
    FlowRecordWriter w = writer;
    for (int i = 0; i < count; i++, kAt += FLOW_KEY_SIZE, vAt += FLOW_STATS_SIZE) {
      int row = rows + i;
      w.writeAddresses(
          row,
          k.getLong(kAt + Layout.FLOW_KEY_SRC_ADDR),
          k.getLong(kAt + Layout.FLOW_KEY_SRC_ADDR + 8),
          k.getLong(kAt + Layout.FLOW_KEY_DST_ADDR),
          k.getLong(kAt + Layout.FLOW_KEY_DST_ADDR + 8));
      w.writeKey(
          row,
          k.getShort(kAt + Layout.FLOW_KEY_SRC_PORT),
          k.getShort(kAt + Layout.FLOW_KEY_DST_PORT),
          k.get(kAt + Layout.FLOW_KEY_PROTOCOL),
          v.get(vAt + Layout.FLOW_STATS_IP_VERSION),
          k.getInt(kAt + Layout.FLOW_KEY_IFINDEX),
          k.get(kAt + Layout.FLOW_KEY_DIRECTION),
          k.getShort(kAt + Layout.FLOW_KEY_VLAN_ID));
      w.writeCounters(
          row,
          v.get(vAt + Layout.FLOW_STATS_TOS),
          v.get(vAt + Layout.FLOW_STATS_TCP_FLAGS), // low 8 bits of the u32, little-endian
          v.getLong(vAt + Layout.FLOW_STATS_PACKETS),
          v.getLong(vAt + Layout.FLOW_STATS_BYTES),
          MonotonicClock.toEpochMs(v.getLong(vAt + Layout.FLOW_STATS_FIRST_SEEN_NS), epochOffsetNs),
          MonotonicClock.toEpochMs(v.getLong(vAt + Layout.FLOW_STATS_LAST_SEEN_NS), epochOffsetNs),
          0);
      int ifindex = k.getInt(kAt + Layout.FLOW_KEY_IFINDEX);
      int peer = v.getInt(vAt + Layout.FLOW_STATS_PEER_IFINDEX);
      boolean egress = k.get(kAt + Layout.FLOW_KEY_DIRECTION) == Layout.DIR_EGRESS;
      boolean macs = (v.get(vAt + Layout.FLOW_STATS_FLAGS) & Layout.STATS_MACS) != 0;
      int status = v.get(vAt + Layout.FLOW_STATS_FWD_STATUS) & 0xFF;
      if (status == LocalDestinations.NOT_FORWARDED) {
        status =
            localDestinations.resolve(
                k.getLong(kAt + Layout.FLOW_KEY_DST_ADDR),
                k.getLong(kAt + Layout.FLOW_KEY_DST_ADDR + 8));
      }
      w.writeGateway(
          row,
          egress ? peer : ifindex,
          egress ? ifindex : peer,
          v.getLong(vAt + Layout.FLOW_STATS_NEXT_HOP),
          v.getLong(vAt + Layout.FLOW_STATS_NEXT_HOP + 8),
          status,
          macs ? mac(v, vAt + Layout.FLOW_STATS_SRC_MAC) : 0,
          macs ? mac(v, vAt + Layout.FLOW_STATS_DST_MAC) : 0);
    }
    rows += count;
    writer.publish(rows);
    return rows;
  }

  /**
   * Hears every {@link #append}, after the rows are in the batch (e.g. the metrics' protocol
   * breakdown). Set before the first sweep; called on the sweeper's thread.
   */
  public void setAppendListener(AppendListener listener) {
    this.listener = listener;
  }

  /**
   * Where "not forwarded" flows are resolved into consumed or unroutable (default: this network
   * namespace's addresses).
   */
  public void setLocalDestinations(LocalDestinations localDestinations) {
    this.localDestinations = localDestinations;
  }

  /** Receives the rows each {@link #append} added. */
  @FunctionalInterface
  public interface AppendListener {
    /**
     * @param batch the interval batch
     * @param fromRow the first row appended
     * @param count rows appended
     */
    void appended(VectorSchemaRoot batch, int fromRow, int count);
  }

  /** Frees the batch's buffers. */
  @Override
  public void close() {
    writer.close();
  }

  /** Six bytes in wire order as a 48-bit number. */
  private static long mac(ByteBuffer b, int at) {
    long v = 0;
    for (int i = 0; i < 6; i++) {
      v = v << 8 | (b.get(at + i) & 0xFF);
    }
    return v;
  }

  private static ByteBuffer littleEndian(ByteBuffer b) {
    return b.order() == ByteOrder.LITTLE_ENDIAN ? b : b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }
}
