package dev.flowgate.controlplane.sweep;

/**
 * Relates the kernel's CLOCK_MONOTONIC (the clock of {@code flow_stats.first_seen_ns} and {@code
 * last_seen_ns}; the BPF programs read its coarse variant) to wall-clock epoch time.
 *
 * <p>On Linux, HotSpot's {@link System#nanoTime()} reads {@code clock_gettime(CLOCK_MONOTONIC)}, so
 * the two clocks are read back to back and their difference is the offset. Take it once per sweep:
 * it follows wall-clock steps (NTP, settimeofday) from then on, while flows already in the cache
 * keep the times they were given.
 */
public final class MonotonicClock {

  private MonotonicClock() {}

  /** {@code epoch ns - CLOCK_MONOTONIC ns} now, to within a few microseconds (and 1 ms of wall). */
  public static long epochOffsetNs() {
    long before = System.nanoTime();
    long wallMs = System.currentTimeMillis();
    long after = System.nanoTime();
    return wallMs * 1_000_000L - (before + (after - before) / 2);
  }

  /** Epoch ms of a CLOCK_MONOTONIC time, given {@link #epochOffsetNs()}. */
  public static long toEpochMs(long monotonicNs, long epochOffsetNs) {
    return Math.floorDiv(monotonicNs + epochOffsetNs, 1_000_000L);
  }
}
