package dev.flowgate.exporters.netflow;

import static org.assertj.core.api.Assertions.assertThat;

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
class NetflowV9EncoderTest {

  /** Export at 1_700_000_000_123 ms: UNIX secs 0x6553f100. */
  private static final long NOW = 1_700_000_000_123L;

  /** sysUptime epoch 1000 s before NOW's second: sysUptime 1_000_000 = 0x000f4240. */
  private static final long EPOCH = 1_699_999_000_000L;

  private final RootAllocator allocator = new RootAllocator();
  private final ByteBuf out = Unpooled.buffer(65536);

  @AfterEach
  void closeAllocator() {
    out.release();
    allocator.close();
  }

  @Test
  void headerAndIpv4RecordAreEncodedByteForByte() {
    NetflowV9Encoder encoder = new NetflowV9Encoder(1, 1400, EPOCH);
    TestFlow forwarded = SampleFlows.tcp4().withGateway(3, 7, "198.51.100.254", 64);
    try (VectorSchemaRoot root = FlowBatches.build(allocator, List.of(forwarded))) {
      EncodeCursor cursor = new EncodeCursor();
      assertThat(encoder.encodeData(new FlowColumns(root), cursor, out)).isTrue();
      encoder.stamp(out, NOW, 7);
      assertThat(Hex.of(out))
          .isEqualTo(
              Hex.clean(
                  """
                  0009 0001          | version 9, count 1 record
                  000f4240           | sysUptime 1_000_000 ms (same second as UNIX secs)
                  6553f100           | UNIX secs
                  00000007           | package sequence 7
                  00000001           | source id 1
                  0100 0048          | flowset 256, length 4 + 67 + 1 padding = 72
                  c0000201 c6336402  | IPV4_SRC_ADDR, IPV4_DST_ADDR
                  9c40 01bb          | L4_SRC_PORT 40000, L4_DST_PORT 443
                  06 10 1b           | PROTOCOL, SRC_TOS, TCP_FLAGS (1 byte)
                  00000000000005dc 000000000000000a | IN_BYTES, IN_PKTS (8 bytes)
                  0000018bcfe56800 0000018bcfe56ddc | flowStart/EndMilliseconds (152/153)
                  00000003 00000007  | INPUT_SNMP, OUTPUT_SNMP (the FIB's egress)
                  0064 0000          | SRC_VLAN 100, ICMP_TYPE 0
                  00 03 04           | DIRECTION, flowEndReason, IP_PROTOCOL_VERSION
                  c63364fe           | IPV4_NEXT_HOP 198.51.100.254
                  40                 | FORWARDING_STATUS 64: forwarded
                  00                 | padding to 4 bytes
                  """));
    }
  }

  @Test
  void icmpv6RecordCarriesTypeCodeInIcmpTypeAndDestinationPort() {
    NetflowV9Encoder encoder = new NetflowV9Encoder(1, 1400, EPOCH);
    TestFlow withMacs =
        SampleFlows.icmp6()
            .withGateway(2, 5, "2001:db8::2", 64)
            .withMacs(0x02aabbccdd01L, 0x02aabbccdd02L);
    try (VectorSchemaRoot root = FlowBatches.build(allocator, List.of(withMacs))) {
      encoder.encodeData(new FlowColumns(root), new EncodeCursor(), out);
      encoder.stamp(out, NOW, 0);
      assertThat(Hex.of(out))
          .isEqualTo(
              Hex.clean(
                  """
                  0009 0001 000f4240 6553f100 00000000 00000001
                  0105 0078          | flowset 261 (IPv6, MACs), length 4 + 115 + 1 padding = 120
                  20010db8000000000000000000000001 20010db8000000000000000000000002
                  0000 8000          | L4_SRC_PORT 0, L4_DST_PORT 128/0 (NetFlow style)
                  3a 00 00
                  00000000000001a0 0000000000000004
                  0000018bcfe56800 0000018bcfe56ddc
                  00000002 00000005  | in on 2, out on 5 (observed at egress)
                  0000 8000          | SRC_VLAN 0, ICMP_TYPE 128/0
                  01 01 06
                  20010db8000000000000000000000002 | IPV6_NEXT_HOP
                  40                 | FORWARDING_STATUS
                  02aabbccdd01 02aabbccdd02 | IN_SRC_MAC, IN_DST_MAC
                  00
                  """));
    }
  }

