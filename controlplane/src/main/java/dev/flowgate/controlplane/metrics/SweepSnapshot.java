package dev.flowgate.controlplane.metrics;

import dev.flowgate.exporters.EndReason;
import java.util.Map;

/**
 * What a scrape reads of the sweeper, as of the last completed sweep (published on the sweeper's
 * thread, read by scrapes without touching the flow cache or the kernel).
 *
 * @param sweeps sweeps completed
 * @param failures sweeps that threw
 * @param drainedEntries flow map entries drained, all sweeps
 * @param lastIntervalEntries entries drained by the last sweep: the interval map's fill when it was
 *     swapped out, its peak (an interval's map only grows until drained)
 * @param activeFlows flows in the flow cache
 * @param cacheCapacity flows the cache holds at most
 * @param finished flows finished since start, by end reason
 * @param dataplaneErrors the kernel's error counters (enum fg_error), summed over CPUs
 */
public record SweepSnapshot(
    long sweeps,
    long failures,
    long drainedEntries,
    long lastIntervalEntries,
    long activeFlows,
    long cacheCapacity,
    Map<EndReason, Long> finished,
    long[] dataplaneErrors) {

  /** Before the first sweep. */
  public static SweepSnapshot empty(int errorReasons) {
    return new SweepSnapshot(0, 0, 0, 0, 0, 0, Map.of(), new long[errorReasons]);
  }
}
