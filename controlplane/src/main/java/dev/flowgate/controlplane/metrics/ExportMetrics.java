package dev.flowgate.controlplane.metrics;

import dev.flowgate.exporters.arrow.ArrowFileSinkStats;
import dev.flowgate.exporters.collector.ExporterStats;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.ToLongFunction;

/**
 * Exporter health: records, messages, bytes, send errors and queue drops per collector (labels
 * {@code collector} and {@code protocol}, one series each per configured collector), and the Arrow
 * file sinks' counters (label {@code directory}).
 */
final class ExportMetrics {

  private ExportMetrics() {}

  static void register(PrometheusRegistry registry, MetricsSource source) {
    CounterWithCallback.builder()
        .name("flowgate_export_records_total")
        .help("Finished flow records handed to the sinks")
        .callback(cb -> cb.call(source.exportedRecords()))
        .register(registry);
    CounterWithCallback.builder()
        .name("flowgate_export_sink_failures_total")
        .help("Sink write calls that threw")
        .callback(cb -> cb.call(source.sinkFailures()))
        .register(registry);
    collector(
        registry,
        source,
        "flowgate_exporter_records_total",
        "Flow records sent to the collector",
        ExporterStats::recordsSent);
    collector(
        registry,
        source,
        "flowgate_exporter_messages_total",
        "Export messages (IPFIX messages, NetFlow packets) sent, templates included",
        ExporterStats::messagesSent);
    collector(
        registry,
        source,
        "flowgate_exporter_bytes_total",
        "Bytes of export messages sent",
        ExporterStats::octetsSent);
    collector(
        registry,
        source,
        "flowgate_exporter_send_errors_total",
        "Sends to the collector that failed",
        ExporterStats::sendErrors);
    collector(
        registry,
        source,
        "flowgate_exporter_queue_dropped_messages_total",
        "Messages dropped because the send queue was full",
        ExporterStats::messagesDropped);
    collector(
        registry,
        source,
        "flowgate_exporter_queue_dropped_records_total",
        "Flow records in messages dropped because the send queue was full",
        ExporterStats::recordsDropped);
    GaugeWithCallback.builder()
        .name("flowgate_exporter_queue_messages")
        .help("Messages waiting in the send queue")
        .labelNames("collector", "protocol")
        .callback(
            cb -> {
              for (ExporterStats s : source.collectors()) {
                cb.call(s.queueDepth(), s.collector(), s.protocol());
              }
            })
        .register(registry);
    arrow(
        registry,
        source,
        "flowgate_arrow_rows_written_total",
        "Flow records written to Arrow files",
        ArrowFileSinkStats::rowsWritten);
    arrow(
        registry,
        source,
        "flowgate_arrow_files_written_total",
        "Arrow files completed",
        ArrowFileSinkStats::filesWritten);
    arrow(
        registry,
        source,
        "flowgate_arrow_write_errors_total",
        "Arrow file writes that failed",
        ArrowFileSinkStats::writeErrors);
    arrow(
        registry,
        source,
        "flowgate_arrow_rows_dropped_total",
        "Flow records not written to Arrow files after an error",
        ArrowFileSinkStats::rowsDropped);
  }

  private static void collector(
      PrometheusRegistry registry,
      MetricsSource source,
      String name,
      String help,
      ToLongFunction<ExporterStats> value) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("collector", "protocol")
        .callback(
            cb -> {
              for (ExporterStats s : source.collectors()) {
                cb.call(value.applyAsLong(s), s.collector(), s.protocol());
              }
            })
        .register(registry);
  }

  private static void arrow(
      PrometheusRegistry registry,
      MetricsSource source,
      String name,
      String help,
      ToLongFunction<ArrowFileSinkStats> value) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("directory")
        .callback(
            cb -> {
              for (ArrowFileSinkStats s : source.arrowSinks()) {
                cb.call(value.applyAsLong(s), s.directory().toString());
              }
            })
        .register(registry);
  }
}
