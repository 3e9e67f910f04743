package dev.flowgate.controlplane.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Traffic per interface and direction: the kernel's totals, the accounting invariant's terms, and
 * the breakdown by IP version and protocol family. Series: one per interface and direction (x 16
 * for the breakdown), whatever the traffic.
 */
final class TrafficMetrics {

  private TrafficMetrics() {}

  static void register(PrometheusRegistry registry, MetricsSource source) {
    perInterface(
        registry,
        source,
        "flowgate_interface_packets_total",
        "IP packets the kernel counted, per interface and direction",
        InterfaceTraffic::packets);
    perInterface(
        registry,
        source,
        "flowgate_interface_bytes_total",
        "Bytes (IP header and payload) the kernel counted, per interface and direction",
        InterfaceTraffic::bytes);
    perInterface(
        registry,
        source,
        "flowgate_interface_other_packets_total",
        "Non-IP or broken IP packets, counted apart from flows",
        InterfaceTraffic::otherPackets);
    perInterface(
        registry,
        source,
        "flowgate_interface_other_bytes_total",
        "Bytes of non-IP or broken IP packets",
        InterfaceTraffic::otherBytes);
    perInterface(
        registry,
        source,
        "flowgate_exported_packets_total",
        "Packets of finished flows handed to the sinks (accounting: exported)",
        InterfaceTraffic::exportedPackets);
    perInterface(
        registry,
        source,
        "flowgate_exported_bytes_total",
        "Bytes of finished flows handed to the sinks (accounting: exported)",
        InterfaceTraffic::exportedBytes);
    perInterface(
        registry,
        source,
        "flowgate_unaccounted_packets_total",
        "Packets the kernel counted but could not place in the flow map (accounting: unaccounted)",
        t -> Math.max(0, t.unaccountedPackets()));
    perInterface(
        registry,
        source,
        "flowgate_unaccounted_bytes_total",
        "Bytes the kernel counted but could not place in the flow map (accounting: unaccounted)",
        t -> Math.max(0, t.unaccountedBytes()));
    cachedGauge(
        registry,
        source,
        "flowgate_cached_packets",
        "Packets of flows still in the flow cache (accounting: in cache)",
        InterfaceTraffic::cachedPackets);
    cachedGauge(
        registry,
        source,
        "flowgate_cached_bytes",
        "Bytes of flows still in the flow cache (accounting: in cache)",
        InterfaceTraffic::cachedBytes);
    breakdown(
        registry,
        source,
        "flowgate_traffic_packets_total",
        "Packets of drained flows by interface, direction, IP version and protocol family",
        true);
    breakdown(
        registry,
        source,
        "flowgate_traffic_bytes_total",
        "Bytes of drained flows by interface, direction, IP version and protocol family",
        false);
  }

  private static void perInterface(
      PrometheusRegistry registry,
      MetricsSource source,
      String name,
      String help,
      ToLongFunction<InterfaceTraffic> value) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("interface", "direction")
        .callback(
            cb -> {
              for (InterfaceTraffic t : source.interfaceTraffic()) {
                cb.call(value.applyAsLong(t), t.interfaceName(), t.direction());
              }
            })
        .register(registry);
  }

  private static void cachedGauge(
      PrometheusRegistry registry,
      MetricsSource source,
      String name,
      String help,
      ToLongFunction<InterfaceTraffic> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("interface", "direction")
        .callback(
            cb -> {
              for (InterfaceTraffic t : source.interfaceTraffic()) {
                cb.call(value.applyAsLong(t), t.interfaceName(), t.direction());
              }
            })
        .register(registry);
  }

  private static void breakdown(
      PrometheusRegistry registry,
      MetricsSource source,
      String name,
      String help,
      boolean packets) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("interface", "direction", "ip_version", "protocol")
        .callback(
            cb -> {
              Map<String, TrafficBreakdown.Counts> all = source.sweeps().breakdown().published();
              for (Map.Entry<String, TrafficBreakdown.Counts> e : all.entrySet()) {
                long[] v = packets ? e.getValue().packets() : e.getValue().bytes();
                for (int d = 0; d < 2; d++) {
                  for (int ip = 0; ip < TrafficBreakdown.IP_VERSIONS.length; ip++) {
                    for (int p = 0; p < TrafficBreakdown.PROTOCOLS.length; p++) {
                      cb.call(
                          v[TrafficBreakdown.Counts.cell(d, ip, p)],
                          e.getKey(),
                          d == 0 ? "ingress" : "egress",
                          TrafficBreakdown.IP_VERSIONS[ip],
                          TrafficBreakdown.PROTOCOLS[p]);
                    }
                  }
                }
              }
            })
        .register(registry);
  }
}
