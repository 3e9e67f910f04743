package dev.flowgate.controlplane.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The held-counters map: dense indexes, stable across growth, and nothing found that was not put. */
class HeldCountersTest {

  @Test
  void indexesAreDenseStableAcrossGrowthAndFoundAgain() {
    HeldCounters held = new HeldCounters();
    int n = 1000; // well past the first table (16 slots) and counter arrays (8): several rehashes
    for (int i = 0; i < n; i++) {
      int ifindex = i % 2 == 0 ? i : -i; // ifindexes are u32: the high bit set too
      assertThat(held.indexOf(ifindex, i % 2)).isEqualTo(i);
      held.add(i, i, 2L * i);
    }
    assertThat(held.size()).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      int ifindex = i % 2 == 0 ? i : -i;
      assertThat(held.find(ifindex, i % 2)).isEqualTo(i);
      assertThat(held.indexOf(ifindex, i % 2)).isEqualTo(i); // found, not created again
      assertThat(held.ifindex(i)).isEqualTo(ifindex);
      assertThat(held.direction(i)).isEqualTo(i % 2);
      assertThat(held.packets(i)).isEqualTo(i);
      assertThat(held.bytes(i)).isEqualTo(2L * i);
    }
    assertThat(held.size()).isEqualTo(n);
    assertThat(held.find(0, 1)).isEqualTo(-1); // ifindex 0 was put with direction 0 only
    assertThat(held.find(n + 1, 0)).isEqualTo(-1);
  }
}
