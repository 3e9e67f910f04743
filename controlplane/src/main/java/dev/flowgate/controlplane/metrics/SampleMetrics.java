package dev.flowgate.controlplane.metrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Packet samples per interface and direction: taken by the kernel, lost in the kernel (ring buffer
 * full), delivered to user space, and lost per subscriber kind (a live capture whose client reads
 * too slowly, a PSAMP exporter whose queue is full, the detectors' fingerprints falling behind). Series: a few per interface and direction.
 */
final class SampleMetrics {

  private SampleMetrics() {}

  static void register(PrometheusRegistry registry, MetricsSource source) {
    perInterface(
        registry,
        source,
        "flowgate_samples_taken_total",
        "Packets the kernel's 1-in-N sampler chose, per interface and direction",
        InterfaceSamples::taken);
    perInterface(
        registry,
        source,
        "flowgate_samples_kernel_lost_total",
        "Samples the kernel could not queue (ring buffer full), per interface and direction",
        InterfaceSamples::kernelLost);
    perInterface(
        registry,
        source,
        "flowgate_samples_delivered_total",
        "Samples read out of the ring buffer and offered to their consumers",
        InterfaceSamples::delivered);
    registry.register(
        SeriesFamily.counter(
            "flowgate_samples_subscriber_lost_total",
            "Delivered samples a consumer lost because its queue was full, by subscriber kind",
            points -> {
              for (InterfaceSamples s : source.samples()) {
                points.add(s.captureLost(), labels(s).add("subscriber", "capture"));
                points.add(s.psampLost(), labels(s).add("subscriber", "psamp"));
                points.add(s.detectLost(), labels(s).add("subscriber", "detect"));
              }
            },
            "interface",
            "direction",
            "subscriber"));
  }

  private static Labels labels(InterfaceSamples s) {
    return Labels.of("interface", s.interfaceName(), "direction", s.direction());
  }

  private static void perInterface(
      PrometheusRegistry registry,
      MetricsSource source,
      String name,
      String help,
      ToLongFunction<InterfaceSamples> value) {
    registry.register(
        SeriesFamily.counter(
            name,
            help,
            points -> {
              List<InterfaceSamples> rows = source.samples();
              for (InterfaceSamples s : rows) {
                points.add(value.applyAsLong(s), labels(s));
              }
            },
            "interface",
            "direction"));
  }
}
