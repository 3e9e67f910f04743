package dev.flowgate.controlplane;

import dev.flowgate.controlplane.accounting.Accounting;
import dev.flowgate.controlplane.iface.AttachedInterface;
import dev.flowgate.controlplane.metrics.InterfaceTraffic;
import dev.flowgate.controlplane.metrics.MetricsSource;
import dev.flowgate.controlplane.metrics.SweepRecorder;
import dev.flowgate.exporters.FlowSink;
import dev.flowgate.exporters.arrow.ArrowFileSink;
import dev.flowgate.exporters.arrow.ArrowFileSinkStats;
import dev.flowgate.exporters.collector.ExporterStats;
import java.util.ArrayList;
import java.util.List;

/**
 * The metrics' view of a {@link FlowgateService}: the accounting rows and sweep records it
 * publishes after every sweep, and its sinks' counters. Creating one installs its {@link
 * SweepRecorder} in the service: do it before {@link FlowgateService#start()}.
 */
final class FlowgateMetricsSource implements MetricsSource {

  private final FlowgateService service;
  private final SweepRecorder recorder;
  private List<Accounting.Row> lastRows;
  private List<InterfaceTraffic> lastTraffic = List.of();

  FlowgateMetricsSource(FlowgateService service) {
    this.service = service;
    this.recorder =
        new SweepRecorder(
            service.flowCapacity(),
            ifindex ->
                service
                    .interfaces()
                    .byIfindex(ifindex)
                    .map(AttachedInterface::name)
                    .orElse("ifindex-" + ifindex));
    service.setSweepRecorder(recorder);
  }

  @Override
  public String version() {
    return FlowgateService.version();
  }

  @Override
  public List<dev.flowgate.controlplane.metrics.InterfaceSamples> samples() {
    return service.samples().published();
  }

  @Override
  public synchronized List<InterfaceTraffic> interfaceTraffic() {
    List<Accounting.Row> rows = service.accounting().snapshot();
    if (rows == lastRows) { // the same sweep's rows: every callback of a scrape shares one list
      return lastTraffic;
    }
    List<InterfaceTraffic> out = new ArrayList<>(rows.size());
    for (Accounting.Row r : rows) {
      String name = service.interfaces().slots().nameOf(r.slot()).orElse("slot-" + r.slot());
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
    return service.fanout().records();
  }

  @Override
  public long sinkFailures() {
    return service.fanout().sinkFailures();
  }

  @Override
  public List<ExporterStats> collectors() {
    return service.exporterStats();
  }

  @Override
  public List<ArrowFileSinkStats> arrowSinks() {
    List<ArrowFileSinkStats> out = new ArrayList<>();
    for (FlowSink sink : service.fanout().sinks()) {
      if (sink instanceof ArrowFileSink files) {
        out.add(files.stats());
      }
    }
    return out;
  }
}
