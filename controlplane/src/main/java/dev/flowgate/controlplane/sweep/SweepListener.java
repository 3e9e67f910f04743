package dev.flowgate.controlplane.sweep;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A subscriber of the {@link SweepLoop}: hears each sweep's drained rows as they are appended and
 * its {@link SweepResult} when it ends. The accounting, the metrics, the sinks' per-sweep tick, the
 * crash journal's checkpoints and the systemd watchdog all listen here; so does any new consumer of
 * sweeps (samples, detectors). Every call runs on the sweeper thread, in the order the listeners
 * were added, and should return quickly: the next sweep waits for it.
 */
@FunctionalInterface
public interface SweepListener {

  /**
   * Rows appended to the interval batch (the drained entries, as {@code IntervalBatchBuilder}
   * rows), before the flow cache merges them: several calls per sweep, one per chunk, including the
   * start's drain. The batch is valid only during the call.
   *
   * @param interval the interval batch
   * @param fromRow the first row appended
   * @param count rows appended
   */
  default void drained(VectorSchemaRoot interval, int fromRow, int count) {}

  /** A sweep ended. */
  void swept(SweepResult result);

  /** A sweep (or a listener before this one) threw; the next sweep runs as usual. */
  default void failed(RuntimeException cause) {}
}
