package dev.flowgate.controlplane.metrics;

import dev.flowgate.exporters.kafka.KafkaSinkStats;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.ToLongFunction;

/**
 * What only a Kafka sink has, beside the outcomes every sink publishes ({@link SinkMetrics}), by
 * {@code sink} ({@code kafka:TOPIC@SERVER}): {@code flowgate_kafka_send_errors_total} (errors the
 * producer returned, each message then sent again or counted failed), {@code
 * flowgate_kafka_in_doubt_records_total} (records sent again after their delivery timed out: the
 * most a consumer can see twice) and the gauge {@code flowgate_kafka_queued_bytes} (encoded
 * messages waiting for the producer).
 */
final class KafkaSinkMetrics {

  private KafkaSinkMetrics() {}

  static void register(PrometheusRegistry registry, MetricsSource source) {
    counter(
        registry,
        source,
        "flowgate_kafka_send_errors_total",
        "Errors the Kafka producer returned per sink (each message sent again or counted failed)",
        KafkaSinkStats::sendErrors);
    counter(
        registry,
        source,
        "flowgate_kafka_in_doubt_records_total",
        "Flow records sent again after their delivery timed out: the broker may hold them twice",
        KafkaSinkStats::inDoubtRecords);
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

  private static void counter(
      PrometheusRegistry registry,
      MetricsSource source,
      String name,
      String help,
      ToLongFunction<KafkaSinkStats> value) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("sink")
        .callback(
            cb -> {
              for (KafkaSinkStats s : source.kafkaSinks()) {
                cb.call(value.applyAsLong(s), s.sink());
              }
            })
        .register(registry);
  }
}
