package dev.flowgate.exporters;

import java.nio.ByteOrder;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Row-wise reads of a {@link FlowSchema} batch straight from the vectors' data buffers, for the hot
 * loops of the encoders and the flow cache's merge (the one reader of the schema; {@link
 * FlowRecordWriter} is the one writer): one object per batch, no object per row, values already in
 * the unsigned range (as {@code int} or {@code long}) and addresses in network byte order (or as
 * stored, for keys: {@link #srcWord}).
 *
 * <p>The schema's columns are all non-nullable fixed-width vectors, so the validity buffers are not
 * consulted. Reads go straight to the buffers' memory addresses (Arrow's {@link MemoryUtil}, native
 * byte order as Arrow stores values), without ArrowBuf's per-call bounds and reference checks: the
 * constructor checks that every buffer holds {@link #rowCount()} rows, and callers pass rows below
 * it. The batch must not be closed or refilled while a FlowColumns reads it.
 */
public final class FlowColumns {

  private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

  private final long src;
  private final long dst;
  private final long srcPort;
  private final long dstPort;
  private final long protocol;
  private final long ipVersion;
  private final long ifindex;
  private final long direction;
  private final long vlanId;
  private final long tos;
  private final long tcpFlags;
  private final long packets;
  private final long bytes;
  private final long start;
  private final long end;
  private final long endReason;
  private final long ingressIf;
  private final long egressIf;
  private final long nextHop;
  private final long fwdStatus;
  private final long srcMac;
  private final long dstMac;
  private final int rowCount;

  /** Reads {@code root}, which must have {@link FlowSchema#SCHEMA}. */
  public FlowColumns(VectorSchemaRoot root) {
    if (!FlowSchema.SCHEMA.equals(root.getSchema())) {
      throw new IllegalArgumentException("not a FlowSchema batch: " + root.getSchema());
    }
    src = address(root, FlowSchema.SRC_ADDR_INDEX);
    dst = address(root, FlowSchema.DST_ADDR_INDEX);
    srcPort = address(root, FlowSchema.SRC_PORT_INDEX);
    dstPort = address(root, FlowSchema.DST_PORT_INDEX);
    protocol = address(root, FlowSchema.PROTOCOL_INDEX);
    ipVersion = address(root, FlowSchema.IP_VERSION_INDEX);
    ifindex = address(root, FlowSchema.IFINDEX_INDEX);
    direction = address(root, FlowSchema.DIRECTION_INDEX);
    vlanId = address(root, FlowSchema.VLAN_ID_INDEX);
    tos = address(root, FlowSchema.TOS_INDEX);
    tcpFlags = address(root, FlowSchema.TCP_FLAGS_INDEX);
    packets = address(root, FlowSchema.PACKETS_INDEX);
    bytes = address(root, FlowSchema.BYTES_INDEX);
    start = address(root, FlowSchema.START_INDEX);
    end = address(root, FlowSchema.END_INDEX);
    endReason = address(root, FlowSchema.END_REASON_INDEX);
    ingressIf = address(root, FlowSchema.INGRESS_IFINDEX_INDEX);
    egressIf = address(root, FlowSchema.EGRESS_IFINDEX_INDEX);
    nextHop = address(root, FlowSchema.NEXT_HOP_INDEX);
    fwdStatus = address(root, FlowSchema.FORWARDING_STATUS_INDEX);
    srcMac = address(root, FlowSchema.SRC_MAC_INDEX);
    dstMac = address(root, FlowSchema.DST_MAC_INDEX);
    rowCount = root.getRowCount();
  }

  private static long address(VectorSchemaRoot root, int index) {
    BaseFixedWidthVector v = (BaseFixedWidthVector) root.getVector(index);
    ArrowBuf data = v.getDataBuffer();
    long needed = (long) root.getRowCount() * v.getTypeWidth();
    if (data.capacity() < needed) {
      throw new IllegalArgumentException(
          "column " + index + " holds " + data.capacity() + " bytes, " + needed + " needed");
    }
    return data.memoryAddress();
  }

  /** Rows in the batch. */
  public int rowCount() {
    return rowCount;
  }

  /** True if the row is an IPv4 flow (ipVersion 4), false for IPv6. */
  public boolean isIpv4(int row) {
    return MemoryUtil.getByte(ipVersion + row) == 4;
  }

  /** ipVersion: 4 or 6. */
  public int ipVersion(int row) {
    return MemoryUtil.getByte(ipVersion + row) & 0xFF;
  }

  /** The IPv4 source address (last 4 of the 16 bytes) as a big-endian int. */
  public int srcIpv4(int row) {
    return ipv4(src, row);
  }

  /** The IPv4 destination address as a big-endian int. */
  public int dstIpv4(int row) {
    return ipv4(dst, row);
  }

  /**
   * Bytes {@code 8 * word} to {@code 8 * word + 7} of the source address as stored (native byte
   * order): a key word for hashing and comparing, not a number.
   *
   * @param word 0 or 1
   */
  public long srcWord(int row, int word) {
    return MemoryUtil.getLong(src + row * 16L + word * 8L);
  }

  /** Like {@link #srcWord}, of the destination address. */
  public long dstWord(int row, int word) {
    return MemoryUtil.getLong(dst + row * 16L + word * 8L);
  }

  /** Bytes 0-7 of the source address, big-endian. */
  public long srcHigh(int row) {
    return be64(src, row * 16L);
  }

  /** Bytes 8-15 of the source address, big-endian. */
  public long srcLow(int row) {
    return be64(src, row * 16L + 8);
  }

  /** Bytes 0-7 of the destination address, big-endian. */
  public long dstHigh(int row) {
    return be64(dst, row * 16L);
  }

  /** Bytes 8-15 of the destination address, big-endian. */
  public long dstLow(int row) {
    return be64(dst, row * 16L + 8);
  }

  /** sourceTransportPort, 0..65535. */
  public int srcPort(int row) {
    return MemoryUtil.getShort(srcPort + row * 2L) & 0xFFFF;
  }

  /** destinationTransportPort, 0..65535; ICMP: type &lt;&lt; 8 | code. */
  public int dstPort(int row) {
    return MemoryUtil.getShort(dstPort + row * 2L) & 0xFFFF;
  }

  /** protocolIdentifier, 0..255. */
  public int protocol(int row) {
    return MemoryUtil.getByte(protocol + row) & 0xFF;
  }

  /** The ifindex the flow was seen on. */
  public long ifindex(int row) {
    return MemoryUtil.getInt(ifindex + row * 4L) & 0xFFFFFFFFL;
  }

  /** flowDirection: 0 ingress, 1 egress. */
  public int direction(int row) {
    return MemoryUtil.getByte(direction + row) & 0xFF;
  }

  /** vlanId, 0 if untagged. */
  public int vlanId(int row) {
    return MemoryUtil.getShort(vlanId + row * 2L) & 0xFFFF;
  }

  /** ipClassOfService, 0..255. */
  public int tos(int row) {
    return MemoryUtil.getByte(tos + row) & 0xFF;
  }

  /** tcpControlBits, 0..255. */
  public int tcpFlags(int row) {
    return MemoryUtil.getByte(tcpFlags + row) & 0xFF;
  }

  /** packetDeltaCount as an unsigned 64-bit value. */
  public long packets(int row) {
    return MemoryUtil.getLong(packets + row * 8L);
  }

  /** octetDeltaCount as an unsigned 64-bit value. */
  public long bytes(int row) {
    return MemoryUtil.getLong(bytes + row * 8L);
  }

  /** The packets and bytes of rows {@code from} (inclusive) to {@code to} (exclusive). */
  public Volume volume(int from, int to) {
    long packets = 0;
    long bytes = 0;
    for (int row = from; row < to; row++) {
      packets += packets(row);
      bytes += bytes(row);
    }
    return new Volume(packets, bytes);
  }

  /** The packets and bytes of every row. */
  public Volume volume() {
    return volume(0, rowCount());
  }

  /** flowStartMilliseconds, ms since the epoch. */
  public long startMillis(int row) {
    return MemoryUtil.getLong(start + row * 8L);
  }

  /** flowEndMilliseconds, ms since the epoch. */
  public long endMillis(int row) {
    return MemoryUtil.getLong(end + row * 8L);
  }

  /** flowEndReason code, 0 if the record has not ended. */
  public int endReason(int row) {
    return MemoryUtil.getByte(endReason + row) & 0xFF;
  }

  /** ingressInterface: where the flow entered (0 unknown or sent by this host). */
  public long ingressInterface(int row) {
    return MemoryUtil.getInt(ingressIf + row * 4L) & 0xFFFFFFFFL;
  }

  /** egressInterface: where the flow leaves (0 unknown or not forwarded). */
  public long egressInterface(int row) {
    return MemoryUtil.getInt(egressIf + row * 4L) & 0xFFFFFFFFL;
  }

  /** The IPv4 next hop (last 4 of the 16 bytes) as a big-endian int; 0 if none. */
  public int nextHopIpv4(int row) {
    return ipv4(nextHop, row);
  }

  /** Bytes 0-7 of the next hop, big-endian. */
  public long nextHopHigh(int row) {
    return be64(nextHop, row * 16L);
  }

  /** Bytes 8-15 of the next hop, big-endian. */
  public long nextHopLow(int row) {
    return be64(nextHop, row * 16L + 8);
  }

  /** Like {@link #srcWord}, of the next hop (as stored, for copying). */
  public long nextHopWord(int row, int word) {
    return MemoryUtil.getLong(nextHop + row * 16L + word * 8L);
  }

  /** forwardingStatus (RFC 7270 code), 0..255. */
  public int forwardingStatus(int row) {
    return MemoryUtil.getByte(fwdStatus + row) & 0xFF;
  }

  /** sourceMacAddress as a 48-bit number (its six bytes big-endian); 0 if not recorded. */
  public long srcMac(int row) {
    return mac(srcMac, row);
  }

  /** destinationMacAddress as a 48-bit number; 0 if not recorded. */
  public long dstMac(int row) {
    return mac(dstMac, row);
  }

  /** True if the row carries MAC addresses (either is not zero). */
  public boolean hasMacs(int row) {
    return srcMac(row) != 0 || dstMac(row) != 0;
  }

  private static long mac(long column, int row) {
    long at = column + row * 6L;
    long v = 0;
    for (int i = 0; i < 6; i++) {
      v = v << 8 | (MemoryUtil.getByte(at + i) & 0xFF);
    }
    return v;
  }

  private static int ipv4(long column, int row) {
    int v = MemoryUtil.getInt(column + row * 16L + 12); // 12: IPv4 is the tail of ::ffff:a.b.c.d
    return LITTLE_ENDIAN ? Integer.reverseBytes(v) : v;
  }

  private static long be64(long column, long offset) {
    long v = MemoryUtil.getLong(column + offset);
    return LITTLE_ENDIAN ? Long.reverseBytes(v) : v;
  }
}
