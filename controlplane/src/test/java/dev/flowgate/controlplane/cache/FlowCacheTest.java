package dev.flowgate.controlplane.cache;

import static dev.flowgate.controlplane.sweep.TestFlowKey.TCP;
import static dev.flowgate.controlplane.sweep.TestFlowKey.UDP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.flowgate.controlplane.sweep.DecodedRecord;
import dev.flowgate.controlplane.sweep.DrainedEntries;
import dev.flowgate.controlplane.sweep.TestFlowKey;
import dev.flowgate.exporters.EndReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlowCacheTest {

  private static final int FIN = 0x01;
  private static final int SYN = 0x02;
  private static final int RST = 0x04;
  private static final int PSH = 0x08;
  private static final int ACK = 0x10;

  private static final TestFlowKey WEB = TestFlowKey.v4("10.0.0.1", 40000, "10.0.0.2", 80, TCP);
  private static final TestFlowKey DNS6 =
      TestFlowKey.v6("2001:db8::1", 5353, "2001:db8::53", 53, UDP);

  private BufferAllocator allocator;
  private IntervalFeed feed;
  private FinishedRecords finished;
  private FlowCache cache;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator(64L << 20);
    feed = new IntervalFeed(allocator);
    finished = new FinishedRecords();
  }

  @AfterEach
  void tearDown() {
    if (cache != null) {
      cache.close();
    }
    feed.close();
    allocator.close(); // throws if a buffer leaked
  }

  private FlowCache cache(FlowCacheOptions options) {
    cache = new FlowCache(allocator, options, finished);
    return cache;
  }

  private static FlowCacheOptions timeouts(int idleSeconds, int activeSeconds) {
    return new FlowCacheOptions()
        .capacity(1024)
        .idleTimeout(Duration.ofSeconds(idleSeconds))
        .activeTimeout(Duration.ofSeconds(activeSeconds));
  }

  private void merge(DrainedEntries drain) {
    cache.merge(feed.batch(drain));
  }

  private static DrainedEntries drain() {
    return new DrainedEntries(64);
  }

  private static DecodedRecord record(
      TestFlowKey f,
      int tos,
      int flags,
      long packets,
      long bytes,
      long start,
      long end,
      EndReason r) {
    return new DecodedRecord(f, tos, flags, packets, bytes, start, end, r.code());
  }

  @Test
  void mergeOfSeveralIntervalsSumsExactly() {
    cache(timeouts(15, 60));
    merge(drain().addMs(WEB, 3, 180, 1000, 1400, SYN | ACK, 0x10));
    merge(
        drain()
            .addMs(WEB, 5, 4000, 2100, 2900, ACK | PSH, 0)
            .addMs(DNS6, 7, 700, 2000, 2500, 0, 0));
    merge(drain().addMs(WEB, 2, 120, 3050, 3050, ACK, 0));

    assertThat(finished.records).isEmpty();
    assertThat(cache.activeFlows()).isEqualTo(2);
    assertThat(cache.heldPackets(2, 0)).isEqualTo(17);
    assertThat(cache.heldBytes(2, 0)).isEqualTo(5000);
    List<ActiveFlow> top = cache.top(10, FlowRanking.BYTES);
    assertThat(top).extracting(ActiveFlow::packets).containsExactly(10L, 7L);
    assertThat(top.get(0).source().getHostAddress()).isEqualTo("10.0.0.1");
    assertThat(top.get(1).destination().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:53");

    cache.finishAll();
    assertThat(finished.records)
        .containsExactlyInAnyOrder(
            record(WEB, 0x10, SYN | ACK | PSH, 10, 4300, 1000, 3050, EndReason.FORCED_END),
            record(DNS6, 0, 0, 7, 700, 2000, 2500, EndReason.FORCED_END));
    assertThat(cache.heldPackets(2, 0)).isZero();
    assertThat(cache.heldBytes(2, 0)).isZero();
  }

  @Test
  void idleFlowIsExportedWithReasonIdleTimeoutAtItsDeadline() {
    cache(timeouts(15, 60));
    TestFlowKey other = WEB.on(3, 1);
    merge(drain().addMs(WEB, 4, 400, 500, 1000, ACK, 0).addMs(other, 1, 60, 2000, 2000, ACK, 0));

    cache.expire(15_999);
    assertThat(finished.records).isEmpty();
    cache.expire(16_000);
    assertThat(finished.take())
        .containsExactly(record(WEB, 0, ACK, 4, 400, 500, 1000, EndReason.IDLE_TIMEOUT));
    cache.expire(16_999);
    assertThat(finished.records).isEmpty();
    cache.expire(17_000);
    assertThat(finished.take())
        .containsExactly(record(other, 0, ACK, 1, 60, 2000, 2000, EndReason.IDLE_TIMEOUT));
    assertThat(cache.finishedFlows(EndReason.IDLE_TIMEOUT)).isEqualTo(2);
    assertThat(cache.activeFlows()).isZero();
  }

  @Test
  void whenMostFlowsEndTogetherTheSurvivorsAreStillFoundAndEveryCountIsExact() {
    // 600 of 1,000 flows idle out at once: expire compacts the survivors and indexes them anew
    // (CacheTable.retainPays); each survivor must still be found by the next merge, not cached
    // twice
    endTogether(3);
  }

  @Test
  void whenSomeFlowsEndTogetherEachIsRemovedAndEveryCountIsExact() {
    // 200 of 1,000: removed one by one (CacheTable.remove), the last entry moving into each place,
    // some of those ending too
    endTogether(1);
  }

  /** 1,000 flows, {@code endingOfFive} in five idling out at one expire; then one more merge. */
  private void endTogether(int endingOfFive) {
    cache(timeouts(15, 60).capacity(1024).maxBatchRows(128));
    TestFlowKey[] f = new TestFlowKey[1000];
    long heldPackets = 0;
    for (int from = 0; from < f.length; from += 50) {
      DrainedEntries d = new DrainedEntries(64);
      for (int i = from; i < from + 50; i++) {
        f[i] = TestFlowKey.v4("10.1." + (i >> 8) + "." + (i & 255), 2000 + i, "10.0.2.1", 53, UDP);
        boolean ends = i % 5 < endingOfFive;
        d.addMs(f[i], 1 + i % 7, 100L * (1 + i % 7), 500, ends ? 1000 : 10_000, 0, 0);
        heldPackets += 1 + i % 7;
      }
      merge(d);
    }
    assertThat(cache.activeFlows()).isEqualTo(1000);

    cache.expire(16_000);
    List<DecodedRecord> ended = finished.take();
    int endingFlows = 200 * endingOfFive;
    assertThat(ended)
        .hasSize(endingFlows)
        .allMatch(r -> r.endReason() == EndReason.IDLE_TIMEOUT.code());
    long endedPackets = ended.stream().mapToLong(DecodedRecord::packets).sum();
    List<DecodedRecord> want = new ArrayList<>();
    for (int i = 0; i < f.length; i++) {
      if (i % 5 < endingOfFive) {
        long p = 1 + i % 7;
        want.add(record(f[i], 0, 0, p, 100 * p, 500, 1000, EndReason.IDLE_TIMEOUT));
      }
    }
    assertThat(ended).containsExactlyInAnyOrderElementsOf(want);
    assertThat(cache.activeFlows()).isEqualTo(1000 - endingFlows);
    assertThat(cache.heldPackets(2, 0)).isEqualTo(heldPackets - endedPackets);

    // one more packet for every survivor and one new flow: each survivor found, none cached twice
    for (int from = 0; from < f.length; from += 50) {
      DrainedEntries d = new DrainedEntries(64);
      for (int i = from; i < from + 50; i++) {
        if (i % 5 >= endingOfFive) {
          d.addMs(f[i], 1, 100, 11_000, 11_000, 0, 0);
        }
      }
      merge(d);
    }
    TestFlowKey late = TestFlowKey.v4("10.9.9.9", 9, "10.0.2.1", 53, UDP);
    merge(drain().addMs(late, 1, 100, 11_000, 11_000, 0, 0));
    assertThat(cache.activeFlows()).isEqualTo(1001 - endingFlows);

    cache.finishAll();
    want.clear();
    for (int i = 0; i < f.length; i++) {
      if (i % 5 >= endingOfFive) {
        long p = 2 + i % 7;
        want.add(record(f[i], 0, 0, p, 100 * p, 500, 11_000, EndReason.FORCED_END));
      }
    }
    want.add(record(late, 0, 0, 1, 100, 11_000, 11_000, EndReason.FORCED_END));
    assertThat(finished.take()).containsExactlyInAnyOrderElementsOf(want);
    assertThat(cache.heldPackets(2, 0)).isZero();
  }

  @Test
  void activeTimeoutSplitsALongFlowIntoRecordsWhoseSumsEqualTheInput() {
    cache(timeouts(15, 60));
    long inPackets = 0;
    for (int i = 0; i < 150; i++) {
      merge(drain().addMs(WEB, i + 1, 100L * (i + 1), i * 1000L, i * 1000L + 500, ACK, 0));
      inPackets += i + 1;
      cache.expire((i + 1) * 1000L);
      int expectedRecords = i < 59 ? 0 : i < 119 ? 1 : 2;
      assertThat(finished.records).as("after interval %d", i).hasSize(expectedRecords);
    }
    cache.finishAll();
    assertThat(finished.records)
        .containsExactly(
            record(WEB, 0, ACK, 1830, 183_000, 0, 59_500, EndReason.ACTIVE_TIMEOUT),
            record(WEB, 0, ACK, 5430, 543_000, 60_000, 119_500, EndReason.ACTIVE_TIMEOUT),
            record(WEB, 0, ACK, 4065, 406_500, 120_000, 149_500, EndReason.FORCED_END));
    assertThat(inPackets).isEqualTo(1830 + 5430 + 4065);
  }

  @Test
  void finEndsTheFlowAtTheMergeThatSeesIt() {
    cache(timeouts(15, 60));
    merge(drain().addMs(WEB, 1, 60, 0, 0, SYN, 0));
    merge(drain().addMs(WEB, 10, 5000, 1000, 1900, ACK | PSH, 0));
    assertThat(finished.records).isEmpty();
    merge(drain().addMs(WEB, 2, 104, 2000, 2001, FIN | ACK, 0));
    assertThat(finished.take())
        .containsExactly(
            record(WEB, 0, SYN | ACK | PSH | FIN, 13, 5164, 0, 2001, EndReason.END_OF_FLOW));
    assertThat(cache.activeFlows()).isZero();
    assertThat(cache.heldPackets(2, 0)).isZero();

    // the last ACK comes in the next interval: a new record, which then times out
    merge(drain().addMs(WEB, 1, 52, 3000, 3000, ACK, 0));
    assertThat(cache.activeFlows()).isEqualTo(1);
    cache.expire(18_000);
    assertThat(finished.take())
        .containsExactly(record(WEB, 0, ACK, 1, 52, 3000, 3000, EndReason.IDLE_TIMEOUT));
  }

  @Test
  void rstEndsTheFlow() {
    cache(timeouts(15, 60));
    merge(drain().addMs(WEB, 3, 180, 0, 10, SYN | ACK, 0));
    merge(drain().addMs(WEB, 1, 40, 1500, 1500, RST, 0));
    assertThat(finished.take())
        .containsExactly(record(WEB, 0, SYN | ACK | RST, 4, 220, 0, 1500, EndReason.END_OF_FLOW));
    assertThat(cache.finishedFlows(EndReason.END_OF_FLOW)).isEqualTo(1);
  }

  @Test
  void aConnectionWhollyInsideOneIntervalGoesStraightOut() {
    cache(timeouts(15, 60).capacity(1));
    merge(drain().addMs(DNS6, 1, 80, 0, 0, 0, 0));
    merge(drain().addMs(WEB, 8, 900, 100, 300, SYN | ACK | FIN, 0x08));
    assertThat(finished.take())
        .containsExactly(
            record(WEB, 0x08, SYN | ACK | FIN, 8, 900, 100, 300, EndReason.END_OF_FLOW));
    assertThat(cache.activeFlows()).isEqualTo(1); // the full cache evicted nothing for it
    assertThat(cache.finishedFlows(EndReason.LACK_OF_RESOURCES)).isZero();
  }

  @Test
  void withinAnIntervalAConnectionsRowsFromSeveralCpusMakeOneRecord() {
    // the kernel counts a connection seen on two CPUs in two entries, drained in two chunks
    cache(timeouts(15, 60));
    merge(drain().addMs(WEB, 3, 180, 0, 10, SYN | ACK, 0));
    cache.beginInterval();
    merge(drain().addMs(WEB, 2, 104, 2000, 2001, FIN | ACK, 0)); // CPU 0's entry, chunk 1
    assertThat(finished.records).isEmpty();
    merge(drain().addMs(WEB, 4, 400, 1990, 2003, ACK | PSH, 0)); // CPU 1's entry, chunk 2
    merge(drain().addMs(DNS6, 1, 80, 2000, 2000, 0, 0));
    cache.endInterval();
    assertThat(finished.take())
        .containsExactly(
            record(WEB, 0, SYN | ACK | PSH | FIN, 9, 684, 0, 2003, EndReason.END_OF_FLOW));
    assertThat(cache.activeFlows()).isEqualTo(1); // DNS6
    assertThat(cache.heldPackets(2, 0)).isEqualTo(1);
  }

  @Test
  void aConnectionWhollyInsideOneIntervalSeenOnTwoCpusIsOneRecordToo() {
    cache(timeouts(15, 60));
    cache.beginInterval();
    merge(drain().addMs(WEB, 5, 500, 100, 200, SYN | ACK | FIN, 0x08));
    merge(drain().addMs(WEB, 3, 300, 150, 300, ACK | FIN, 0x08));
    cache.endInterval();
    assertThat(finished.take())
        .containsExactly(
            record(WEB, 0x08, SYN | ACK | FIN, 8, 800, 100, 300, EndReason.END_OF_FLOW));
    assertThat(cache.activeFlows()).isZero();
    assertThat(cache.heldPackets(2, 0)).isZero();
  }

  @Test
  void aFullCacheStillSendsAnEndingConnectionStraightOutAtTheIntervalsEnd() {
    cache(timeouts(15, 60).capacity(1));
    merge(drain().addMs(DNS6, 1, 80, 0, 0, 0, 0));
    cache.beginInterval();
    merge(drain().addMs(WEB, 8, 900, 100, 300, SYN | ACK | FIN, 0x08));
    cache.endInterval();
    assertThat(finished.take())
        .containsExactly(
            record(WEB, 0x08, SYN | ACK | FIN, 8, 900, 100, 300, EndReason.END_OF_FLOW));
    assertThat(cache.activeFlows()).isEqualTo(1);
    assertThat(cache.finishedFlows(EndReason.LACK_OF_RESOURCES)).isZero();
  }

  @Test
  void forcedEndOnShutdownReturnsEveryFlowInBatchesOfMaxRows() {
    cache(timeouts(15, 60).maxBatchRows(3));
    DrainedEntries d = drain();
    for (int i = 0; i < 7; i++) {
      d.addMs(WEB.on(2 + i % 2, i % 2).vlan(i), i + 1, 1000L * (i + 1), i, 10 + i, ACK, 0);
    }
    merge(d);
    assertThat(cache.heldPackets(2, 0)).isEqualTo(1 + 3 + 5 + 7);
    assertThat(cache.heldPackets(3, 1)).isEqualTo(2 + 4 + 6);

    cache.finishAll();
    assertThat(finished.batchSizes).containsExactly(3, 3, 1);
    assertThat(finished.records).hasSize(7).allMatch(r -> r.endReason() == 4);
    assertThat(finished.sums.get(2L << 8)).containsExactly(16, 16_000);
    assertThat(finished.sums.get(3L << 8 | 1)).containsExactly(12, 12_000);
    assertThat(cache.activeFlows()).isZero();
    assertThat(cache.heldPackets(2, 0)).isZero();
    assertThat(cache.heldBytes(3, 1)).isZero();
    assertThat(cache.finishedFlows(EndReason.FORCED_END)).isEqualTo(7);

    cache.finishAll(); // nothing left: no empty batch
    assertThat(finished.batchSizes).hasSize(3);
  }

  @Test
  void fullCacheEvictsTheLeastRecentlySeenWithLackOfResourcesLosingNoCount() {
    cache(timeouts(15, 60).capacity(4));
    TestFlowKey[] f = new TestFlowKey[6];
    for (int i = 0; i < f.length; i++) {
      f[i] = TestFlowKey.v4("10.0.1." + i, 1000 + i, "10.0.2.1", 443, TCP);
    }
    merge(
        drain()
            .addMs(f[0], 1, 100, 0, 1000, ACK, 0)
            .addMs(f[1], 2, 200, 0, 4000, ACK, 0)
            .addMs(f[2], 3, 300, 0, 2000, ACK, 0)
            .addMs(f[3], 4, 400, 0, 3000, ACK, 0));
    assertThat(finished.records).isEmpty();

    merge(
        drain().addMs(f[1], 10, 1000, 4500, 4600, ACK, 0).addMs(f[4], 5, 500, 5000, 5000, ACK, 0));
    assertThat(finished.take())
        .containsExactly(record(f[0], 0, ACK, 1, 100, 0, 1000, EndReason.LACK_OF_RESOURCES));

    merge(drain().addMs(f[5], 6, 600, 6000, 6000, ACK, 0).addMs(f[0], 7, 700, 6000, 6000, ACK, 0));
    assertThat(finished.take())
        .containsExactly(
            record(f[2], 0, ACK, 3, 300, 0, 2000, EndReason.LACK_OF_RESOURCES),
            record(f[3], 0, ACK, 4, 400, 0, 3000, EndReason.LACK_OF_RESOURCES));
    assertThat(cache.activeFlows()).isEqualTo(4);
    assertThat(cache.finishedFlows(EndReason.LACK_OF_RESOURCES)).isEqualTo(3);
    // merged 1+2+3+4+10+5+6+7 = 38 packets; finished 1+3+4 = 8; held f1 12, f4 5, f5 6, f0 7
    assertThat(cache.heldPackets(2, 0)).isEqualTo(30);
    assertThat(cache.heldBytes(2, 0)).isEqualTo(3000);
    assertThat(cache.top(4, FlowRanking.PACKETS))
        .extracting(ActiveFlow::srcPort, ActiveFlow::packets)
        .containsExactly(tuple(1001, 12L), tuple(1000, 7L), tuple(1005, 6L), tuple(1004, 5L));
  }

  @Test
  void topNRanksByBytesOrPacketsWithoutChangingTheCache() {
    cache(timeouts(15, 60));
    DrainedEntries d = drain();
    for (int i = 0; i < 10; i++) {
      d.addMs(
          TestFlowKey.v4("10.9.0." + i, 1, "10.9.1.1", 2, UDP),
          100 - 7 * i,
          1000L * (i + 1),
          0,
          0,
          0,
          0);
    }
    merge(d);
    assertThat(cache.top(3, FlowRanking.BYTES))
        .extracting(ActiveFlow::bytes)
        .containsExactly(10_000L, 9_000L, 8_000L);
    assertThat(cache.top(3, FlowRanking.PACKETS))
        .extracting(ActiveFlow::packets)
        .containsExactly(100L, 93L, 86L);
    assertThat(cache.top(0, FlowRanking.BYTES)).isEmpty();
    List<Long> all = new ArrayList<>();
    cache.top(20, FlowRanking.BYTES).forEach(a -> all.add(a.bytes()));
    assertThat(all)
        .containsExactly(
            10_000L, 9_000L, 8_000L, 7_000L, 6_000L, 5_000L, 4_000L, 3_000L, 2_000L, 1_000L);
    assertThat(cache.activeFlows()).isEqualTo(10);
    assertThat(cache.heldBytes(2, 0)).isEqualTo(55_000);
  }

  @Test
  void topNRanksByRateAndFiltersByInterface() {
    cache(timeouts(15, 60));
    merge(
        drain()
            // 6000 B over 3 s: 2000 B/s
            .addMs(TestFlowKey.v4("10.8.0.1", 1, "10.8.1.1", 2, UDP).on(2, 0), 6, 6000, 0, 3000, 0, 0)
            // 3000 B in 0.5 s: counted over at least 1 s, 3000 B/s
            .addMs(TestFlowKey.v4("10.8.0.2", 1, "10.8.1.1", 2, UDP).on(3, 0), 3, 3000, 0, 500, 0, 0)
            // 9000 B over 9 s: 1000 B/s
            .addMs(TestFlowKey.v4("10.8.0.3", 1, "10.8.1.1", 2, UDP).on(2, 0), 9, 9000, 0, 9000, 0, 0));
    assertThat(cache.top(3, FlowRanking.RATE))
        .extracting(ActiveFlow::bytes)
        .containsExactly(3000L, 6000L, 9000L);
    assertThat(cache.top(3, FlowRanking.BYTES, 2))
        .extracting(ActiveFlow::bytes)
        .containsExactly(9000L, 6000L);
    assertThat(cache.top(1, FlowRanking.RATE, 2)).extracting(ActiveFlow::bytes).containsExactly(6000L);
    assertThat(cache.top(5, FlowRanking.PACKETS, 7)).isEmpty();
    assertThat(cache.page(0, 2)).hasSize(2);
    assertThat(cache.page(2, 2)).hasSize(1);
    assertThat(cache.page(3, 2)).isEmpty();
  }

  @Test
  void interfaceDirectionAndVlanSeparateFlowsAndTheirHeldCounts() {
    cache(timeouts(15, 60));
    merge(
        drain()
            .addMs(WEB, 1, 10, 0, 0, ACK, 0)
            .addMs(WEB.on(2, 1), 2, 20, 0, 0, ACK, 0)
            .addMs(WEB.on(3, 0), 3, 30, 0, 0, ACK, 0)
            .addMs(WEB.vlan(10), 4, 40, 0, 0, ACK, 0));
    assertThat(cache.activeFlows()).isEqualTo(4);
    List<String> held = new ArrayList<>();
    cache.forEachHeld((ifx, dir, p, b) -> held.add(ifx + "/" + dir + ":" + p + "/" + b));
    assertThat(held).containsExactlyInAnyOrder("2/0:5/50", "2/1:2/20", "3/0:3/30");
    assertThat(cache.heldPackets(9, 0)).isZero();
    assertThat(cache.capacity()).isEqualTo(1024);
  }

  @Test
  void refusesABatchOfAnotherSchema() {
    cache(timeouts(15, 60));
    Schema other = new Schema(List.of(Field.notNullable("x", new ArrowType.Int(64, true))));
    try (VectorSchemaRoot root = VectorSchemaRoot.create(other, allocator)) {
      assertThatThrownBy(() -> cache.merge(root))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a FlowSchema batch");
    }
  }
}
