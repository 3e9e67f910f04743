package dev.flowgate.controlplane.metrics;

import dev.flowgate.exporters.kafka.KafkaSinkStats;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * What only a Kafka sink has, beside what every sink publishes ({@link SinkMetrics}: outcomes,
 * send errors, in-doubt packets), by {@code sink} ({@code kafka:TOPIC@SERVER}): the gauge {@code
 * flowgate_kafka_queued_bytes} (encoded messages waiting for the producer).
 */
final class KafkaSinkMetrics {

  private KafkaSinkMetrics() {}

  static void register(PrometheusRegistry registry, MetricsSource source) {
    GaugeWithCallback.builder()
        .name("flowgate_kafka_queued_bytes")
        .help("Bytes of encoded Kafka messages waiting for the producer per sink")
        .labelNames("sink")
        .callback(
            cb -> {
              for (KafkaSinkStats s : source.kafkaSinks()) {
                cb.call(s.queuedBytes(), s.sink());
              }
            })
        .register(registry);
  }
}
