package dev.flowgate.exporters.netflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.encode.EncodeCursor;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.Hex;
import dev.flowgate.exporters.testing.SampleFlows;
import dev.flowgate.exporters.testing.TestFlow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NetflowV5EncoderTest {

  private static final long NOW = 1_700_000_000_123L;
  private static final long EPOCH = 1_699_999_000_000L;

  private final RootAllocator allocator = new RootAllocator();
  private final ByteBuf out = Unpooled.buffer(65536);

  @AfterEach
  void closeAllocator() {
    out.release();
    allocator.close();
  }

  @Test
  void headerAndRecordAreEncodedByteForByte() {
    NetflowV5Encoder encoder = new NetflowV5Encoder(1, 1400, EPOCH);
    TestFlow forwarded = SampleFlows.tcp4().withGateway(3, 7, "198.51.100.254", 64);
    try (VectorSchemaRoot root = FlowBatches.build(allocator, List.of(forwarded))) {
      encoder.encodeData(new FlowColumns(root), new EncodeCursor(), out);
      encoder.stamp(out, NOW, 7);
      assertThat(Hex.of(out))
          .isEqualTo(
              Hex.clean(
                  """
                  0005 0001          | version 5, count 1
                  000f4240           | sysUptime 1_000_000 ms
                  6553f100 00000000  | unix_secs, unix_nsecs 0 (uptime is on the same second)
                  00000007           | flow_sequence 7
                  00 01 0000         | engine type 0, engine id 1, sampling interval 0 (unsampled)
                  c0000201 c6336402 c63364fe | srcaddr, dstaddr, nexthop 198.51.100.254
                  0003 0007          | input 3, output 7 (the FIB's egress)
                  0000000a 000005dc  | dPkts 10, dOctets 1500
                  000f4240 000f481c  | First 1_000_000, Last 1_001_500 (sysUptime ms)
                  9c40 01bb          | srcport, dstport
                  00 1b 06 10        | pad1, tcp_flags, prot, tos
                  0000 0000 00 00 0000 | src_as, dst_as, masks, pad2
                  """));
    }
  }

  @Test
  void countersBeyond32BitsAreSplitIntoRecordsThatAddUpExactly() {
    long packets = 0xFFFFFFFFL + 6; // 2 records: 2147483651 + 2147483650
    long bytes = 10;
    TestFlow big = SampleFlows.tcp4();
    big =
        new TestFlow(
            big.src(),
            big.dst(),
            big.srcPort(),
            big.dstPort(),
            big.protocol(),
            0,
            0,
            packets,
            bytes,
            0,
            0,
            3,
            0,
            0,
            2);
    NetflowV5Encoder encoder = new NetflowV5Encoder(1, 1400, 0);
    try (VectorSchemaRoot root = FlowBatches.build(allocator, List.of(big))) {
      EncodeCursor cursor = new EncodeCursor();
      encoder.encodeData(new FlowColumns(root), cursor, out);
      assertThat(cursor.records).isEqualTo(2);
      assertThat(cursor.extraSplitRecords).isEqualTo(1);
      assertThat(out.getUnsignedInt(24 + 16)).isEqualTo(2147483651L);
      assertThat(out.getUnsignedInt(24 + 48 + 16)).isEqualTo(2147483650L);
      assertThat(out.getUnsignedInt(24 + 20)).isEqualTo(5);
      assertThat(out.getUnsignedInt(24 + 48 + 20)).isEqualTo(5);
    }
  }

  @Test
  void splitRowsStraddlePacketsAndIpv6IsCountedNotSent() {
    // 4 records per packet at 256 bytes; the big row needs 7
    long packets = 6 * 0xFFFFFFFFL + 12345;
    TestFlow t = SampleFlows.tcp4();
    TestFlow big = new TestFlow(t.src(), t.dst(), 1, 2, 6, 0, 0, packets, 99, 0, 0, 3, 0, 0, 2);
    TestFlow small = new TestFlow(t.src(), t.dst(), 3, 4, 17, 0, 0, 5, 500, 0, 0, 70000, 0, 0, 1);
    List<TestFlow> flows =
        List.of(SampleFlows.icmp6(), big, SampleFlows.icmp6(), small, SampleFlows.icmp6());
    NetflowV5Encoder encoder = new NetflowV5Encoder(1, 256, 0);
    try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
      FlowColumns columns = new FlowColumns(root);
      EncodeCursor cursor = new EncodeCursor();
      long sentPackets = 0;
      long sentBytes = 0;
      int records = 0;
      int messages = 0;
      while (encoder.encodeData(columns, cursor, out)) {
        assertThat(out.readableBytes())
            .isLessThanOrEqualTo(256)
            .isEqualTo(24 + 48 * cursor.records);
        for (int r = 0; r < cursor.records; r++) {
          sentPackets += out.getUnsignedInt(24 + 48 * r + 16);
          sentBytes += out.getUnsignedInt(24 + 48 * r + 20);
        }
        records += cursor.records;
        messages++;
        out.clear();
      }
      assertThat(messages).isEqualTo(2);
      assertThat(records).isEqualTo(8);
      assertThat(sentPackets).isEqualTo(packets + 5);
      assertThat(sentBytes).isEqualTo(99 + 500);
      assertThat(cursor.extraSplitRecords).isEqualTo(6);
      assertThat(cursor.skippedIpv6).isEqualTo(3);
      assertThat(cursor.truncatedInterfaces).isEqualTo(1); // ifindex 70000 > 16 bits
    }
  }

  @Test
  void partsAreTheLeastThatKeepEveryCounterIn32Bits() {
    assertThat(NetflowV5Encoder.partsNeeded(0, 0)).isEqualTo(1);
    assertThat(NetflowV5Encoder.partsNeeded(0xFFFFFFFFL, 1)).isEqualTo(1);
    assertThat(NetflowV5Encoder.partsNeeded(0x100000000L, 1)).isEqualTo(2);
    assertThat(NetflowV5Encoder.partsNeeded(1, -1L)).isEqualTo(0x100000001L); // 2^64 - 1 bytes
  }
}
