package dev.flowgate.exporters.bench;

import dev.flowgate.exporters.FlowSchema;
import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The baseline: the straightforward way to write the same IPFIX data records, one object per row
 * (boxed vector reads, InetAddress, Instant), serialized into a fresh byte array per record and
 * copied into the message. Only for the benchmark.
 */
final class NaiveIpfixEncoder {

  /** One flow, as the naive encoder holds it. */
  record Flow(
      InetAddress src,
      InetAddress dst,
      int sport,
      int dport,
      int proto,
      int tos,
      int flags,
      long packets,
      long bytes,
      Instant start,
      Instant end,
      long ifindex,
      int direction,
      int vlan,
      int reason) {}

  private final int maxMessageSize;

  NaiveIpfixEncoder(int maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
  }

  /** Encodes rows from {@code row} into one message in {@code out}; returns the next row. */
  int encode(VectorSchemaRoot root, int row, ByteBuf out) throws UnknownHostException {
    int message = out.writerIndex();
    out.writeShort(10).writeShort(0).writeInt(0).writeInt(0).writeInt(1);
    int set = -1;
    boolean setV4 = false;
    for (; row < root.getRowCount(); row++) {
      Flow f = read(root, row);
      boolean v4 = f.src().getAddress().length == 4;
      byte[] record = serialize(f, v4);
      int need = record.length + (set < 0 || v4 != setV4 ? 4 : 0);
      if (out.writerIndex() - message + need > maxMessageSize) {
        break;
      }
      if (set < 0 || v4 != setV4) {
        if (set >= 0) {
          out.setShort(set + 2, out.writerIndex() - set);
        }
        set = out.writerIndex();
        setV4 = v4;
        out.writeShort(v4 ? 256 : 257).writeShort(0);
      }
      out.writeBytes(record);
    }
    out.setShort(set + 2, out.writerIndex() - set);
    out.setShort(message + 2, out.writerIndex() - message);
    return row;
  }

  private static Flow read(VectorSchemaRoot root, int row) throws UnknownHostException {
    byte[] s = (byte[]) root.getVector(FlowSchema.SRC_ADDR_INDEX).getObject(row);
    byte[] d = (byte[]) root.getVector(FlowSchema.DST_ADDR_INDEX).getObject(row);
    return new Flow(
        InetAddress.getByAddress(s), // Java unmaps ::ffff:a.b.c.d to an Inet4Address
        InetAddress.getByAddress(d),
        ((Character) root.getVector(FlowSchema.SRC_PORT_INDEX).getObject(row)),
        ((Character) root.getVector(FlowSchema.DST_PORT_INDEX).getObject(row)),
        ((Number) root.getVector(FlowSchema.PROTOCOL_INDEX).getObject(row)).intValue() & 0xFF,
        ((Number) root.getVector(FlowSchema.TOS_INDEX).getObject(row)).intValue() & 0xFF,
        ((Number) root.getVector(FlowSchema.TCP_FLAGS_INDEX).getObject(row)).intValue() & 0xFF,
        ((Number) root.getVector(FlowSchema.PACKETS_INDEX).getObject(row)).longValue(),
        ((Number) root.getVector(FlowSchema.BYTES_INDEX).getObject(row)).longValue(),
        Instant.ofEpochMilli((Long) root.getVector(FlowSchema.START_INDEX).getObject(row)),
        Instant.ofEpochMilli((Long) root.getVector(FlowSchema.END_INDEX).getObject(row)),
        ((Number) root.getVector(FlowSchema.IFINDEX_INDEX).getObject(row)).longValue()
            & 0xFFFFFFFFL,
        ((Number) root.getVector(FlowSchema.DIRECTION_INDEX).getObject(row)).intValue(),
        ((Character) root.getVector(FlowSchema.VLAN_ID_INDEX).getObject(row)),
        ((Number) root.getVector(FlowSchema.END_REASON_INDEX).getObject(row)).intValue());
  }

  private static byte[] serialize(Flow f, boolean v4) {
    boolean icmp = f.proto() == (v4 ? 1 : 58);
    ByteBuffer b = ByteBuffer.allocate(v4 ? 63 : 87);
    b.put(f.src().getAddress()).put(f.dst().getAddress());
    b.putShort((short) (icmp ? 0 : f.sport())).putShort((short) (icmp ? 0 : f.dport()));
    b.put((byte) f.proto()).put((byte) f.tos()).putShort((short) f.flags());
    b.putLong(f.bytes()).putLong(f.packets());
    b.putLong(f.start().toEpochMilli());
    b.putLong(f.end().toEpochMilli());
    b.putInt(f.direction() == 1 ? 0 : (int) f.ifindex())
        .putInt(f.direction() == 1 ? (int) f.ifindex() : 0);
    b.putShort((short) f.vlan()).putShort((short) (icmp ? f.dport() : 0));
    b.put((byte) f.direction()).put((byte) f.reason()).put((byte) (v4 ? 4 : 6));
    return b.array();
  }
}
