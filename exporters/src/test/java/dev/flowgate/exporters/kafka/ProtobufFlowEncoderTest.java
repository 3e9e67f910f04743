package dev.flowgate.exporters.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.KnownFlows;
import dev.flowgate.exporters.testing.TestFlow;
import flowpb.Flow.FlowMessage;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hand-written FlowMessage encoding is byte for byte what protobuf-java's classes, generated
 * from goflow2's flow.proto, serialize for the same values (both write fields in number order and
 * leave zeros out); and the delimited stream parses back message by message.
 */
@Timeout(30)
class ProtobufFlowEncoderTest {

  private static final long RECEIVED = 1_764_000_000_123_456_789L;
  private BufferAllocator allocator;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    allocator.close();
  }

  @Test
  void everyKnownFlowEncodesExactlyAsTheGeneratedClassesDo() {
    List<TestFlow> flows = new java.util.ArrayList<>(KnownFlows.batch(1_764_000_000_000L, 50));
    // gateway records: forwarded with a next hop and MACs, IPv4 and IPv6; one dropped (blackhole)
    flows.add(
        TestFlow.of("10.5.0.1", "192.0.2.9", 1234, 80, TestFlow.TCP, 3, 300)
            .withGateway(3, 7, "10.5.0.254", 64)
            .withMacs(0x0200_0000_0001L, 0x0200_0000_00feL));
    flows.add(
        TestFlow.of("2001:db8::5", "2001:db8:9::9", 5000, 443, TestFlow.UDP, 2, 200)
            .withGateway(3, 8, "fe80::1", 64)
            .withMacs(0xffff_ffff_ffffL, 0x0000_0000_0001L));
    flows.add(
        TestFlow.of("10.5.0.2", "198.51.100.1", 1, 2, TestFlow.UDP, 1, 100)
            .withGateway(3, 0, null, 130));
    try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
      FlowColumns columns = new FlowColumns(root);
      ProtobufFlowEncoder encoder = new ProtobufFlowEncoder(4_294_967_295L);
      byte[] out = new byte[ProtobufFlowEncoder.MAX_MESSAGE_BYTES];
      for (int row = 0; row < flows.size(); row++) {
        int n = encoder.encode(columns, row, RECEIVED, out);
        assertThat(Arrays.copyOf(out, n))
            .as("row %d: %s", row, flows.get(row))
            .isEqualTo(reference(flows.get(row), 4_294_967_295L).toByteArray());
      }
    }
  }

  @Test
  void delimitedMessagesParseBackOneByOne() throws Exception {
    List<TestFlow> flows = KnownFlows.batch(1_764_000_000_000L, 20);
    try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
      FlowColumns columns = new FlowColumns(root);
      ProtobufFlowEncoder encoder = new ProtobufFlowEncoder(7);
      byte[] out = new byte[flows.size() * (ProtobufFlowEncoder.MAX_MESSAGE_BYTES + 2)];
      int pos = 0;
      for (int row = 0; row < flows.size(); row++) {
        pos = encoder.encodeDelimited(columns, row, RECEIVED, out, pos);
      }
      ByteArrayInputStream in = new ByteArrayInputStream(out, 0, pos);
      for (TestFlow f : flows) {
        assertThat(FlowMessage.parseDelimitedFrom(in)).isEqualTo(reference(f, 7));
      }
      assertThat(FlowMessage.parseDelimitedFrom(in)).isNull();
    }
  }

  /** The message protobuf-java builds for {@code f}. */
  private static FlowMessage reference(TestFlow f, long domain) {
    boolean icmp = f.icmp();
    FlowMessage.Builder b =
        FlowMessage.newBuilder()
            .setType(FlowMessage.FlowType.IPFIX)
            .setSamplingRate(1)
            .setSrcAddr(ByteString.copyFrom(TestFlow.address(f.src())))
            .setDstAddr(ByteString.copyFrom(TestFlow.address(f.dst())))
            .setBytes(f.bytes())
            .setPackets(f.packets())
            .setProto(f.protocol())
            .setIpTos(f.tos())
            .setTcpFlags(f.tcpFlags())
            .setVlanId(f.vlanId())
            .setEtype(f.ipv4() ? 0x0800 : 0x86dd)
            .setObservationDomainId((int) domain)
            .setTimeReceivedNs(RECEIVED)
            .setTimeFlowStartNs(f.startMillis() * 1_000_000L)
            .setTimeFlowEndNs(f.endMillis() * 1_000_000L);
    b.setInIf((int) f.ingressInterface()).setOutIf((int) f.egressInterface());
    if (f.nextHop() != null) {
      b.setNextHop(ByteString.copyFrom(TestFlow.address(f.nextHop())));
    }
    b.setForwardingStatus(f.forwardingStatus()).setSrcMac(f.srcMac()).setDstMac(f.dstMac());
    if (icmp) {
      b.setIcmpType(f.icmpType()).setIcmpCode(f.icmpCode());
    } else {
      b.setSrcPort(f.srcPort()).setDstPort(f.dstPort());
    }
    return b.build();
  }
}
