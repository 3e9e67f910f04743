package dev.flowgate.controlplane.config;

import dev.flowgate.controlplane.cache.FlowCacheOptions;
import java.time.Duration;
import java.util.List;

/**
 * The {@code flows:} section: the flow table's size and the flow lifecycle's clocks. The timeouts'
 * defaults and bounds are {@link FlowCacheOptions}'s, the options the flow cache is built from.
 *
 * @param maxFlows flows the kernel flow table holds per sweep interval, in total; each CPU's slice
 *     holds twice its even share (FlowTable.flowsPerCpu)
 * @param sweepInterval how often the kernel's counters are drained
 * @param activeTimeout a flow still running after this long is exported and starts anew
 * @param idleTimeout a flow that saw no packet for this long is exported and forgotten
 */
public record FlowsConfig(
    int maxFlows, Duration sweepInterval, Duration activeTimeout, Duration idleTimeout) {

  /** Default max-flows: 262144 flows within one sweep interval, all CPUs together. */
  public static final int DEFAULT_MAX_FLOWS = 262_144;

  /** Smallest max-flows: 1024. */
  public static final int MIN_MAX_FLOWS = 1024;

  /** Largest max-flows: 16777216 (2^24) in total (the start refuses what memory cannot hold). */
  public static final int MAX_MAX_FLOWS = 16_777_216;

  /** Default sweep-interval: 1s between drains of the kernel's counters. */
  public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(1);

  /** Shortest sweep-interval: 100ms. */
  public static final Duration MIN_SWEEP_INTERVAL = Duration.ofMillis(100);

  /** Longest sweep-interval: 1m (the flow map must hold every flow of one interval). */
  public static final Duration MAX_SWEEP_INTERVAL = Duration.ofMinutes(1);

  /**
   * Checks ranges, and that sweep-interval < idle-timeout <= active-timeout.
   *
   * @throws InvalidSettingException naming the key
   */
  public FlowsConfig {
    Check.range("max-flows", maxFlows, MIN_MAX_FLOWS, MAX_MAX_FLOWS);
    Check.range("sweep-interval", sweepInterval, MIN_SWEEP_INTERVAL, MAX_SWEEP_INTERVAL);
    Check.range(
        "active-timeout",
        activeTimeout,
        FlowCacheOptions.MIN_TIMEOUT,
        FlowCacheOptions.MAX_TIMEOUT);
    Check.range(
        "idle-timeout", idleTimeout, FlowCacheOptions.MIN_TIMEOUT, FlowCacheOptions.MAX_TIMEOUT);
    if (idleTimeout.compareTo(activeTimeout) > 0) {
      throw new InvalidSettingException(
          List.of("idle-timeout", "active-timeout"),
          "idle-timeout ("
              + DurationFormat.format(idleTimeout)
              + ") must not be longer than active-timeout ("
              + DurationFormat.format(activeTimeout)
              + ")");
    }
    if (sweepInterval.compareTo(idleTimeout) >= 0) {
      throw new InvalidSettingException(
          List.of("sweep-interval", "idle-timeout"),
          "sweep-interval ("
              + DurationFormat.format(sweepInterval)
              + ") must be shorter than idle-timeout ("
              + DurationFormat.format(idleTimeout)
              + ")");
    }
  }

  /** Every default. */
  public static FlowsConfig defaults() {
    return new FlowsConfig(
        DEFAULT_MAX_FLOWS,
        DEFAULT_SWEEP_INTERVAL,
        FlowCacheOptions.DEFAULT_ACTIVE_TIMEOUT,
        FlowCacheOptions.DEFAULT_IDLE_TIMEOUT);
  }
}
