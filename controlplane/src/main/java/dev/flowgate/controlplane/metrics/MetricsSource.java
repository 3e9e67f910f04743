package dev.flowgate.controlplane.metrics;

import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.arrow.ArrowFileSinkStats;
import dev.flowgate.exporters.collector.ExporterStats;
import java.util.List;

/**
 * What {@link FlowgateMetrics} reads at scrape time. Every method returns what the last sweep
 * published (or the exporters' own atomic counters): cheap, never blocking on the sweeper, never
 * touching the kernel or the flow cache.
 */
public interface MetricsSource {

  /** The flowgate version, for {@code flowgate_build_info}. */
  String version();

  /**
   * Kernel totals and accounting terms per interface and direction: an unmodifiable list, a new one
   * each time the sweeper publishes and the same object until then (the metrics keep their label
   * sets by it).
   */
  List<InterfaceTraffic> interfaceTraffic();

  /** The sweeper's records: sweep counts, flow cache, dataplane errors, protocol breakdown. */
  SweepRecorder sweeps();

  /** Finished flow records handed to the sinks. */
  long exportedRecords();

  /** Sink write calls that threw. */
  long sinkFailures();

  /** One entry per IPFIX/NetFlow collector. */
  List<ExporterStats> collectors();

  /** One entry per Arrow file sink. */
  List<ArrowFileSinkStats> arrowSinks();

  /** Packet samples per interface and direction, as of the last sweep (empty: none). */
  default List<InterfaceSamples> samples() {
    return List.of();
  }

  /** The Kafka sinks' own counters, in config order (empty: none). */
  default List<dev.flowgate.exporters.kafka.KafkaSinkStats> kafkaSinks() {
    return List.of();
  }

  /** What became of the flows each sink was handed, one report per sink, in config order. */
  List<SinkReport> sinks();

  /**
   * What became of the packet samples each PSAMP exporter was handed, in samples ({@link
   * SinkReport#handed()}{@code .packets()}, one per sample; no bytes).
   */
  default List<SinkReport> sampleSinks() {
    return List.of();
  }

  /** Active alerts and the last resolved ones (the detectors' published copy). */
  default List<dev.flowgate.controlplane.detect.Alert> alerts() {
    return List.of();
  }

  /** Alerts fired since start, per detector. */
  default java.util.Map<dev.flowgate.controlplane.config.Detector, Long> alertTotals() {
    return java.util.Map.of();
  }

  /** The alert sinks, for their delivery counters. */
  default List<dev.flowgate.controlplane.detect.AlertSink> alertSinks() {
    return List.of();
  }
}
