package dev.flowgate.controlplane.metrics;

import dev.flowgate.bpf.Layout;
import dev.flowgate.controlplane.sweep.SweepListener;
import dev.flowgate.controlplane.sweep.SweepResult;
import dev.flowgate.exporters.EndReason;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.Map;
import java.util.function.IntFunction;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Records each sweep for the metrics, on the sweeper's thread: its duration and the flow map's fill
 * (histograms, one observation per sweep), then a {@link SweepSnapshot} of the flow cache and the
 * kernel's error counters, and the {@link TrafficBreakdown} of the drained chunks. Nothing here
 * runs per packet or per flow except the breakdown's pass over the interval columns.
 */
public final class SweepRecorder implements SweepListener {

  /** Sweep duration buckets, seconds: 1 ms to 10 s. */
  static final double[] DURATION_BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  /** Flow map fill buckets, ratio of entries to capacity. */
  static final double[] FILL_BUCKETS = {0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1};

  private final int flowMapCapacity;
  private final TrafficBreakdown breakdown;
  private final Histogram duration =
      Histogram.builder()
          .name("flowgate_sweep_duration_seconds")
          .help("Time of one sweep: swap, drain, Arrow batch, flow cache merge and expiry")
          .classicUpperBounds(DURATION_BUCKETS)
          .classicOnly()
          .build();
  private final Histogram fill =
      Histogram.builder()
          .name("flowgate_flow_map_fill_ratio")
          .help("Entries of each drained interval's flow map over its capacity (its peak fill)")
          .classicUpperBounds(FILL_BUCKETS)
          .classicOnly()
          .build();
  private long sweeps;
  private long failures;
  private long drained;
  private volatile SweepSnapshot snapshot = SweepSnapshot.empty(Layout.DP_ERROR_MAX);

  /**
   * @param flowMapCapacity flows each half of the kernel flow table holds (slots + spill map)
   * @param interfaceOfIfindex the interface name of an ifindex, for the breakdown
   */
  public SweepRecorder(int flowMapCapacity, IntFunction<String> interfaceOfIfindex) {
    this.flowMapCapacity = flowMapCapacity;
    this.breakdown = new TrafficBreakdown(interfaceOfIfindex);
  }

  /** Rows appended to the interval batch, before the cache merges them: the breakdown's input. */
  @Override
  public void drained(VectorSchemaRoot interval, int fromRow, int count) {
    breakdown.add(interval, fromRow, count);
  }

  /** A sweep completed; publishes the snapshot. Sweeper thread only (reads the flow cache). */
  @Override
  public void swept(SweepResult r) {
    record(
        r.drainedEntries(),
        r.durationNanos(),
        r.cache().activeFlows(),
        r.cache().capacity(),
        r.finishedFlows(),
        r.kernel().errors());
  }

  /**
   * A sweep completed, with what {@link #swept} reads from its result (tests and benchmarks call
   * this directly).
   */
  public void record(
      int entries,
      long nanos,
      long activeFlows,
      long cacheCapacity,
      Map<EndReason, Long> finished,
      long[] dataplaneErrors) {
    sweeps++;
    drained += entries;
    duration.observe(nanos / 1e9);
    fill.observe(flowMapCapacity == 0 ? 0 : (double) entries / flowMapCapacity);
    breakdown.publish();
    snapshot =
        new SweepSnapshot(
            sweeps,
            failures,
            drained,
            entries,
            activeFlows,
            cacheCapacity,
            Map.copyOf(finished),
            dataplaneErrors.clone());
  }

  /** A sweep threw; counted at once (the snapshot's other fields wait for the next sweep). */
  @Override
  public void failed(RuntimeException cause) {
    failures++;
    SweepSnapshot s = snapshot;
    snapshot =
        new SweepSnapshot(
            s.sweeps(),
            failures,
            s.drainedEntries(),
            s.lastIntervalEntries(),
            s.activeFlows(),
            s.cacheCapacity(),
            s.finished(),
            s.dataplaneErrors());
  }

  /** As of the last sweep. */
  public SweepSnapshot snapshot() {
    return snapshot;
  }

  /** The protocol breakdown, as of the last sweep. */
  public TrafficBreakdown breakdown() {
    return breakdown;
  }

  /** Flow map capacity, entries. */
  public int flowMapCapacity() {
    return flowMapCapacity;
  }

  Histogram durationHistogram() {
    return duration;
  }

  Histogram fillHistogram() {
    return fill;
  }
}
