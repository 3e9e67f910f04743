package dev.flowgate.exporters;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Writes flow records into one reused {@link VectorSchemaRoot} of {@link FlowSchema#SCHEMA}, the
 * batch every stage hands on.
 *
 * <p>Hot loops write straight into the vectors' little-endian data buffers by row index, one call
 * per group of columns, so a row costs no Java object and no name lookup. Writes go to the buffers'
 * memory addresses (Arrow's {@link MemoryUtil}) after one range check of the row per call, not
 * through {@code ArrowBuf}'s per-access bounds and reference-count checks. Every column is
 * non-nullable: the validity bitmaps are set to all-valid once per allocation, never per row. Rows
 * are written at any index below {@link #capacity()}; {@link #publish(int)} then sets the row count
 * that readers see. Readers must not close or reallocate the root's vectors.
 *
 * <p>Not thread-safe: one writer belongs to one stage's thread.
 */
public final class FlowRecordWriter implements AutoCloseable {

  private static final int COLUMNS = FlowSchema.SCHEMA.getFields().size();

  private final VectorSchemaRoot root;
  private final BaseFixedWidthVector[] vectors = new BaseFixedWidthVector[COLUMNS];
  private int capacity;
  // data buffer addresses, refreshed whenever the buffers change
  private long srcAddr;
  private long dstAddr;
  private long srcPort;
  private long dstPort;
  private long protocol;
  private long ipVersion;
  private long ifindex;
  private long direction;
  private long vlanId;
  private long tos;
  private long tcpFlags;
  private long packets;
  private long bytes;
  private long start;
  private long end;
  private long endReason;
  private long ingressIf;
  private long egressIf;
  private long nextHop;
  private long fwdStatus;
  private long srcMac;
  private long dstMac;

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
   * Writes a row's addresses, each given as the little-endian longs of its bytes 0-7 and 8-15 (so
   * the 16 bytes land in the column exactly as they were in the kernel's flow_key).
   */
  public void writeAddresses(int row, long src0, long src1, long dst0, long dst1) {
    long at = (long) check(row) << 4; // 16: FixedSizeBinary(16) width
    MemoryUtil.putLong(srcAddr + at, src0);
    MemoryUtil.putLong(srcAddr + at + 8, src1);
    MemoryUtil.putLong(dstAddr + at, dst0);
    MemoryUtil.putLong(dstAddr + at + 8, dst1);
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
    long r = check(row);
    MemoryUtil.putShort(this.srcPort + (r << 1), (short) srcPort); // 2: uint16
    MemoryUtil.putShort(this.dstPort + (r << 1), (short) dstPort);
    MemoryUtil.putByte(this.protocol + r, (byte) protocol); // 1: uint8
    MemoryUtil.putByte(this.ipVersion + r, (byte) ipVersion);
    MemoryUtil.putInt(this.ifindex + (r << 2), ifindex); // 4: uint32
    MemoryUtil.putByte(this.direction + r, (byte) direction);
    MemoryUtil.putShort(this.vlanId + (r << 1), (short) vlanId);
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
    long r = check(row);
    MemoryUtil.putByte(this.tos + r, (byte) tos);
    MemoryUtil.putByte(this.tcpFlags + r, (byte) tcpFlags);
    MemoryUtil.putLong(this.packets + (r << 3), packets); // 8: uint64
    MemoryUtil.putLong(this.bytes + (r << 3), bytes);
    MemoryUtil.putLong(start + (r << 3), startMs); // 8: timestamp(ms)
    MemoryUtil.putLong(end + (r << 3), endMs);
    MemoryUtil.putByte(this.endReason + r, (byte) endReason);
  }

  /**
   * Writes a row's gateway columns: both interfaces, the next hop (the little-endian longs of its
   * bytes 0-7 and 8-15, as {@link #writeAddresses}), the forwarding status and the MACs (48-bit
   * numbers, written in wire order; 0 when not recorded).
   */
  public void writeGateway(
      int row,
      int ingressInterface,
      int egressInterface,
      long nextHop0,
      long nextHop1,
      int forwardingStatus,
      long srcMac,
      long dstMac) {
    long r = check(row);
    MemoryUtil.putInt(ingressIf + (r << 2), ingressInterface); // 4: uint32
    MemoryUtil.putInt(egressIf + (r << 2), egressInterface);
    MemoryUtil.putLong(nextHop + (r << 4), nextHop0); // 16: FixedSizeBinary(16)
    MemoryUtil.putLong(nextHop + (r << 4) + 8, nextHop1);
    MemoryUtil.putByte(fwdStatus + r, (byte) forwardingStatus);
    putMac(this.srcMac + r * 6, srcMac); // 6: FixedSizeBinary(6)
    putMac(this.dstMac + r * 6, dstMac);
  }

  private static void putMac(long at, long mac) {
    for (int i = 0; i < 6; i++) {
      MemoryUtil.putByte(at + i, (byte) (mac >>> (40 - 8 * i)));
    }
  }

  /** Makes rows {@code [0, rows)} the root's content. */
  public void publish(int rows) {
    if (rows > capacity) {
      throw new IllegalArgumentException("rows " + rows + " > capacity " + capacity);
    }
    root.setRowCount(rows);
  }

  /** Frees the root's buffers; writes fail from now on. */
  @Override
  public void close() {
    capacity = 0;
    root.close();
  }

  private int check(int row) {
    if (row < 0 || row >= capacity) {
      throw new IndexOutOfBoundsException("row " + row + " of capacity " + capacity);
    }
    return row;
  }

  /** Caches the data buffers and marks every row of the (new) capacity valid. */
  private void refresh() {
    int cap = Integer.MAX_VALUE;
    for (int c = 0; c < COLUMNS; c++) {
      BaseFixedWidthVector v = vectors[c];
      ArrowBuf validity = v.getValidityBuffer();
      validity.setOne(0L, validity.capacity());
      cap = Math.min(cap, v.getValueCapacity());
    }
    capacity = cap;
    srcAddr = address(FlowSchema.SRC_ADDR_INDEX);
    dstAddr = address(FlowSchema.DST_ADDR_INDEX);
    srcPort = address(FlowSchema.SRC_PORT_INDEX);
    dstPort = address(FlowSchema.DST_PORT_INDEX);
    protocol = address(FlowSchema.PROTOCOL_INDEX);
    ipVersion = address(FlowSchema.IP_VERSION_INDEX);
    ifindex = address(FlowSchema.IFINDEX_INDEX);
    direction = address(FlowSchema.DIRECTION_INDEX);
    vlanId = address(FlowSchema.VLAN_ID_INDEX);
    tos = address(FlowSchema.TOS_INDEX);
    tcpFlags = address(FlowSchema.TCP_FLAGS_INDEX);
    packets = address(FlowSchema.PACKETS_INDEX);
    bytes = address(FlowSchema.BYTES_INDEX);
    start = address(FlowSchema.START_INDEX);
    end = address(FlowSchema.END_INDEX);
    endReason = address(FlowSchema.END_REASON_INDEX);
    ingressIf = address(FlowSchema.INGRESS_IFINDEX_INDEX);
    egressIf = address(FlowSchema.EGRESS_IFINDEX_INDEX);
    nextHop = address(FlowSchema.NEXT_HOP_INDEX);
    fwdStatus = address(FlowSchema.FORWARDING_STATUS_INDEX);
    srcMac = address(FlowSchema.SRC_MAC_INDEX);
    dstMac = address(FlowSchema.DST_MAC_INDEX);
  }

  private long address(int column) {
    return vectors[column].getDataBuffer().memoryAddress();
  }
}
