package dev.flowgate.bpf;

/**
 * A jiffies value, the CLOCK_MONOTONIC time its tick started, and the tick's length in ns:
 * converts a jiffies timestamp of the flow table into the CLOCK_MONOTONIC start of its tick. A
 * packet stamped with jiffy {@code j} arrived at or after {@code toMonoNs(j)} and less than a tick
 * (plus the timer interrupt's lateness) after it; the same {@code j} converts to the same ns
 * whichever clock converts it (see {@link FlowTable#clock()}).
 */
public record JiffiesClock(long jiffies, long monoNs, long tickNs) {
  /** CLOCK_MONOTONIC ns at the start of jiffy {@code j}. */
  public long toMonoNs(long j) {
    return monoNs + (j - jiffies) * tickNs;
  }
}
