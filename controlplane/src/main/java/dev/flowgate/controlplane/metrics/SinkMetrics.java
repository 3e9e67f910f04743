package dev.flowgate.controlplane.metrics;

import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.Volume;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.ToLongFunction;

/**
 * What became of the flows each sink was handed, in packets and bytes of flow records: {@code
 * flowgate_sink_packets_total} and {@code flowgate_sink_bytes_total} by {@code sink} ({@code
 * udp:HOST:PORT}, {@code tcp:HOST:PORT}, {@code arrow}) and {@code outcome} ({@code delivered},
 * {@code dropped}, {@code failed}), and the gauge {@code flowgate_sink_queued_packets}. Per sink,
 * handed = delivered + dropped + failed + queued; handed itself is the accounting's exported
 * ({@code flowgate_exported_packets_total}), the same for every sink.
 *
 * <p>PSAMP exporters are sinks of packet samples, not of flows: their outcomes are in samples,
 * {@code flowgate_sink_samples_total} by {@code sink} ({@code psamp:udp:HOST:PORT}) and {@code
 * outcome}, and the gauge {@code flowgate_sink_queued_samples}, with the same identity.
 */
final class SinkMetrics {

  private SinkMetrics() {}

  static void register(PrometheusRegistry registry, MetricsSource source) {
    outcomes(
        registry,
        source,
        "flowgate_sink_packets_total",
        "Packets of flow records per sink and outcome (delivered, dropped, failed)",
        Volume::packets);
    outcomes(
        registry,
        source,
        "flowgate_sink_bytes_total",
        "Bytes of flow records per sink and outcome (delivered, dropped, failed)",
        Volume::bytes);
    GaugeWithCallback.builder()
        .name("flowgate_sink_queued_packets")
        .help("Packets of flow records handed to the sink and not yet delivered, dropped or failed")
        .labelNames("sink")
        .callback(
            cb -> {
              for (SinkReport r : source.sinks()) {
                cb.call(r.queued().packets(), r.sink());
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("flowgate_sink_samples_total")
        .help("Packet samples per PSAMP sink and outcome (delivered, dropped, failed)")
        .labelNames("sink", "outcome")
        .callback(
            cb -> {
              for (SinkReport r : source.sampleSinks()) {
                cb.call(r.delivered().packets(), r.sink(), "delivered");
                cb.call(r.dropped().packets(), r.sink(), "dropped");
                cb.call(r.failed().packets(), r.sink(), "failed");
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("flowgate_sink_queued_samples")
        .help("Packet samples handed to a PSAMP sink and not yet delivered, dropped or failed")
        .labelNames("sink")
        .callback(
            cb -> {
              for (SinkReport r : source.sampleSinks()) {
                cb.call(r.queued().packets(), r.sink());
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("flowgate_sink_send_errors_total")
        .help("Delivery attempts per sink that failed while the records stayed queued (retried)")
        .labelNames("sink")
        .callback(
            cb -> {
              for (SinkReport r : source.sinks()) {
                cb.call(r.sendErrors(), r.sink());
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("flowgate_sink_in_doubt_packets_total")
        .help(
            "Packets of flow records re-sent at start from the sink's spool that the last run may"
                + " have delivered")
        .labelNames("sink")
        .callback(
            cb -> {
              for (SinkReport r : source.sinks()) {
                cb.call(r.inDoubt().packets(), r.sink());
              }
            })
        .register(registry);
  }

  private static void outcomes(
      PrometheusRegistry registry,
      MetricsSource source,
      String name,
      String help,
      ToLongFunction<Volume> unit) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("sink", "outcome")
        .callback(
            cb -> {
              for (SinkReport r : source.sinks()) {
                cb.call(unit.applyAsLong(r.delivered()), r.sink(), "delivered");
                cb.call(unit.applyAsLong(r.dropped()), r.sink(), "dropped");
                cb.call(unit.applyAsLong(r.failed()), r.sink(), "failed");
              }
            })
        .register(registry);
  }
}
