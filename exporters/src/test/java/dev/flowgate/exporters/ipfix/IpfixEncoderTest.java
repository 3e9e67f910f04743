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
    TestFlow forwarded = SampleFlows.tcp4().withGateway(3, 7, "198.51.100.254", 64);
    try (VectorSchemaRoot root = FlowBatches.build(allocator, List.of(forwarded))) {
      EncodeCursor cursor = new EncodeCursor();
      assertThat(encoder.encodeData(new FlowColumns(root), cursor, out)).isTrue();
      encoder.stamp(out, NOW, 7);
      assertThat(cursor.records).isEqualTo(1);
      assertThat(Hex.of(out))
          .isEqualTo(
              Hex.clean(
                  """
                  000a 0058          | version 10, length 16 + 4 + 68 = 88
                  6553f100           | export time 1700000000
                  00000007           | sequence 7
                  00000001           | observation domain 1
                  0100 0048          | data set 256, length 4 + 68 = 72
                  c0000201 c6336402  | 192.0.2.1 -> 198.51.100.2
                  9c40 01bb          | ports 40000 -> 443
                  06 10 001b         | TCP, ToS 0x10, flags SYN|FIN|PSH|ACK (16 bits)
                  00000000000005dc   | octetDeltaCount 1500
                  000000000000000a   | packetDeltaCount 10
                  0000018bcfe56800   | flowStartMilliseconds
                  0000018bcfe56ddc   | flowEndMilliseconds
                  00000003 00000007  | ingressInterface 3, egressInterface 7 (the FIB's)
                  0064 0000          | vlanId 100, icmpTypeCodeIPv4 0
                  00 03 04           | direction ingress, end of flow, ipVersion 4
                  c63364fe           | ipNextHopIPv4Address 198.51.100.254
                  40                 | forwardingStatus 64: forwarded
                  """));
    }
  }

  @Test
  void rowWithMacsGoesInTheMacTemplatesDataSet() {
    IpfixEncoder encoder = new IpfixEncoder(1, 1400);
    TestFlow plain = SampleFlows.tcp4().withGateway(3, 0, null, 131);
    TestFlow withMacs = plain.withMacs(0x02aabbccdd01L, 0x02aabbccdd02L);
    try (VectorSchemaRoot root = FlowBatches.build(allocator, List.of(plain, withMacs))) {
      EncodeCursor cursor = new EncodeCursor();
      assertThat(encoder.encodeData(new FlowColumns(root), cursor, out)).isTrue();
      encoder.stamp(out, NOW, 7);
      assertThat(cursor.records).isEqualTo(2);
      assertThat(Hex.of(out))
          .isEqualTo(
              Hex.clean(
                  """
                  000a 00ac 6553f100 00000007 00000001 | length 16 + 72 + 84 = 172
                  0100 0048          | data set 256, length 4 + 68 = 72
                  c0000201 c6336402 9c40 01bb 06 10 001b
                  00000000000005dc 000000000000000a 0000018bcfe56800 0000018bcfe56ddc
                  00000003 00000000  | ingress 3, egress 0: not forwarded
                  0064 0000 00 03 04
                  00000000           | no next hop
                  83                 | forwardingStatus 131: dropped, unroutable
                  0106 0054          | data set 262 (IPv4 with MACs), length 4 + 68 + 12 = 84
                  c0000201 c6336402 9c40 01bb 06 10 001b
                  00000000000005dc 000000000000000a 0000018bcfe56800 0000018bcfe56ddc
                  00000003 00000000 0064 0000 00 03 04 00000000 83
                  02aabbccdd01       | sourceMacAddress
                  02aabbccdd02       | destinationMacAddress
                  """));
    }
  }

  @Test
  void icmpv6RecordCarriesTypeCodeAndNoPorts() {
    IpfixEncoder encoder = new IpfixEncoder(0x01020304L, 1400);
    TestFlow forwarded = SampleFlows.icmp6().withGateway(2, 5, "2001:db8::2", 64);
    try (VectorSchemaRoot root = FlowBatches.build(allocator, List.of(forwarded))) {
      EncodeCursor cursor = new EncodeCursor();
      encoder.encodeData(new FlowColumns(root), cursor, out);
      encoder.stamp(out, NOW, 0xFFFFFFFFL + 3); // the sequence number wraps modulo 2^32
      assertThat(Hex.of(out))
          .isEqualTo(
              Hex.clean(
                  """
                  000a 007c          | version 10, length 16 + 4 + 104 = 124
                  6553f100 00000002  | export time, sequence (2^32 + 2) mod 2^32
                  01020304           | observation domain
                  0101 006c          | data set 257, length 4 + 104 = 108
                  20010db8000000000000000000000001 | 2001:db8::1
                  20010db8000000000000000000000002 | 2001:db8::2
                  0000 0000          | ICMP: no transport ports
                  3a 00 0000         | ICMPv6, ToS 0, flags 0
                  00000000000001a0   | octets 416
                  0000000000000004   | packets 4
                  0000018bcfe56800 0000018bcfe56ddc | start, end
                  00000002 00000005  | ingress 2 (the skb's), egress 5 (observed)
                  0000 8000          | vlan 0, icmpTypeCodeIPv6 128/0
                  01 01 06           | egress, idle timeout, ipVersion 6
                  20010db8000000000000000000000002 | ipNextHopIPv6Address: directly connected
                  40                 | forwarded
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
000a 01a0 6553f100 00000005 00000001 | length 16 + 356 + 44 = 416, sequence 5
0002 0164          | template set, length 4 + 84 + 84 + 92 + 92 = 356
0100 0014          | template 256, 20 fields
0008 0004 000c 0004 0007 0002 000b 0002 | src4, dst4, sport, dport
0004 0001 0005 0001 0006 0002           | protocol, ToS, tcpControlBits (2)
0001 0008 0002 0008 0098 0008 0099 0008 | octets, packets, start ms, end ms
000a 0004 000e 0004 003a 0002 0020 0002 | ingress, egress, vlanId, icmpTypeCodeIPv4
003d 0001 0088 0001 003c 0001           | flowDirection, flowEndReason, ipVersion
000f 0004 0059 0001                     | ipNextHopIPv4Address, forwardingStatus
0101 0014          | template 257, 20 fields
001b 0010 001c 0010 0007 0002 000b 0002 | src6, dst6, sport, dport
0004 0001 0005 0001 0006 0002
0001 0008 0002 0008 0098 0008 0099 0008
000a 0004 000e 0004 003a 0002 008b 0002 | ..., icmpTypeCodeIPv6
003d 0001 0088 0001 003c 0001
003e 0010 0059 0001                     | ipNextHopIPv6Address, forwardingStatus
0106 0016          | template 262, 22 fields: 256's, then the MACs
0008 0004 000c 0004 0007 0002 000b 0002
0004 0001 0005 0001 0006 0002
0001 0008 0002 0008 0098 0008 0099 0008
000a 0004 000e 0004 003a 0002 0020 0002
003d 0001 0088 0001 003c 0001
000f 0004 0059 0001
0038 0006 0050 0006                     | sourceMacAddress, destinationMacAddress
0107 0016          | template 263, 22 fields: 257's, then the MACs
001b 0010 001c 0010 0007 0002 000b 0002
0004 0001 0005 0001 0006 0002
0001 0008 0002 0008 0098 0008 0099 0008
000a 0004 000e 0004 003a 0002 008b 0002
003d 0001 0088 0001 003c 0001
003e 0010 0059 0001
0038 0006 0050 0006
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
    assertThat(IpfixTemplates.IPV4_RECORD_LENGTH).isEqualTo(68);
    assertThat(IpfixTemplates.IPV6_RECORD_LENGTH).isEqualTo(104);
    assertThat(IpfixTemplates.recordLength(IpfixTemplates.IPV4_MACS_FIELDS)).isEqualTo(80);
    assertThat(IpfixTemplates.recordLength(IpfixTemplates.IPV6_MACS_FIELDS)).isEqualTo(116);
    assertThat(IpfixEncoder.minimumMessageSize()).isEqualTo(416);
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
    for (int max : new int[] {416, 500, 1400, 9000}) {
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
      int recordLength = id == 256 ? 68 : 104;
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
    assertThatThrownBy(() -> new IpfixEncoder(1, 415))
        .hasMessageContaining("415 not in 416..65535");
  }
}
