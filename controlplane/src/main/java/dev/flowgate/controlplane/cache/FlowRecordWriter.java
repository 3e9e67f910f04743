package dev.flowgate.controlplane.cache;

import dev.flowgate.exporters.FlowSchema;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Writes flow records into one reused {@link VectorSchemaRoot} of {@link FlowSchema#SCHEMA}, the
 * batch every stage hands on.
 *
 * <p>Hot loops write straight into the vectors' little-endian data buffers by row index, one call
 * per group of columns, so a row costs no Java object and no name lookup. Every column is
 * non-nullable: the validity bitmaps are set to all-valid once per allocation, never per row.
 * Rows are written at any index below {@link #capacity()}; {@link #publish(int)} then sets the
 * row count that readers see.
 *
 * <p>Not thread-safe: one writer belongs to one stage's thread.
 */
public final class FlowRecordWriter implements AutoCloseable {

  private static final int COLUMNS = FlowSchema.SCHEMA.getFields().size();

  private final VectorSchemaRoot root;
  private final BaseFixedWidthVector[] vectors = new BaseFixedWidthVector[COLUMNS];
  private final ArrowBuf[] data = new ArrowBuf[COLUMNS];
  private int capacity;

  /**
   * Creates the root in {@code allocator} with room for {@code initialRows} rows.
   *
   * @param allocator the owning component's allocator; this writer frees what it took on close
   * @param initialRows rows to allocate up front, at least 1
   */
  public FlowRecordWriter(BufferAllocator allocator, int initialRows) {
    if (initialRows < 1) {
      throw new IllegalArgumentException("initialRows must be at least 1, was " + initialRows);
    }
    root = VectorSchemaRoot.create(FlowSchema.SCHEMA, allocator);
    try {
      for (int c = 0; c < COLUMNS; c++) {
        vectors[c] = (BaseFixedWidthVector) root.getVector(c);
        vectors[c].setInitialCapacity(initialRows);
        vectors[c].allocateNew();
      }
      refresh();
    } catch (RuntimeException | Error e) {
      root.close();
      throw e;
    }
  }

  /** The reused root; its row count is the one last {@link #publish(int) published}. */
  public VectorSchemaRoot root() {
    return root;
  }

  /** Rows that can be written without growing. */
  public int capacity() {
    return capacity;
  }

  /** Grows every column (keeping the rows written so far) until {@code rows} rows fit. */
  public void ensureCapacity(int rows) {
    if (rows <= capacity) {
      return;
    }
    for (BaseFixedWidthVector v : vectors) {
      while (v.getValueCapacity() < rows) {
        v.reAlloc();
      }
    }
    refresh();
  }

  /**
   * Writes a row's addresses, each given as the little-endian longs of its bytes 0-7 and 8-15
   * (so the 16 bytes land in the column exactly as they were in the kernel's flow_key).
   */
  public void writeAddresses(int row, long src0, long src1, long dst0, long dst1) {
    long at = (long) row << 4; // 16: FixedSizeBinary(16) width
    data[FlowSchema.SRC_ADDR_INDEX].setLong(at, src0);
    data[FlowSchema.SRC_ADDR_INDEX].setLong(at + 8, src1);
    data[FlowSchema.DST_ADDR_INDEX].setLong(at, dst0);
    data[FlowSchema.DST_ADDR_INDEX].setLong(at + 8, dst1);
  }

  /** Writes a row's key columns other than the addresses; values are unsigned, in range. */
  public void writeKey(
      int row,
      int srcPort,
      int dstPort,
      int protocol,
      int ipVersion,
      int ifindex,
      int direction,
      int vlanId) {
    long r = row;
    data[FlowSchema.SRC_PORT_INDEX].setShort(r << 1, srcPort); // 2: uint16
    data[FlowSchema.DST_PORT_INDEX].setShort(r << 1, dstPort);
    data[FlowSchema.PROTOCOL_INDEX].setByte(r, protocol); // 1: uint8
    data[FlowSchema.IP_VERSION_INDEX].setByte(r, ipVersion);
    data[FlowSchema.IFINDEX_INDEX].setInt(r << 2, ifindex); // 4: uint32
    data[FlowSchema.DIRECTION_INDEX].setByte(r, direction);
    data[FlowSchema.VLAN_ID_INDEX].setShort(r << 1, vlanId);
  }

  /**
   * Writes a row's counters and times.
   *
   * @param startMs flowStartMilliseconds, epoch ms
   * @param endMs flowEndMilliseconds, epoch ms
   * @param endReason 0 for an interval record, else an {@code EndReason} code
   */
  public void writeCounters(
      int row,
      int tos,
      int tcpFlags,
      long packets,
      long bytes,
      long startMs,
      long endMs,
      int endReason) {
    long r = row;
    data[FlowSchema.TOS_INDEX].setByte(r, tos);
    data[FlowSchema.TCP_FLAGS_INDEX].setByte(r, tcpFlags);
    data[FlowSchema.PACKETS_INDEX].setLong(r << 3, packets); // 8: uint64
    data[FlowSchema.BYTES_INDEX].setLong(r << 3, bytes);
    data[FlowSchema.START_INDEX].setLong(r << 3, startMs); // 8: timestamp(ms)
    data[FlowSchema.END_INDEX].setLong(r << 3, endMs);
    data[FlowSchema.END_REASON_INDEX].setByte(r, endReason);
  }

  /** Makes rows {@code [0, rows)} the root's content. */
  public void publish(int rows) {
    if (rows > capacity) {
      throw new IllegalArgumentException("rows " + rows + " > capacity " + capacity);
    }
    root.setRowCount(rows);
  }

  /** Frees the root's buffers. */
  @Override
  public void close() {
    root.close();
  }

  /** Caches the data buffers and marks every row of the (new) capacity valid. */
  private void refresh() {
    int cap = Integer.MAX_VALUE;
    for (int c = 0; c < COLUMNS; c++) {
      BaseFixedWidthVector v = vectors[c];
      data[c] = v.getDataBuffer();
      ArrowBuf validity = v.getValidityBuffer();
      validity.setOne(0L, validity.capacity());
      cap = Math.min(cap, v.getValueCapacity());
    }
    capacity = cap;
  }
}
