package dev.flowgate.controlplane.bench;

import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.cache.FlowCacheOptions;
import dev.flowgate.controlplane.sweep.IntervalBatchBuilder;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Expiry benchmark (not a test): the thread CPU of one {@link FlowCache#expire} that ends a given
 * fraction of 65,536 or 1,000,000 flows (merged from {@link SyntheticDrain}: all at sweep 0, the
 * survivors again at sweep 1; a 2 s idle timeout), per ended flow (per held flow when none ends),
 * median of 3. For an A/B of two builds, compile it against each and run them interleaved
 * (BENCHMARKS.md, "Flow cache expiry"); each run checks that exactly the fraction ended.
 */
public final class ExpireBenchmark {
  private static final ThreadMXBean T = ManagementFactory.getThreadMXBean();
  private static long ended;

  private ExpireBenchmark() {}

  public static void main(String[] a) {
    int chunk = 65_536;
    for (int w = 0; w < 12; w++) {
      run(100_000, new double[] {0.05, 0.3, 0.7, 1.0}[w % 4], chunk); // JIT warm-up
    }
    for (int flows : new int[] {65_536, 1_000_000}) {
      for (double f : new double[] {0.0, 0.05, 0.2, 0.4, 0.5, 1.0}) {
        double[] ns = new double[3];
        for (int r = 0; r < 3; r++) {
          ns[r] = run(flows, f, chunk);
        }
        java.util.Arrays.sort(ns);
        System.out.printf(
            "RESULT flows %,d ending %.2f: expire %.1f ns per ended flow (per held flow when none"
                + " ends; median of 3; %.1f %.1f %.1f)%n",
            flows, f, ns[1], ns[0], ns[1], ns[2]);
      }
    }
  }

  private static double run(int flows, double frac, int chunk) {
    SyntheticDrain d = new SyntheticDrain(flows, chunk);
    try (BufferAllocator root = new RootAllocator();
        IntervalBatchBuilder batch = new IntervalBatchBuilder(root, chunk);
        FlowCache cache =
            new FlowCache(
                root,
                new FlowCacheOptions()
                    .capacity(Integer.highestOneBit(flows - 1) << 1)
                    .idleTimeout(Duration.ofSeconds(2))
                    .activeTimeout(Duration.ofSeconds(60)),
                fin -> ended += fin.getRowCount())) {
      int refreshed = (int) Math.round(flows * (1 - frac));
      for (int s = 0; s < 2; s++) {
        d.shuffle();
        int upto = s == 0 ? flows : refreshed;
        for (int from = 0; from < upto; from += chunk) {
          int n = Math.min(chunk, upto - from);
          d.fill(from, n, s);
          batch.clear();
          batch.append(d.keys, d.values, n, 0);
          cache.merge(batch.root());
        }
      }
      long e0 = ended;
      long c0 = T.getCurrentThreadCpuTime();
      cache.expire(3900); // sweep 0's flows ended by 1,900 ms, sweep 1's are seen from 2,000
      long c1 = T.getCurrentThreadCpuTime();
      long got = ended - e0;
      if (got != flows - refreshed || cache.activeFlows() != refreshed) {
        throw new AssertionError(
            "ended " + got + ", want " + (flows - refreshed) + "; active " + cache.activeFlows());
      }
      return (c1 - c0) / (double) (got == 0 ? flows : got);
    }
  }
}
