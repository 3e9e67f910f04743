package dev.flowgate.controlplane.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.sweep.DecodedRecord;
import dev.flowgate.controlplane.sweep.DrainedEntries;
import dev.flowgate.controlplane.sweep.TestFlowKey;
import dev.flowgate.exporters.EndReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Randomized property tests over many intervals: the accounting invariant (merged = finished +
 * held, per interface and direction, after every call) with heavy eviction, and record-for-record
 * agreement with a plain HashMap model when nothing is evicted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FlowCacheAccountingTest {

  private static final long IDLE_MS = 5_000;
  private static final long ACTIVE_MS = 20_000;
  private static final int[] IFINDEXES = {2, 3, 1_000_000};

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
    allocator.close();
  }

  private FlowCache cache(int capacity) {
    cache =
        new FlowCache(
            allocator,
            new FlowCacheOptions()
                .capacity(capacity)
                .maxBatchRows(7)
                .idleTimeout(Duration.ofMillis(IDLE_MS))
                .activeTimeout(Duration.ofMillis(ACTIVE_MS)),
            finished);
    return cache;
  }

  private static List<TestFlowKey> keys(Random rnd, int n) {
    List<TestFlowKey> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean v6 = rnd.nextInt(4) == 0;
      int proto = rnd.nextBoolean() ? TestFlowKey.TCP : TestFlowKey.UDP;
      TestFlowKey f =
          v6
              ? TestFlowKey.v6(
                  "2001:db8::" + Integer.toHexString(i + 1), 1024 + i, "2001:db8::ff", 443, proto)
              : TestFlowKey.v4(
                  "10." + (i >> 8) + "." + (i & 255) + ".1", 1024 + i, "192.0.2.1", 53, proto);
      keys.add(f.on(IFINDEXES[rnd.nextInt(IFINDEXES.length)], rnd.nextInt(2)).vlan(rnd.nextInt(3)));
    }
    return keys;
  }

  /**
   * One interval: a random set of distinct keys with random counts, flags now and then FIN/RST.
   * Keys 0 to 2 are long-lived talkers, present nine intervals in ten, so active timeouts fire.
   */
  private static DrainedEntries interval(Random rnd, List<TestFlowKey> keys, long t, int maxRows) {
    DrainedEntries d = new DrainedEntries(keys.size());
    boolean[] chosen = new boolean[keys.size()];
    int rows = rnd.nextInt(maxRows + 1);
    for (int j = 0; j < rows + 3; j++) {
      int i = j < 3 ? j : rnd.nextInt(keys.size());
      if (chosen[i] || (j < 3 && rnd.nextInt(10) == 0)) {
        continue;
      }
      chosen[i] = true;
      TestFlowKey f = keys.get(i);
      long packets = 1 + rnd.nextInt(1000);
      long bytes = packets * (40 + rnd.nextInt(1461));
      int roll = rnd.nextInt(100);
      int flags =
          f.protocol() != TestFlowKey.TCP ? 0 : j < 3 || roll >= 6 ? 0x10 : roll < 4 ? 0x11 : 0x04;
      long first = t + rnd.nextInt(500);
      d.addMs(f, packets, bytes, first, first + rnd.nextInt(500), flags, rnd.nextInt(256));
    }
    return d;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 20260101})
  void mergedEqualsFinishedPlusHeldAfterEveryCallUnderEviction(long seed) {
    Random rnd = new Random(seed);
    List<TestFlowKey> keys = keys(rnd, 700);
    cache(37);
    Map<Long, long[]> merged = new HashMap<>();
    for (int i = 0; i < 600; i++) {
      long t = i * 1000L;
      DrainedEntries d = interval(rnd, keys, t, 90);
      cache.merge(feed.batch(d));
      for (var r : DecodedRecord.decode(feed.batch(d))) {
        long[] s = merged.computeIfAbsent(key(r.flow()), k -> new long[2]);
        s[0] += r.packets();
        s[1] += r.bytes();
      }
      assertInvariant(merged, "after merge " + i);
      if (rnd.nextInt(3) > 0) {
        cache.expire(t + 1000);
        assertInvariant(merged, "after expire " + i);
      }
      assertThat(cache.activeFlows()).isLessThanOrEqualTo(37);
    }
    assertThat(cache.finishedFlows(EndReason.LACK_OF_RESOURCES)).isPositive();
    assertThat(cache.finishedFlows(EndReason.END_OF_FLOW)).isPositive();
    cache.finishAll();
    assertInvariant(merged, "after finishAll");
    for (long k : merged.keySet()) {
      assertThat(cache.heldPackets((int) (k >>> 8), (int) (k & 0xFF))).isZero();
    }
    for (EndReason r : EndReason.values()) {
      assertThat(cache.finishedFlows(r)).isEqualTo(finished.withReason(r).size());
    }
  }

  private void assertInvariant(Map<Long, long[]> merged, String when) {
    Map<Long, long[]> inTable = new HashMap<>();
    for (ActiveFlow a : cache.top(Integer.MAX_VALUE, FlowRanking.BYTES)) {
      long[] s =
          inTable.computeIfAbsent(((long) a.ifindex() << 8) | a.direction(), k -> new long[2]);
      s[0] += a.packets();
      s[1] += a.bytes();
    }
    for (Map.Entry<Long, long[]> e : merged.entrySet()) {
      long k = e.getKey();
      int ifx = (int) (k >>> 8);
      int dir = (int) (k & 0xFF);
      long[] out = finished.sums.getOrDefault(k, new long[2]);
      long[] table = inTable.getOrDefault(k, new long[2]);
      assertThat(cache.heldPackets(ifx, dir)).as(when).isEqualTo(table[0]);
      assertThat(cache.heldBytes(ifx, dir)).as(when).isEqualTo(table[1]);
      assertThat(out[0] + cache.heldPackets(ifx, dir))
          .as(when + " packets")
          .isEqualTo(e.getValue()[0]);
      assertThat(out[1] + cache.heldBytes(ifx, dir)).as(when + " bytes").isEqualTo(e.getValue()[1]);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {7, 8, 9})
  void recordsMatchAHashMapModelWhenNothingIsEvicted(long seed) {
    Random rnd = new Random(seed);
    List<TestFlowKey> keys = keys(rnd, 1400);
    cache(1400);
    Map<TestFlowKey, long[]> model = new HashMap<>(); // packets, bytes, first, last, flags, tos
    for (int i = 0; i < 400; i++) {
      long t = i * 1000L;
      DrainedEntries d = interval(rnd, keys, t, 200);
      List<DecodedRecord> expected = new ArrayList<>();
      for (var r : DecodedRecord.decode(feed.batch(d))) {
        long[] m = model.get(r.flow());
        boolean ends = r.flow().protocol() == TestFlowKey.TCP && (r.tcpFlags() & 0x05) != 0;
        if (m == null) {
          m = new long[] {0, 0, Long.MAX_VALUE, Long.MIN_VALUE, 0, r.tos()};
          model.put(r.flow(), m);
        }
        m[0] += r.packets();
        m[1] += r.bytes();
        m[2] = Math.min(m[2], r.startMs());
        m[3] = Math.max(m[3], r.endMs());
        m[4] |= r.tcpFlags();
        if (ends) {
          expected.add(recordOf(r.flow(), model.remove(r.flow()), EndReason.END_OF_FLOW));
        }
      }
      cache.merge(feed.batch(d));
      assertThat(finished.take()).as("merge %d", i).containsExactlyInAnyOrderElementsOf(expected);

      long now = t + 1000;
      expected.clear();
      for (Iterator<Map.Entry<TestFlowKey, long[]>> it = model.entrySet().iterator();
          it.hasNext(); ) {
        Map.Entry<TestFlowKey, long[]> e = it.next();
        long[] m = e.getValue();
        EndReason reason =
            now - m[3] >= IDLE_MS
                ? EndReason.IDLE_TIMEOUT
                : now - m[2] >= ACTIVE_MS ? EndReason.ACTIVE_TIMEOUT : null;
        if (reason != null) {
          expected.add(recordOf(e.getKey(), m, reason));
          it.remove();
        }
      }
      cache.expire(now);
      assertThat(finished.take()).as("expire %d", i).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(cache.activeFlows()).isEqualTo(model.size());
    }
    assertThat(cache.finishedFlows(EndReason.ACTIVE_TIMEOUT)).isPositive();
    assertThat(cache.finishedFlows(EndReason.IDLE_TIMEOUT)).isPositive();
    assertThat(cache.finishedFlows(EndReason.LACK_OF_RESOURCES)).isZero();
    List<DecodedRecord> expected = new ArrayList<>();
    model.forEach((f, m) -> expected.add(recordOf(f, m, EndReason.FORCED_END)));
    cache.finishAll();
    assertThat(finished.take()).containsExactlyInAnyOrderElementsOf(expected);
  }

  private static DecodedRecord recordOf(TestFlowKey f, long[] m, EndReason reason) {
    return new DecodedRecord(f, (int) m[5], (int) m[4], m[0], m[1], m[2], m[3], reason.code());
  }

  private static long key(TestFlowKey f) {
    return ((long) f.ifindex() << 8) | f.direction();
  }
}
