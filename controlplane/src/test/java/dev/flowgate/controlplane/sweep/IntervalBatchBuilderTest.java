package dev.flowgate.controlplane.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.exporters.FlowColumns;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IntervalBatchBuilderTest {

  private static final HexFormat HEX = HexFormat.of();

  private BufferAllocator allocator;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator(64L << 20);
  }

  @AfterEach
  void tearDown() {
    allocator.close(); // throws if a buffer leaked
  }

  /** Three entries written byte by byte at flowgate.h's offsets. */
  private static ByteBuffer[] handBuiltDrain() {
    ByteBuffer keys = ByteBuffer.allocateDirect(3 * 44).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer values = ByteBuffer.allocateDirect(3 * 72).order(ByteOrder.LITTLE_ENDIAN);
    // 0: TCP 192.0.2.1:51000 > 198.51.100.7:443, ifindex 7 egress, vlan 100
    keys.put(0, HEX.parseHex("00000000000000000000ffffc0000201"));
    keys.put(16, HEX.parseHex("00000000000000000000ffffc6336407"));
    keys.put(32, new byte[] {(byte) 0x38, (byte) 0xc7}); // 51000 = 0xc738, little-endian
    keys.put(34, new byte[] {(byte) 0xbb, 0x01}); // 443
    keys.put(36, new byte[] {7, 0, 0, 0});
    keys.put(40, new byte[] {100, 0});
    keys.put(42, (byte) 6);
    keys.put(43, (byte) 1);
    values.putLong(0, 12);
    values.putLong(8, 9_000);
    values.putLong(16, 5_000_123_456L);
    values.putLong(24, 5_999_999_999L);
    values.putInt(32, 0xABCD_0000 | 0x1A); // PSH|ACK|SYN... only the low 8 bits are flags
    values.put(36, (byte) 0xB8); // DSCP EF
    values.put(37, (byte) 4);
    // 1: UDP [2001:db8::1]:5353 > [ff02::fb]:5353, ifindex 3 ingress, untagged
    keys.put(44, HEX.parseHex("20010db8000000000000000000000001"));
    keys.put(60, HEX.parseHex("ff0200000000000000000000000000fb"));
    keys.putShort(76, (short) 5353);
    keys.putShort(78, (short) 5353);
    keys.putInt(80, 3);
    keys.put(86, (byte) 17);
    values.putLong(72, 1);
    values.putLong(80, 0xFFFF_FFFF_FFFFL);
    values.putLong(88, 7_000_000L);
    values.putLong(96, 7_000_000L);
    values.put(108, (byte) 0x20);
    values.put(109, (byte) 6);
    // 2: ICMP echo request (type 8, code 0) 10.0.0.1 > 10.0.0.2, ifindex 0xFFFFFFF0, vlan 4095
    keys.put(88, HEX.parseHex("00000000000000000000ffff0a000001"));
    keys.put(104, HEX.parseHex("00000000000000000000ffff0a000002"));
    keys.putShort(122, (short) 0x0800);
    keys.putInt(124, 0xFFFF_FFF0);
    keys.putShort(128, (short) 4095);
    keys.put(130, (byte) 1);
    values.putLong(144, 3);
    values.putLong(152, 252);
    values.putLong(160, 1_000_000L);
    values.putLong(168, 2_999_999L);
    values.put(181, (byte) 4);
    return new ByteBuffer[] {keys, values};
  }

  @Test
  void decodesHandBuiltDrainExactly() {
    ByteBuffer[] drain = handBuiltDrain();
    long offsetNs = 1_700_000_000_000_000_000L;
    try (IntervalBatchBuilder builder = new IntervalBatchBuilder(allocator, 4)) {
      assertThat(builder.append(drain[0], drain[1], 3, offsetNs)).isEqualTo(3);
      List<DecodedRecord> rows = DecodedRecord.decode(builder.root());
      assertThat(rows)
          .containsExactly(
              new DecodedRecord(
                  new TestFlowKey(
                      TestFlowKey.mapped("192.0.2.1"),
                      TestFlowKey.mapped("198.51.100.7"),
                      51000,
                      443,
                      6,
                      7,
                      1,
                      100,
                      4),
                  0xB8,
                  0x1A,
                  12,
                  9_000,
                  1_700_000_005_000L, // floor(5_000_123_456 ns) ms + offset
                  1_700_000_005_999L,
                  0),
              new DecodedRecord(
                  new TestFlowKey(
                      TestFlowKey.raw("2001:db8::1"),
                      TestFlowKey.raw("ff02::fb"),
                      5353,
                      5353,
                      17,
                      3,
                      0,
                      0,
                      6),
                  0x20,
                  0,
                  1,
                  0xFFFF_FFFF_FFFFL,
                  1_700_000_000_007L,
                  1_700_000_000_007L,
                  0),
              new DecodedRecord(
                  new TestFlowKey(
                      TestFlowKey.mapped("10.0.0.1"),
                      TestFlowKey.mapped("10.0.0.2"),
                      0,
                      0x0800,
                      1,
                      0xFFFF_FFF0,
                      0,
                      4095,
                      4),
                  0,
                  0,
                  3,
                  252,
                  1_700_000_000_001L,
                  1_700_000_000_002L,
                  0));
    }
  }

  @Test
  void chunksOfOneDrainAppendInOrderAndClearStartsANewBatch() {
    ByteBuffer[] drain = handBuiltDrain();
    try (IntervalBatchBuilder builder = new IntervalBatchBuilder(allocator, 1)) {
      builder.append(drain[0].slice(0, 44), drain[1].slice(0, 72), 1, 0);
      ByteBuffer restKeys = drain[0].duplicate().position(44).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer restValues = drain[1].duplicate().position(72).order(ByteOrder.LITTLE_ENDIAN);
      assertThat(builder.append(restKeys, restValues, 2, 0)).isEqualTo(3);
      assertThat(restKeys.position()).isEqualTo(44); // positions are not moved
      assertThat(builder.root().getRowCount()).isEqualTo(3);
      List<DecodedRecord> rows = DecodedRecord.decode(builder.root());
      assertThat(rows).extracting(r -> r.flow().dstPort()).containsExactly(443, 5353, 0x0800);
      assertThat(rows).extracting(DecodedRecord::packets).containsExactly(12L, 1L, 3L);

      builder.clear();
      assertThat(builder.root().getRowCount()).isZero();
      builder.append(restKeys, restValues, 1, 0);
      assertThat(DecodedRecord.decode(builder.root()))
          .extracting(DecodedRecord::bytes)
          .containsExactly(0xFFFF_FFFF_FFFFL);
    }
  }

  @Test
  void bigEndianBuffersAreReadAsLittleEndian() {
    ByteBuffer[] drain = handBuiltDrain();
    drain[0].order(ByteOrder.BIG_ENDIAN);
    drain[1].order(ByteOrder.BIG_ENDIAN);
    try (IntervalBatchBuilder builder = new IntervalBatchBuilder(allocator, 3)) {
      builder.append(drain[0], drain[1], 3, 0);
      DecodedRecord first = DecodedRecord.decode(builder.root()).get(0);
      assertThat(first.flow().srcPort()).isEqualTo(51000);
      assertThat(first.packets()).isEqualTo(12);
    }
  }

  @Test
  void growsPastItsInitialRowsKeepingEveryRow() {
    DrainedEntries drain = new DrainedEntries(5000);
    for (int i = 0; i < 5000; i++) {
      drain.addMs(
          TestFlowKey.v4("10.0.0.1", i, "10.0.0.2", 80, TestFlowKey.UDP),
          i + 1,
          100L * i,
          i,
          i,
          0,
          0);
    }
    try (IntervalBatchBuilder builder = new IntervalBatchBuilder(allocator, 16)) {
      builder.append(drain.keys(), drain.values(), 2500, 0);
      builder.append(
          drain.keys().slice(2500 * 44, 2500 * 44).order(ByteOrder.LITTLE_ENDIAN),
          drain.values().slice(2500 * 72, 2500 * 72).order(ByteOrder.LITTLE_ENDIAN),
          2500,
          0);
      List<DecodedRecord> rows = DecodedRecord.decode(builder.root());
      assertThat(rows).hasSize(5000);
      for (int i = 0; i < 5000; i++) {
        assertThat(rows.get(i).flow().srcPort()).isEqualTo(i);
        assertThat(rows.get(i).packets()).isEqualTo(i + 1);
        assertThat(rows.get(i).bytes()).isEqualTo(100L * i);
        assertThat(rows.get(i).startMs()).isEqualTo(i);
      }
    }
  }

  @Test
  void refusesBuffersShorterThanTheCount() {
    ByteBuffer[] drain = handBuiltDrain();
    try (IntervalBatchBuilder builder = new IntervalBatchBuilder(allocator, 3)) {
      assertThatThrownBy(() -> builder.append(drain[0], drain[1], 4, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("need 4 entries");
      assertThat(builder.rowCount()).isZero();
    }
  }

  @Test
  void monotonicTimesBecomeEpochMillisFloored() {
    assertThat(MonotonicClock.toEpochMs(1_999_999L, 0)).isEqualTo(1);
    assertThat(MonotonicClock.toEpochMs(0, -1)).isEqualTo(-1);
    assertThat(MonotonicClock.toEpochMs(5_000_000_000L, 1_600_000_000_000_000_000L))
        .isEqualTo(1_600_000_005_000L);
  }

  @Test
  void gatewayFieldsFillBothInterfacesAndNotForwardedResolvesByTheHostsAddresses()
      throws Exception {
    DrainedEntries drain = new DrainedEntries(4);
    TestFlowKey out = TestFlowKey.v4("198.51.100.7", 1000, "203.0.113.5", 53, TestFlowKey.UDP);
    // at the ingress hook on 3: the FIB says out on 5 via 203.0.113.254, forwarded
    drain
        .addMs(out.on(3, 0), 1, 100, 1, 1, 0, 0)
        .gateway(5, 64, TestFlowKey.mapped("203.0.113.254"), 0x02aabbccdd01L, 0x02aabbccdd02L);
    // at the egress hook on 5: it came in on 3
    drain
        .addMs(out.on(5, 1), 1, 100, 1, 1, 0, 0)
        .gateway(3, 64, TestFlowKey.mapped("203.0.113.254"), 0, 0);
    // "not forwarded": to an address of this host (consumed), and to anything else (unroutable)
    drain
        .addMs(TestFlowKey.v4("198.51.100.7", 1001, "192.0.2.1", 9, 17).on(3, 0), 1, 1, 1, 1, 0, 0)
        .gateway(0, 1, null, 0, 0);
    drain
        .addMs(TestFlowKey.v4("198.51.100.7", 1002, "192.0.2.2", 9, 17).on(3, 0), 1, 1, 1, 1, 0, 0)
        .gateway(0, 1, null, 0, 0);
    try (IntervalBatchBuilder builder = new IntervalBatchBuilder(allocator, 4)) {
      builder.setLocalDestinations(
          LocalDestinations.of(List.of(InetAddress.getByName("192.0.2.1"))));
      builder.append(drain.keys(), drain.values(), drain.count(), 0);
      FlowColumns c = new FlowColumns(builder.root());
      assertThat(List.of(c.ingressInterface(0), c.egressInterface(0))).containsExactly(3L, 5L);
      assertThat(List.of(c.ingressInterface(1), c.egressInterface(1))).containsExactly(3L, 5L);
      assertThat(c.nextHopIpv4(0)).isEqualTo(0xCB0071FE); // 203.0.113.254
      assertThat(c.forwardingStatus(0)).isEqualTo(64);
      assertThat(c.srcMac(0)).isEqualTo(0x02aabbccdd01L);
      assertThat(c.dstMac(0)).isEqualTo(0x02aabbccdd02L);
      assertThat(c.hasMacs(1)).isFalse();
      assertThat(c.forwardingStatus(2)).isEqualTo(195);
      assertThat(c.forwardingStatus(3)).isEqualTo(131);
      assertThat(c.egressInterface(2)).isZero();
    }
  }
}
