package dev.flowgate.controlplane.detect;

import java.util.List;

/**
 * Where alerts go besides the API. Hears every sweep's events on the sweeper's thread, and the
 * alerts the detectors' watch fires between sweeps on its thread (never both at once: {@link
 * Detection} holds its lock around every call), and must not block either: network sinks hand the
 * work to their own thread and count every outcome in {@link #stats()}.
 */
public interface AlertSink extends AutoCloseable {

  /**
   * The name in the metrics' {@code sink} label: {@code log}, {@code alertmanager}, {@code
   * webhook}.
   */
  String name();

  /**
   * The end of a sweep, or an alert the watch fired between sweeps.
   *
   * @param events what changed this sweep, in order (often none)
   * @param active every alert firing now
   * @param nowMs epoch ms
   */
  void sweep(List<AlertEvent> events, List<Alert> active, long nowMs);

  /** Delivery outcomes so far. */
  DeliveryStats stats();

  /** Stops the sink's thread; what is still queued is counted as dropped. */
  @Override
  void close();
}
