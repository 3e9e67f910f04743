package dev.flowgate.controlplane.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** SourceTally's primitive counts against a HashMap model: sums, the cap, the top five. */
class PairCountsTest {

  @Test
  void sumsEveryKeyExactlyUpToTheCapAndRanksTheTop() {
    SourceTally.PairCounts counts = new SourceTally.PairCounts();
    Map<List<Long>, Long> model = new HashMap<>();
    Random rnd = new Random(3);
    int cap = 300;
    long notHeld = 0;
    for (int i = 0; i < 20_000; i++) {
      long hi = rnd.nextInt(4) - 2; // negative halves too
      long lo = rnd.nextInt(200) * 0x1_0000_0001L;
      long n = 1 + rnd.nextInt(9);
      List<Long> key = List.of(hi, lo);
      boolean wasHeld = model.containsKey(key);
      if (!wasHeld && model.size() >= cap) {
        assertThat(counts.add(hi, lo, n, cap)).isFalse();
        notHeld++;
        continue;
      }
      assertThat(counts.add(hi, lo, n, cap)).isEqualTo(wasHeld);
      model.merge(key, n, Long::sum);
    }
    assertThat(notHeld).isPositive(); // 800 keys offered, 300 kept
    assertThat(counts.size()).isEqualTo(cap);
    List<Fingerprint.Top> top = counts.top((hi, lo) -> hi + "/" + lo);
    List<Map.Entry<List<Long>, Long>> want =
        model.entrySet().stream()
            .sorted(
                (a, b) ->
                    a.getValue().equals(b.getValue())
                        ? a.getKey().get(0).equals(b.getKey().get(0))
                            ? Long.compare(a.getKey().get(1), b.getKey().get(1))
                            : Long.compare(a.getKey().get(0), b.getKey().get(0))
                        : Long.compare(b.getValue(), a.getValue()))
            .limit(5)
            .toList();
    assertThat(top).hasSize(5);
    for (int i = 0; i < 5; i++) {
      List<Long> k = want.get(i).getKey();
      assertThat(top.get(i))
          .isEqualTo(new Fingerprint.Top(k.get(0) + "/" + k.get(1), want.get(i).getValue()));
    }
  }
}
