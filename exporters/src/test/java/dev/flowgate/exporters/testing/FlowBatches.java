package dev.flowgate.exporters.testing;

import dev.flowgate.exporters.FlowSchema;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Builds FlowSchema batches from {@link TestFlow}s. The caller closes the root. */
public final class FlowBatches {

  private FlowBatches() {}

  public static VectorSchemaRoot build(BufferAllocator allocator, List<TestFlow> flows) {
    VectorSchemaRoot root = VectorSchemaRoot.create(FlowSchema.SCHEMA, allocator);
    fill(root, flows);
    return root;
  }

  /** Refills {@code root} with {@code flows}. */
  public static void fill(VectorSchemaRoot root, List<TestFlow> flows) {
    root.allocateNew();
    int n = flows.size();
    for (int i = 0; i < n; i++) {
      TestFlow f = flows.get(i);
      ((FixedSizeBinaryVector) root.getVector(FlowSchema.SRC_ADDR_INDEX))
          .setSafe(i, TestFlow.mapped(f.src()));
      ((FixedSizeBinaryVector) root.getVector(FlowSchema.DST_ADDR_INDEX))
          .setSafe(i, TestFlow.mapped(f.dst()));
      ((UInt2Vector) root.getVector(FlowSchema.SRC_PORT_INDEX)).setSafe(i, f.srcPort());
      ((UInt2Vector) root.getVector(FlowSchema.DST_PORT_INDEX)).setSafe(i, f.dstPort());
      ((UInt1Vector) root.getVector(FlowSchema.PROTOCOL_INDEX)).setSafe(i, f.protocol());
      ((UInt1Vector) root.getVector(FlowSchema.IP_VERSION_INDEX)).setSafe(i, f.ipv4() ? 4 : 6);
      ((UInt4Vector) root.getVector(FlowSchema.IFINDEX_INDEX)).setSafe(i, (int) f.ifindex());
      ((UInt1Vector) root.getVector(FlowSchema.DIRECTION_INDEX)).setSafe(i, f.direction());
      ((UInt2Vector) root.getVector(FlowSchema.VLAN_ID_INDEX)).setSafe(i, f.vlanId());
      ((UInt1Vector) root.getVector(FlowSchema.TOS_INDEX)).setSafe(i, f.tos());
      ((UInt1Vector) root.getVector(FlowSchema.TCP_FLAGS_INDEX)).setSafe(i, f.tcpFlags());
      ((UInt8Vector) root.getVector(FlowSchema.PACKETS_INDEX)).setSafe(i, f.packets());
      ((UInt8Vector) root.getVector(FlowSchema.BYTES_INDEX)).setSafe(i, f.bytes());
      ((TimeStampMilliTZVector) root.getVector(FlowSchema.START_INDEX)).setSafe(i, f.startMillis());
      ((TimeStampMilliTZVector) root.getVector(FlowSchema.END_INDEX)).setSafe(i, f.endMillis());
      ((UInt1Vector) root.getVector(FlowSchema.END_REASON_INDEX)).setSafe(i, f.endReason());
      ((UInt4Vector) root.getVector(FlowSchema.INGRESS_IFINDEX_INDEX))
          .setSafe(i, (int) f.ingressInterface());
      ((UInt4Vector) root.getVector(FlowSchema.EGRESS_IFINDEX_INDEX))
          .setSafe(i, (int) f.egressInterface());
      ((FixedSizeBinaryVector) root.getVector(FlowSchema.NEXT_HOP_INDEX))
          .setSafe(i, f.nextHop() == null ? new byte[16] : TestFlow.mapped(f.nextHop()));
      ((UInt1Vector) root.getVector(FlowSchema.FORWARDING_STATUS_INDEX))
          .setSafe(i, f.forwardingStatus());
      ((FixedSizeBinaryVector) root.getVector(FlowSchema.SRC_MAC_INDEX))
          .setSafe(i, mac(f.srcMac()));
      ((FixedSizeBinaryVector) root.getVector(FlowSchema.DST_MAC_INDEX))
          .setSafe(i, mac(f.dstMac()));
    }
    root.setRowCount(n);
  }

  /** A 48-bit MAC as its six bytes, wire order. */
  public static byte[] mac(long mac) {
    byte[] b = new byte[6];
    for (int i = 0; i < 6; i++) {
      b[i] = (byte) (mac >>> (40 - 8 * i));
    }
    return b;
  }
}
