package dev.flowgate.controlplane.sweep;

import dev.flowgate.exporters.FlowSchema;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** One FlowSchema row read back through Arrow's own typed getters (and by column name). */
public record DecodedRecord(
    TestFlowKey flow,
    int tos,
    int tcpFlags,
    long packets,
    long bytes,
    long startMs,
    long endMs,
    int endReason) {

  /** Every row of the root, in order. */
  public static List<DecodedRecord> decode(VectorSchemaRoot root) {
    FixedSizeBinaryVector src = (FixedSizeBinaryVector) root.getVector(FlowSchema.SRC_ADDR);
    FixedSizeBinaryVector dst = (FixedSizeBinaryVector) root.getVector(FlowSchema.DST_ADDR);
    UInt2Vector srcPort = (UInt2Vector) root.getVector(FlowSchema.SRC_PORT);
    UInt2Vector dstPort = (UInt2Vector) root.getVector(FlowSchema.DST_PORT);
    UInt1Vector protocol = (UInt1Vector) root.getVector(FlowSchema.PROTOCOL);
    UInt1Vector ipVersion = (UInt1Vector) root.getVector(FlowSchema.IP_VERSION);
    UInt4Vector ifindex = (UInt4Vector) root.getVector(FlowSchema.IFINDEX);
    UInt1Vector direction = (UInt1Vector) root.getVector(FlowSchema.DIRECTION);
    UInt2Vector vlan = (UInt2Vector) root.getVector(FlowSchema.VLAN_ID);
    UInt1Vector tos = (UInt1Vector) root.getVector(FlowSchema.TOS);
    UInt1Vector flags = (UInt1Vector) root.getVector(FlowSchema.TCP_FLAGS);
    UInt8Vector packets = (UInt8Vector) root.getVector(FlowSchema.PACKETS);
    UInt8Vector bytes = (UInt8Vector) root.getVector(FlowSchema.BYTES);
    TimeStampMilliTZVector start = (TimeStampMilliTZVector) root.getVector(FlowSchema.START);
    TimeStampMilliTZVector end = (TimeStampMilliTZVector) root.getVector(FlowSchema.END);
    UInt1Vector reason = (UInt1Vector) root.getVector(FlowSchema.END_REASON);
    List<DecodedRecord> rows = new ArrayList<>();
    for (int i = 0; i < root.getRowCount(); i++) {
      for (var v : root.getFieldVectors()) {
        if (v.isNull(i)) {
          throw new AssertionError("null in non-nullable column " + v.getName() + " row " + i);
        }
      }
      TestFlowKey f =
          new TestFlowKey(
              src.get(i),
              dst.get(i),
              srcPort.get(i),
              dstPort.get(i),
              Byte.toUnsignedInt(protocol.get(i)),
              ifindex.get(i),
              Byte.toUnsignedInt(direction.get(i)),
              vlan.get(i),
              Byte.toUnsignedInt(ipVersion.get(i)));
      rows.add(
          new DecodedRecord(
              f,
              Byte.toUnsignedInt(tos.get(i)),
              Byte.toUnsignedInt(flags.get(i)),
              packets.get(i),
              bytes.get(i),
              start.get(i),
              end.get(i),
              Byte.toUnsignedInt(reason.get(i))));
    }
    return rows;
  }
}
