package dev.flowgate.controlplane.metrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.ToLongFunction;

/**
 * Traffic per interface and direction: the kernel's totals, the accounting invariant's terms, and
 * the breakdown by IP version and protocol family. Series: one per interface and direction (x 8 for
 * the breakdown), whatever the traffic. These are most of a scrape's series, so they are {@link
 * SeriesFamily} families, emitted in label order.
 */
final class TrafficMetrics {

  private TrafficMetrics() {}

  static void register(PrometheusRegistry registry, MetricsSource source) {
    InterfaceLabels labels = new InterfaceLabels(source);
    perInterface(
        registry,
        labels,
        "flowgate_interface_packets_total",
        "IP packets the kernel counted, per interface and direction",
        InterfaceTraffic::packets);
    perInterface(
        registry,
        labels,
        "flowgate_interface_bytes_total",
        "Bytes (IP header and payload) the kernel counted, per interface and direction",
        InterfaceTraffic::bytes);
    perInterface(
        registry,
        labels,
        "flowgate_interface_other_packets_total",
        "Non-IP or broken IP packets, counted apart from flows",
        InterfaceTraffic::otherPackets);
    perInterface(
        registry,
        labels,
        "flowgate_interface_other_bytes_total",
        "Bytes of non-IP or broken IP packets",
        InterfaceTraffic::otherBytes);
    perInterface(
        registry,
        labels,
        "flowgate_exported_packets_total",
        "Packets of finished flows handed to the sinks (accounting: exported)",
        InterfaceTraffic::exportedPackets);
    perInterface(
        registry,
        labels,
        "flowgate_exported_bytes_total",
        "Bytes of finished flows handed to the sinks (accounting: exported)",
        InterfaceTraffic::exportedBytes);
    perInterface(
        registry,
        labels,
        "flowgate_unaccounted_packets_total",
        "Packets the kernel counted but could not place in the flow map (accounting: unaccounted)",
        t -> Math.max(0, t.unaccountedPackets()));
    perInterface(
        registry,
        labels,
        "flowgate_unaccounted_bytes_total",
        "Bytes the kernel counted but could not place in the flow map (accounting: unaccounted)",
        t -> Math.max(0, t.unaccountedBytes()));
    registry.register(
        SeriesFamily.gauge(
            "flowgate_cached_packets",
            "Packets of flows still in the flow cache (accounting: in cache)",
            points -> each(labels, InterfaceTraffic::cachedPackets, points),
            "interface",
            "direction"));
    registry.register(
        SeriesFamily.gauge(
            "flowgate_cached_bytes",
            "Bytes of flows still in the flow cache (accounting: in cache)",
            points -> each(labels, InterfaceTraffic::cachedBytes, points),
            "interface",
            "direction"));
    breakdown(
        registry,
        labels,
        "flowgate_traffic_packets_total",
        "Packets of drained flows by interface, direction, IP version and protocol family",
        true);
    breakdown(
        registry,
        labels,
        "flowgate_traffic_bytes_total",
        "Bytes of drained flows by interface, direction, IP version and protocol family",
        false);
  }

  private static void perInterface(
      PrometheusRegistry registry,
      InterfaceLabels labels,
      String name,
      String help,
      ToLongFunction<InterfaceTraffic> value) {
    registry.register(
        SeriesFamily.counter(
            name, help, points -> each(labels, value, points), "interface", "direction"));
  }

  private static void each(
      InterfaceLabels labels, ToLongFunction<InterfaceTraffic> value, SeriesFamily.Points points) {
    InterfaceLabels.Rows rows = labels.rows();
    for (int i = 0; i < rows.labels().length; i++) {
      points.add(value.applyAsLong(rows.rows().get(i)), rows.labels()[i]);
    }
  }

  private static void breakdown(
      PrometheusRegistry registry,
      InterfaceLabels labels,
      String name,
      String help,
      boolean packets) {
    registry.register(
        SeriesFamily.counter(
            name,
            help,
            points -> {
              InterfaceLabels.Breakdown b = labels.breakdown();
              for (int i = 0; i < b.labels().length; i++) {
                TrafficBreakdown.Counts c = b.counts()[i];
                long[] v = packets ? c.packets() : c.bytes();
                points.add(v[b.cells()[i]], b.labels()[i]);
              }
            },
            "interface",
            "direction",
            "ip_version",
            "protocol"));
  }
}
