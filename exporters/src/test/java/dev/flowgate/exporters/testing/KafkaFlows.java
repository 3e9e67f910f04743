package dev.flowgate.exporters.testing;

import com.google.protobuf.ByteString;
import dev.flowgate.exporters.FlowColumns;
import flowpb.Flow.FlowMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads what the Kafka sink sent: goflow2 FlowMessages decoded with the classes protoc generated
 * from goflow2's {@code flow.proto} (src/test/proto), and Arrow IPC streams, each turned into the
 * {@link TestFlow} it says (the record's own times; interface and direction from in_if/out_if).
 */
public final class KafkaFlows {

  private KafkaFlows() {}

  /** Every FlowMessage of every record, in order. */
  public static List<FlowMessage> messages(List<ConsumerRecord<byte[], byte[]>> records) {
    List<FlowMessage> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      ByteArrayInputStream in = new ByteArrayInputStream(r.value());
      try {
        FlowMessage m;
        while ((m = FlowMessage.parseDelimitedFrom(in)) != null) {
          out.add(m);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /**
   * The flow a FlowMessage describes, with end reason 0 (FlowMessage has none) and without the
   * gateway fields (next hop, forwarding status, MACs: {@code ProtobufFlowEncoderTest} checks
   * those byte for byte): the observed interface is in_if (an ingress flow) or, when in_if is 0,
   * out_if (an egress flow sent by this host).
   */
  public static TestFlow flow(FlowMessage m) {
    boolean icmp = m.getProto() == TestFlow.ICMP || m.getProto() == TestFlow.ICMPV6;
    boolean egress = m.getInIf() == 0;
    return new TestFlow(
        address(m.getSrcAddr()),
        address(m.getDstAddr()),
        icmp ? 0 : m.getSrcPort(),
        icmp ? m.getIcmpType() << 8 | m.getIcmpCode() : m.getDstPort(),
        m.getProto(),
        m.getIpTos(),
        m.getTcpFlags(),
        m.getPackets(),
        m.getBytes(),
        m.getTimeFlowStartNs() / 1_000_000L,
        m.getTimeFlowEndNs() / 1_000_000L,
        egress ? m.getOutIf() : m.getInIf(),
        egress ? 1 : 0,
        m.getVlanId(),
        0);
  }

  /** Every row of every Arrow stream, as TestFlows (end reason kept). */
  public static List<TestFlow> arrowRows(
      List<ConsumerRecord<byte[], byte[]>> records, BufferAllocator allocator) {
    List<TestFlow> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      try (ArrowStreamReader reader =
          new ArrowStreamReader(new ByteArrayInputStream(r.value()), allocator)) {
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        while (reader.loadNextBatch()) {
          FlowColumns c = new FlowColumns(root);
          for (int row = 0; row < c.rowCount(); row++) {
            out.add(
                new TestFlow(
                    address(c.isIpv4(row), c.srcHigh(row), c.srcLow(row)),
                    address(c.isIpv4(row), c.dstHigh(row), c.dstLow(row)),
                    c.srcPort(row),
                    c.dstPort(row),
                    c.protocol(row),
                    c.tos(row),
                    c.tcpFlags(row),
                    c.packets(row),
                    c.bytes(row),
                    c.startMillis(row),
                    c.endMillis(row),
                    c.ifindex(row),
                    c.direction(row),
                    c.vlanId(row),
                    c.endReason(row)));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /**
   * {@code f} with its addresses in {@link InetAddress#getHostAddress()} form, and end reason 0
   * unless {@code keepEndReason}, to compare with what came back.
   */
  public static TestFlow canonical(TestFlow f, boolean keepEndReason) {
    return new TestFlow(
        address(ByteString.copyFrom(TestFlow.address(f.src()))),
        address(ByteString.copyFrom(TestFlow.address(f.dst()))),
        f.srcPort(),
        f.dstPort(),
        f.protocol(),
        f.tos(),
        f.tcpFlags(),
        f.packets(),
        f.bytes(),
        f.startMillis(),
        f.endMillis(),
        f.ifindex(),
        f.direction(),
        f.vlanId(),
        keepEndReason ? f.endReason() : 0);
  }

  private static String address(boolean v4, long high, long low) {
    ByteBuffer b = ByteBuffer.allocate(16).putLong(high).putLong(low);
    byte[] a = b.array();
    return address(ByteString.copyFrom(a, v4 ? 12 : 0, v4 ? 4 : 16));
  }

  private static String address(ByteString b) {
    try {
      return InetAddress.getByAddress(b.toByteArray()).getHostAddress();
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("address of " + b.size() + " bytes", e);
    }
  }
}
