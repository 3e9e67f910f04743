package dev.flowgate.exporters.ipfix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.encode.EncodeCursor;
import dev.flowgate.exporters.encode.ExportTotals;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.Hex;
import dev.flowgate.exporters.testing.SampleFlows;
import dev.flowgate.exporters.testing.TestFlow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IpfixEncoderTest {

  /** 1_700_000_000_123 ms: export time 1700000000 s = 0x6553f100. */
  private static final long NOW = 1_700_000_000_123L;

  private final RootAllocator allocator = new RootAllocator();
  private final ByteBuf out = Unpooled.buffer(65536);

  @AfterEach
  void closeAllocator() {
    out.release();
    allocator.close(); // fails the test if a vector leaked
  }

  @Test
  void ipv4RecordIsEncodedByteForByte() {
    IpfixEncoder encoder = new IpfixEncoder(1, 1400);
    try (VectorSchemaRoot root = FlowBatches.build(allocator, List.of(SampleFlows.tcp4()))) {
      EncodeCursor cursor = new EncodeCursor();
      assertThat(encoder.encodeData(new FlowColumns(root), cursor, out)).isTrue();
      encoder.stamp(out, NOW, 7);
      assertThat(cursor.records).isEqualTo(1);
      assertThat(Hex.of(out))
          .isEqualTo(
              Hex.clean(
                  """
                  000a 0053          | version 10, length 16 + 4 + 63 = 83
                  6553f100           | export time 1700000000
                  00000007           | sequence 7
                  00000001           | observation domain 1
                  0100 0043          | data set 256, length 4 + 63 = 67
                  c0000201 c6336402  | 192.0.2.1 -> 198.51.100.2
                  9c40 01bb          | ports 40000 -> 443
                  06 10 001b         | TCP, ToS 0x10, flags SYN|FIN|PSH|ACK (16 bits)
                  00000000000005dc   | octetDeltaCount 1500
                  000000000000000a   | packetDeltaCount 10
                  0000018bcfe56800   | flowStartMilliseconds
                  0000018bcfe56ddc   | flowEndMilliseconds
                  00000003 00000000  | ingressInterface 3, egressInterface 0
                  0064 0000          | vlanId 100, icmpTypeCodeIPv4 0
                  00 03 04           | direction ingress, end of flow, ipVersion 4
                  """));
    }
  }

  @Test
  void icmpv6RecordCarriesTypeCodeAndNoPorts() {
    IpfixEncoder encoder = new IpfixEncoder(0x01020304L, 1400);
    try (VectorSchemaRoot root = FlowBatches.build(allocator, List.of(SampleFlows.icmp6()))) {
      EncodeCursor cursor = new EncodeCursor();
      encoder.encodeData(new FlowColumns(root), cursor, out);
      encoder.stamp(out, NOW, 0xFFFFFFFFL + 3); // the sequence number wraps modulo 2^32
      assertThat(Hex.of(out))
          .isEqualTo(
              Hex.clean(
                  """
                  000a 006b          | version 10, length 16 + 4 + 87 = 107
                  6553f100 00000002  | export time, sequence (2^32 + 2) mod 2^32
                  01020304           | observation domain
                  0101 005b          | data set 257, length 4 + 87 = 91
                  20010db8000000000000000000000001 | 2001:db8::1
                  20010db8000000000000000000000002 | 2001:db8::2
                  0000 0000          | ICMP: no transport ports
                  3a 00 0000         | ICMPv6, ToS 0, flags 0
                  00000000000001a0   | octets 416
                  0000000000000004   | packets 4
                  0000018bcfe56800 0000018bcfe56ddc | start, end
                  00000000 00000005  | ingress 0, egress 5
                  0000 8000          | vlan 0, icmpTypeCodeIPv6 128/0
                  01 01 06           | egress, idle timeout, ipVersion 6
                  """));
    }
  }

  @Test
  void templateMessageAnnouncesFlowAndOptionsTemplates() {
    IpfixEncoder encoder = new IpfixEncoder(1, 1400);
    encoder.encodeTemplates(out);
    encoder.stamp(out, NOW, 5);
    assertThat(Hex.of(out))
        .isEqualTo(
            Hex.clean(
                """
000a 00d8 6553f100 00000005 00000001 | length 16 + 156 + 44 = 216, sequence 5
0002 009c          | template set, length 4 + 76 + 76 = 156
0100 0012          | template 256, 18 fields
0008 0004 000c 0004 0007 0002 000b 0002 | src4, dst4, sport, dport
0004 0001 0005 0001 0006 0002           | protocol, ToS, tcpControlBits (2)
0001 0008 0002 0008 0098 0008 0099 0008 | octets, packets, start ms, end ms
000a 0004 000e 0004 003a 0002 0020 0002 | ingress, egress, vlanId, icmpTypeCodeIPv4
003d 0001 0088 0001 003c 0001           | flowDirection, flowEndReason, ipVersion
0101 0012          | template 257, 18 fields
001b 0010 001c 0010 0007 0002 000b 0002 | src6, dst6, sport, dport
0004 0001 0005 0001 0006 0002
0001 0008 0002 0008 0098 0008 0099 0008
000a 0004 000e 0004 003a 0002 008b 0002 | ..., icmpTypeCodeIPv6
003d 0001 0088 0001 003c 0001
0003 002c          | options template set, length 4 + 26 + 14 = 44
0102 0005 0001     | template 258, 5 fields, 1 scope field
0095 0004          | scope observationDomainId
0029 0008 002a 0008 0028 0008 00a6 0008 | messages, flow records, octets, notSentFlowTotalCount
0103 0002 0001     | template 259, 2 fields, 1 scope field
000a 0004 0052 0010 | scope ingressInterface, interfaceName (16)
"""));
  }

  @Test
  void optionsDataCarriesStatisticsAndInterfaceNames() {
    IpfixEncoder encoder = new IpfixEncoder(1, 1400);
    TreeMap<Long, String> names = new TreeMap<>();
    names.put(3L, "eth0");
    EncodeCursor cursor = new EncodeCursor();
    assertThat(encoder.encodeOptionsData(new ExportTotals(9, 100, 5000, 2), names, cursor, out))
        .isTrue();
    encoder.stamp(out, NOW, 0);
    assertThat(cursor.records).isEqualTo(2);
    assertThat(Hex.of(out))
        .isEqualTo(
            Hex.clean(
                """
000a 0050 6553f100 00000000 00000001 | length 16 + 40 + 24 = 80
0102 0028 00000001 | set 258, length 40; observationDomainId 1
0000000000000009 0000000000000064 0000000000001388 0000000000000002 | 9 msgs, 100 records, 5000 octets, 2 not sent
0103 0018 00000003 | set 259, length 24; ifindex 3
65746830 000000000000000000000000 | "eth0" zero padded to 16
"""));
    out.clear();
    assertThat(encoder.encodeOptionsData(ExportTotals.ZERO, names, cursor, out)).isFalse();
    assertThat(out.readableBytes()).isZero();
  }

  @Test
  void recordLengthsMatchTheTemplates() {
    assertThat(IpfixTemplates.IPV4_RECORD_LENGTH).isEqualTo(63);
    assertThat(IpfixTemplates.IPV6_RECORD_LENGTH).isEqualTo(87);
    assertThat(IpfixEncoder.minimumMessageSize()).isEqualTo(216);
  }

  @Test
  void messagesNeverExceedTheMaximumAndCarryEveryRowOnce() {
    List<TestFlow> flows = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      TestFlow f = i % 3 == 0 ? SampleFlows.icmp6() : SampleFlows.tcp4();
      flows.add(
          new TestFlow(
              f.src(), f.dst(), i, f.dstPort(), f.protocol(), 0, 0, i + 1, 1, 0, 0, 1, 0, 0, 1));
    }
    for (int max : new int[] {256, 300, 1400, 9000}) {
      IpfixEncoder encoder = new IpfixEncoder(1, max);
      try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
        FlowColumns columns = new FlowColumns(root);
        EncodeCursor cursor = new EncodeCursor();
        long packets = 0;
        int records = 0;
        out.clear();
        while (encoder.encodeData(columns, cursor, out)) {
          int length = out.getUnsignedShort(2);
          assertThat(length).isEqualTo(out.readableBytes()).isLessThanOrEqualTo(max);
          packets += sumPackets(out);
          records += cursor.records;
          out.clear();
        }
        assertThat(records).isEqualTo(1000);
        assertThat(packets).isEqualTo(1000L * 1001 / 2); // every row once: sum of 1..1000
      }
    }
  }

  /** Walks the sets of one message and adds up packetDeltaCount. */
  private static long sumPackets(ByteBuf m) {
    long sum = 0;
    int at = 16;
    while (at < m.readableBytes()) {
      int id = m.getUnsignedShort(at);
      int len = m.getUnsignedShort(at + 2);
      int recordLength = id == 256 ? 63 : 87;
      int packetsOffset =
          id == 256 ? 8 + 4 + 4 + 8 : 32 + 4 + 4 + 8; // after addrs, ports/proto/tos/flags, octets
      for (int r = at + 4; r + recordLength <= at + len; r += recordLength) {
        sum += m.getLong(r + packetsOffset);
      }
      at += len;
    }
    return sum;
  }

  @Test
  void tooSmallMaximumIsRejected() {
    assertThatThrownBy(() -> new IpfixEncoder(1, 215))
        .hasMessageContaining("215 not in 216..65535");
  }
}
