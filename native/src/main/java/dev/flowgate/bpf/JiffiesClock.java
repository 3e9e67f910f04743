package dev.flowgate.bpf;

/**
 * A jiffies / CLOCK_MONOTONIC pair read within one tick, and the tick's length in ns: converts a
 * jiffies timestamp of the flow table into CLOCK_MONOTONIC ns (the start of its tick, give or take
 * where in its tick the pair was read).
 */
public record JiffiesClock(long jiffies, long monoNs, long tickNs) {
  /** CLOCK_MONOTONIC ns of jiffies {@code j}. */
  public long toMonoNs(long j) {
    return monoNs + (j - jiffies) * tickNs;
  }
}