  @Test
  void templatePacketAnnouncesFlowAndOptionsTemplates() {
    NetflowV9Encoder encoder = new NetflowV9Encoder(1, 1400, EPOCH);
    encoder.encodeTemplates(out);
    encoder.stamp(out, NOW, 3);
    assertThat(Hex.of(out))
        .isEqualTo(
            Hex.clean(
                """
                0009 0006 000f4240 6553f100 00000003 00000001 | count 6 template records
                0000 0164          | template flowset, length 4 + 84 + 84 + 92 + 92 = 356
                0100 0014
                0008 0004 000c 0004 0007 0002 000b 0002
                0004 0001 0005 0001 0006 0001           | TCP_FLAGS is 1 byte in v9
                0001 0008 0002 0008 0098 0008 0099 0008
                000a 0004 000e 0004 003a 0002 0020 0002
                003d 0001 0088 0001 003c 0001
                000f 0004 0059 0001                     | IPV4_NEXT_HOP, FORWARDING_STATUS
                0101 0014
                001b 0010 001c 0010 0007 0002 000b 0002
                0004 0001 0005 0001 0006 0001
                0001 0008 0002 0008 0098 0008 0099 0008
                000a 0004 000e 0004 003a 0002 0020 0002 | ICMP_TYPE for IPv6 too
                003d 0001 0088 0001 003c 0001
                003e 0010 0059 0001                     | IPV6_NEXT_HOP, FORWARDING_STATUS
                0104 0016                               | template 260: 256's, then the MACs
                0008 0004 000c 0004 0007 0002 000b 0002
                0004 0001 0005 0001 0006 0001
                0001 0008 0002 0008 0098 0008 0099 0008
                000a 0004 000e 0004 003a 0002 0020 0002
                003d 0001 0088 0001 003c 0001
                000f 0004 0059 0001
                0038 0006 0050 0006                     | IN_SRC_MAC, IN_DST_MAC
                0105 0016                               | template 261: 257's, then the MACs
                001b 0010 001c 0010 0007 0002 000b 0002
                0004 0001 0005 0001 0006 0001
                0001 0008 0002 0008 0098 0008 0099 0008
                000a 0004 000e 0004 003a 0002 0020 0002
                003d 0001 0088 0001 003c 0001
                003e 0010 0059 0001
                0038 0006 0050 0006
                0001 0028          | options template flowset, length 4 + 22 + 14 = 40
                0102 0004 000c     | template 258, scope length 4, option length 12
                0001 0004          | scope System
                0029 0008 002a 0008 0028 0008 | TOTAL_PKTS_EXP, TOTAL_FLOWS_EXP, TOTAL_BYTES_EXP
                0103 0004 0004     | template 259, scope length 4, option length 4
                0002 0004 0052 0010 | scope Interface, IF_NAME (16)
                """));
  }

  @Test
  void optionsDataCarriesStatisticsAndInterfaceNames() {
    NetflowV9Encoder encoder = new NetflowV9Encoder(1, 1400, EPOCH);
    TreeMap<Long, String> names = new TreeMap<>();
    names.put(3L, "eth0");
    EncodeCursor cursor = new EncodeCursor();
    assertThat(encoder.encodeOptionsData(new ExportTotals(9, 100, 5000, 2), names, cursor, out))
        .isTrue();
    encoder.stamp(out, NOW, 1);
    assertThat(Hex.of(out))
        .isEqualTo(
            Hex.clean(
                """
0009 0002 000f4240 6553f100 00000001 00000001 | count 2 records
0102 0020 00000001 | flowset 258, length 4 + 28 = 32; System 1
0000000000000009 0000000000000064 0000000000001388 | 9 packets, 100 flows, 5000 bytes
0103 0018 00000003 65746830 000000000000000000000000 | ifindex 3 "eth0"
"""));
  }

  @Test
  void packetsNeverExceedTheMaximumAndSequenceCountsPackets() {
    List<TestFlow> flows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      flows.add(i % 2 == 0 ? SampleFlows.tcp4() : SampleFlows.icmp6());
    }
    NetflowV9Encoder encoder = new NetflowV9Encoder(1, 450, EPOCH);
    try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
      FlowColumns columns = new FlowColumns(root);
      EncodeCursor cursor = new EncodeCursor();
      int records = 0;
      while (encoder.encodeData(columns, cursor, out)) {
        assertThat(out.readableBytes()).isLessThanOrEqualTo(450);
        assertThat(out.readableBytes() % 4).isZero();
        assertThat(out.getUnsignedShort(2)).isEqualTo(cursor.records);
        records += cursor.records;
        out.clear();
      }
      assertThat(records).isEqualTo(500);
    }
    assertThat(encoder.sequenceStep(17)).isEqualTo(1);
  }
}
