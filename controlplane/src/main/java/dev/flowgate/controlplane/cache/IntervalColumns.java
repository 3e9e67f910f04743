package dev.flowgate.controlplane.cache;

import static org.apache.arrow.memory.util.MemoryUtil.getByte;
import static org.apache.arrow.memory.util.MemoryUtil.getInt;
import static org.apache.arrow.memory.util.MemoryUtil.getLong;
import static org.apache.arrow.memory.util.MemoryUtil.getShort;

import dev.flowgate.exporters.FlowSchema;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Read access to one interval batch for the merge: the data buffer address of each {@link
 * FlowSchema} column, read by row with Arrow's {@code MemoryUtil}. The constructor checks once that
 * the batch has the schema and that every column holds {@link #rows} rows, so the reads need no
 * per-access check. Valid while the batch is neither refilled nor closed.
 */
final class IntervalColumns {

  final int rows;
  private final long src;
  private final long dst;
  private final long srcPort;
  private final long dstPort;
  private final long protocol;
  private final long ipVersion;
  private final long ifindex;
  private final long direction;
  private final long vlan;
  private final long tos;
  private final long flags;
  private final long packets;
  private final long bytes;
  private final long start;
  private final long end;

  IntervalColumns(VectorSchemaRoot root) {
    if (!FlowSchema.SCHEMA.equals(root.getSchema())) {
      throw new IllegalArgumentException("not a FlowSchema batch: " + root.getSchema());
    }
    rows = root.getRowCount();
    for (var v : root.getFieldVectors()) {
      if (v.getValueCount() < rows) {
        throw new IllegalArgumentException(
            v.getName() + " holds " + v.getValueCount() + " values, the batch " + rows + " rows");
      }
    }
    src = address(root, FlowSchema.SRC_ADDR_INDEX);
    dst = address(root, FlowSchema.DST_ADDR_INDEX);
    srcPort = address(root, FlowSchema.SRC_PORT_INDEX);
    dstPort = address(root, FlowSchema.DST_PORT_INDEX);
    protocol = address(root, FlowSchema.PROTOCOL_INDEX);
    ipVersion = address(root, FlowSchema.IP_VERSION_INDEX);
    ifindex = address(root, FlowSchema.IFINDEX_INDEX);
    direction = address(root, FlowSchema.DIRECTION_INDEX);
    vlan = address(root, FlowSchema.VLAN_ID_INDEX);
    tos = address(root, FlowSchema.TOS_INDEX);
    flags = address(root, FlowSchema.TCP_FLAGS_INDEX);
    packets = address(root, FlowSchema.PACKETS_INDEX);
    bytes = address(root, FlowSchema.BYTES_INDEX);
    start = address(root, FlowSchema.START_INDEX);
    end = address(root, FlowSchema.END_INDEX);
  }

  /**
   * Reads the compact keys ({@link FlowTable}'s K0..K5, six longs a row) of rows {@code [from, from
   * + count)} into {@code keys} and their hashes into {@code hashes}.
   */
  void readKeys(int from, int count, long[] keys, long[] hashes) {
    for (int j = 0; j < count; j++) {
      long r = from + j;
      int o = j * 6;
      long k0 = getLong(src + (r << 4)); // 16: FixedSizeBinary(16)
      long k1 = getLong(src + (r << 4) + 8);
      long k2 = getLong(dst + (r << 4));
      long k3 = getLong(dst + (r << 4) + 8);
      long k4 =
          (getShort(srcPort + (r << 1)) & 0xFFFFL)
              | (getShort(dstPort + (r << 1)) & 0xFFFFL) << 16
              | (getInt(ifindex + (r << 2)) & 0xFFFF_FFFFL) << 32;
      long k5 =
          (getShort(vlan + (r << 1)) & 0xFFFFL)
              | (getByte(protocol + r) & 0xFFL) << 16
              | (getByte(direction + r) & 0xFFL) << 24;
      keys[o] = k0;
      keys[o + 1] = k1;
      keys[o + 2] = k2;
      keys[o + 3] = k3;
      keys[o + 4] = k4;
      keys[o + 5] = k5;
      hashes[j] = FlowTable.hash(k0, k1, k2, k3, k4, k5);
    }
  }

  long packets(int row) {
    return getLong(packets + ((long) row << 3));
  }

  long bytes(int row) {
    return getLong(bytes + ((long) row << 3));
  }

  long startMs(int row) {
    return getLong(start + ((long) row << 3));
  }

  long endMs(int row) {
    return getLong(end + ((long) row << 3));
  }

  int tcpFlags(int row) {
    return getByte(flags + row) & 0xFF;
  }

  int tos(int row) {
    return getByte(tos + row) & 0xFF;
  }

  int ipVersion(int row) {
    return getByte(ipVersion + row) & 0xFF;
  }

  private static long address(VectorSchemaRoot root, int column) {
    return root.getVector(column).getDataBuffer().memoryAddress();
  }
}
