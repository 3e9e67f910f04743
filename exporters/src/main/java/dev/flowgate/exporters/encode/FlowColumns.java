package dev.flowgate.exporters.encode;

import dev.flowgate.exporters.FlowSchema;
import java.nio.ByteOrder;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Row-wise reads of a {@link FlowSchema} batch straight from the vectors' data buffers, for the
 * encoders' hot loops: one object per batch, no object per row, values already in the unsigned
 * range (as {@code int} or {@code long}) and addresses in network byte order.
 *
 * <p>The schema's columns are all non-nullable fixed-width vectors, so the validity buffers are
 * not consulted.
 */
public final class FlowColumns {

  private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

  private final ArrowBuf src;
  private final ArrowBuf dst;
  private final ArrowBuf srcPort;
  private final ArrowBuf dstPort;
  private final ArrowBuf protocol;
  private final ArrowBuf ipVersion;
  private final ArrowBuf ifindex;
  private final ArrowBuf direction;
  private final ArrowBuf vlanId;
  private final ArrowBuf tos;
  private final ArrowBuf tcpFlags;
  private final ArrowBuf packets;
  private final ArrowBuf bytes;
  private final ArrowBuf start;
  private final ArrowBuf end;
  private final ArrowBuf endReason;
  private final int rowCount;

  /** Reads {@code root}, which must have {@link FlowSchema#SCHEMA}. */
  public FlowColumns(VectorSchemaRoot root) {
    if (!FlowSchema.SCHEMA.equals(root.getSchema())) {
      throw new IllegalArgumentException("not a FlowSchema batch: " + root.getSchema());
    }
    src = data(root, FlowSchema.SRC_ADDR_INDEX);
    dst = data(root, FlowSchema.DST_ADDR_INDEX);
    srcPort = data(root, FlowSchema.SRC_PORT_INDEX);
    dstPort = data(root, FlowSchema.DST_PORT_INDEX);
    protocol = data(root, FlowSchema.PROTOCOL_INDEX);
    ipVersion = data(root, FlowSchema.IP_VERSION_INDEX);
    ifindex = data(root, FlowSchema.IFINDEX_INDEX);
    direction = data(root, FlowSchema.DIRECTION_INDEX);
    vlanId = data(root, FlowSchema.VLAN_ID_INDEX);
    tos = data(root, FlowSchema.TOS_INDEX);
    tcpFlags = data(root, FlowSchema.TCP_FLAGS_INDEX);
    packets = data(root, FlowSchema.PACKETS_INDEX);
    bytes = data(root, FlowSchema.BYTES_INDEX);
    start = data(root, FlowSchema.START_INDEX);
    end = data(root, FlowSchema.END_INDEX);
    endReason = data(root, FlowSchema.END_REASON_INDEX);
    rowCount = root.getRowCount();
  }

  private static ArrowBuf data(VectorSchemaRoot root, int index) {
    return ((BaseFixedWidthVector) root.getVector(index)).getDataBuffer();
  }

  /** Rows in the batch. */
  public int rowCount() {
    return rowCount;
  }

  /** True if the row is an IPv4 flow (ipVersion 4), false for IPv6. */
  public boolean isIpv4(int row) {
    return ipVersion.getByte(row) == 4;
  }

  /** ipVersion: 4 or 6. */
  public int ipVersion(int row) {
    return ipVersion.getByte(row) & 0xFF;
  }

  /** The IPv4 source address (last 4 of the 16 bytes) as a big-endian int. */
  public int srcIpv4(int row) {
    return ipv4(src, row);
  }

  /** The IPv4 destination address as a big-endian int. */
  public int dstIpv4(int row) {
    return ipv4(dst, row);
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
    return srcPort.getShort(row * 2L) & 0xFFFF;
  }

  /** destinationTransportPort, 0..65535; ICMP: type &lt;&lt; 8 | code. */
  public int dstPort(int row) {
    return dstPort.getShort(row * 2L) & 0xFFFF;
  }

  /** protocolIdentifier, 0..255. */
  public int protocol(int row) {
    return protocol.getByte(row) & 0xFF;
  }

  /** The ifindex the flow was seen on. */
  public long ifindex(int row) {
    return ifindex.getInt(row * 4L) & 0xFFFFFFFFL;
  }

  /** flowDirection: 0 ingress, 1 egress. */
  public int direction(int row) {
    return direction.getByte(row) & 0xFF;
  }

  /** vlanId, 0 if untagged. */
  public int vlanId(int row) {
    return vlanId.getShort(row * 2L) & 0xFFFF;
  }

  /** ipClassOfService, 0..255. */
  public int tos(int row) {
    return tos.getByte(row) & 0xFF;
  }

  /** tcpControlBits, 0..255. */
  public int tcpFlags(int row) {
    return tcpFlags.getByte(row) & 0xFF;
  }

  /** packetDeltaCount as an unsigned 64-bit value. */
  public long packets(int row) {
    return packets.getLong(row * 8L);
  }

  /** octetDeltaCount as an unsigned 64-bit value. */
  public long bytes(int row) {
    return bytes.getLong(row * 8L);
  }

  /** flowStartMilliseconds, ms since the epoch. */
  public long startMillis(int row) {
    return start.getLong(row * 8L);
  }

  /** flowEndMilliseconds, ms since the epoch. */
  public long endMillis(int row) {
    return end.getLong(row * 8L);
  }

  /** flowEndReason code, 0 if the record has not ended. */
  public int endReason(int row) {
    return endReason.getByte(row) & 0xFF;
  }

  private static int ipv4(ArrowBuf buf, int row) {
    int v = buf.getInt(row * 16L + 12); // 12: the IPv4 address is the tail of ::ffff:a.b.c.d
    return LITTLE_ENDIAN ? Integer.reverseBytes(v) : v;
  }

  private static long be64(ArrowBuf buf, long offset) {
    long v = buf.getLong(offset);
    return LITTLE_ENDIAN ? Long.reverseBytes(v) : v;
  }
}
