package dev.flowgate.controlplane.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The open-addressing table against a HashMap model, at full load and under churn. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CacheTableTest {

  private record Key(long k0, long k1, long k2, long k3, long k4, long k5) {
    long hash() {
      return CacheTable.hash(k0, k1, k2, k3, k4, k5);
    }

    int probe(CacheTable t) {
      return t.probe(hash(), k0, k1, k2, k3, k4, k5);
    }
  }

  private static Key randomKey(Random rnd, int universe) {
    int i = rnd.nextInt(universe);
    // keys that differ in one field only, as flows of one host do
    return new Key(
        0xFFFF_0000_0000L, 0x0100_000AL, 0, 0x0200_000AL, i & 3 | (long) (i >> 2) << 32, 6 << 16);
  }

  @Test
  void findsEveryKeyItHoldsAndNoOtherUnderRandomInsertsAndRemoves() {
    churn(CacheTable.FIRST_INDEX_SLOTS);
  }

  @Test
  void findsEveryKeyItHoldsAndNoOtherWhileTheIndexGrows() {
    churn(2); // every capacity above 1 doubles its index on the way
  }

  private static void churn(int firstIndexSlots) {
    Random rnd = new Random(5);
    for (int capacity : new int[] {1, 2, 3, 37, 64, 1000}) {
      CacheTable t = new CacheTable(capacity, firstIndexSlots);
      Map<Key, Long> model = new HashMap<>(); // key -> packets, a tag kept in the entry
      List<Key> held = new ArrayList<>();
      for (int op = 0; op < 50_000; op++) {
        Key k = randomKey(rnd, capacity * 3);
        int id = k.probe(t);
        assertThat(id >= 0).as("capacity %d op %d", capacity, op).isEqualTo(model.containsKey(k));
        if (id >= 0) {
          assertThat(CacheTable.get(t.arena, id * CacheTable.STRIDE + CacheTable.PACKETS))
              .isEqualTo(model.get(k));
          if (rnd.nextBoolean()) {
            t.remove(id);
            model.remove(k);
            held.remove(k);
          }
        } else if (!t.isFull()) {
          int nid = t.insertAt(-1 - id, k.hash(), k.k0, k.k1, k.k2, k.k3, k.k4, k.k5);
          CacheTable.put(t.arena, nid * CacheTable.STRIDE + CacheTable.PACKETS, op);
          model.put(k, (long) op);
          held.add(k);
        } else {
          Key victim = held.get(rnd.nextInt(held.size()));
          t.remove(victim.probe(t));
          model.remove(victim);
          held.remove(victim);
        }
        assertThat(t.size()).isEqualTo(model.size());
      }
      for (Map.Entry<Key, Long> e : model.entrySet()) {
        int id = e.getKey().probe(t);
        assertThat(id).isBetween(0, t.size() - 1);
        assertThat(CacheTable.get(t.arena, id * CacheTable.STRIDE + CacheTable.PACKETS))
            .isEqualTo(e.getValue());
      }
      t.clear();
      assertThat(t.size()).isZero();
    }
  }

  @Test
  void indexHasAtLeastTwiceTheCapacityInSlots() {
    for (int capacity : new int[] {1, 2, 3, 4, 5, 1000, 1 << 20, (1 << 20) + 1}) {
      CacheTable t = new CacheTable(capacity);
      assertThat(t.maxIndexSlots()).isGreaterThanOrEqualTo(2 * capacity);
      assertThat(t.indexSlots()).isLessThanOrEqualTo(t.maxIndexSlots());
      t.free();
    }
  }

  @Test
  void theIndexGrowsWithTheEntriesNotTheCapacity() {
    CacheTable t = new CacheTable(1 << 20, 16);
    assertThat(t.indexSlots()).isEqualTo(16);
    Random rnd = new Random(7);
    List<Key> held = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      Key k = new Key(rnd.nextLong(), rnd.nextLong(), 0, 0, i, 6 << 16);
      int id = k.probe(t);
      assertThat(id).isNegative();
      t.insertAt(-1 - id, k.hash(), k.k0, k.k1, k.k2, k.k3, k.k4, k.k5);
      held.add(k);
      assertThat(t.indexSlots()).isGreaterThanOrEqualTo(2 * t.size());
    }
    // 100,000 entries at load at most 1/2: 2^18 slots, not the 2^22 of the full table
    assertThat(t.indexSlots()).isEqualTo(1 << 18);
    for (int i = 0; i < held.size(); i++) {
      assertThat(held.get(i).probe(t)).isEqualTo(i);
    }
    t.free();
  }
}
