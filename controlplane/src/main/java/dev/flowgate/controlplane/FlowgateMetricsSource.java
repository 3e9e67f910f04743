package dev.flowgate.controlplane;

import dev.flowgate.controlplane.accounting.Accounting;
import dev.flowgate.controlplane.detect.Detection;
import dev.flowgate.controlplane.fanout.ExportFanout;
import dev.flowgate.controlplane.iface.InterfaceManager;
import dev.flowgate.controlplane.metrics.InterfaceTraffic;
import dev.flowgate.controlplane.metrics.MetricsSource;
import dev.flowgate.controlplane.metrics.SweepRecorder;
import dev.flowgate.controlplane.samples.PacketSamples;
import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.arrow.ArrowFileSinkStats;
import dev.flowgate.exporters.collector.ExporterStats;
import java.util.ArrayList;
import java.util.List;

/**
 * The metrics' view of the running daemon: the accounting rows published after every sweep, the
 * {@link SweepRecorder} subscribed to the sweeps, and the sinks' counters.
 */
final class FlowgateMetricsSource implements MetricsSource {

  private final Accounting accounting;
  private final InterfaceManager interfaces;
  private final ExportFanout fanout;
  private final SweepRecorder recorder;
  private final Detection detection;
  private final PacketSamples samples;
  private List<Accounting.Row> lastRows;
  private List<InterfaceTraffic> lastTraffic = List.of();

  FlowgateMetricsSource(
      Accounting accounting,
      InterfaceManager interfaces,
      ExportFanout fanout,
      SweepRecorder recorder,
      Detection detection,
      PacketSamples samples) {
    this.detection = detection;
    this.samples = samples;
    this.accounting = accounting;
    this.interfaces = interfaces;
    this.fanout = fanout;
    this.recorder = recorder;
  }

  @Override
  public String version() {
    return FlowgateService.version();
  }

  @Override
  public List<dev.flowgate.controlplane.metrics.InterfaceSamples> samples() {
    return samples.published();
  }

  @Override
  public synchronized List<InterfaceTraffic> interfaceTraffic() {
    List<Accounting.Row> rows = accounting.snapshot();
    if (rows == lastRows) { // the same sweep's rows: every callback of a scrape shares one list
      return lastTraffic;
    }
    List<InterfaceTraffic> out = new ArrayList<>(rows.size());
    for (Accounting.Row r : rows) {
      String name = interfaces.slots().nameOf(r.slot()).orElse("slot-" + r.slot());
      out.add(
          new InterfaceTraffic(
              name,
              r.direction() == 0 ? "ingress" : "egress",
              r.kernel().packets(),
              r.kernel().bytes(),
              r.kernel().otherPackets(),
              r.kernel().otherBytes(),
              r.exportedPackets(),
              r.exportedBytes(),
              r.cachedPackets(),
              r.cachedBytes()));
    }
    lastRows = rows;
    lastTraffic = List.copyOf(out);
    return lastTraffic;
  }

  @Override
  public SweepRecorder sweeps() {
    return recorder;
  }

  @Override
  public long exportedRecords() {
    return fanout.records();
  }

  @Override
  public long sinkFailures() {
    return fanout.sinkFailures();
  }

  @Override
  public List<ExporterStats> collectors() {
    List<ExporterStats> out = new ArrayList<>(fanout.collectorStats());
    out.addAll(samples.psampStats());
    return out;
  }

  @Override
  public List<SinkReport> sinks() {
    return fanout.sinkReports();
  }

  @Override
  public List<SinkReport> sampleSinks() {
    return samples.psampReports();
  }

  @Override
  public List<dev.flowgate.exporters.kafka.KafkaSinkStats> kafkaSinks() {
    return fanout.kafkaStats();
  }

  @Override
  public List<ArrowFileSinkStats> arrowSinks() {
    return fanout.arrowStats();
  }

  @Override
  public List<dev.flowgate.controlplane.detect.Alert> alerts() {
    return detection.alerts();
  }

  @Override
  public java.util.Map<dev.flowgate.controlplane.config.Detector, Long> alertTotals() {
    return detection.totals();
  }

  @Override
  public List<dev.flowgate.controlplane.detect.AlertSink> alertSinks() {
    return detection.sinks();
  }
}
