package dev.flowgate.controlplane;

import dev.flowgate.controlplane.config.CollectorConfig;
import dev.flowgate.controlplane.config.FlowgateConfig;
import dev.flowgate.exporters.FlowSink;
import dev.flowgate.exporters.InterfaceNames;
import dev.flowgate.exporters.arrow.ArrowFileSink;
import dev.flowgate.exporters.arrow.ArrowFileSinkOptions;
import dev.flowgate.exporters.collector.CollectorExporter;
import dev.flowgate.exporters.collector.CollectorOptions;
import dev.flowgate.exporters.collector.PsampExporter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;

/** Builds the sinks the config's {@code export:} section names. */
final class SinkFactory {
  private SinkFactory() {}

  static List<FlowSink> create(FlowgateConfig config, BufferAllocator allocator) {
    List<FlowSink> sinks = new ArrayList<>();
    try {
      for (CollectorConfig c : config.export().ipfix()) {
        sinks.add(CollectorExporter.start(collectorOptions(c), InterfaceNames.system()));
      }
      config
          .export()
          .arrow()
          .ifPresent(
              a ->
                  sinks.add(
                      new ArrowFileSink(
                          new ArrowFileSinkOptions()
                              .directory(a.directory())
                              .rotateInterval(a.rotateInterval())
                              .maxFiles(a.maxFiles()),
                          allocator)));
    } catch (RuntimeException e) {
      sinks.forEach(FlowSink::close);
      throw e;
    }
    return sinks;
  }

  /**
   * The PSAMP exporters of the collectors with {@code packet-samples: true}, each under its
   * collector's samples observation domain.
   *
   * @param selectors ifindex to its 1-in-N rate, read at every template refresh
   */
  static List<PsampExporter> psamp(
      FlowgateConfig config, Supplier<SortedMap<Long, Integer>> selectors) {
    List<PsampExporter> out = new ArrayList<>();
    try {
      for (CollectorConfig c : config.export().ipfix()) {
        if (c.packetSamples()) {
          out.add(
              PsampExporter.start(
                  collectorOptions(c).observationDomainId(c.samplesObservationDomainId()),
                  selectors,
                  Clock.systemUTC()));
        }
      }
    } catch (RuntimeException e) {
      out.forEach(PsampExporter::close);
      throw e;
    }
    return out;
  }

  static CollectorOptions collectorOptions(CollectorConfig c) {
    return new CollectorOptions()
        .collector(c.collector().host(), c.collector().port())
        .protocol(c.protocol())
        .transport(c.transport())
        .templateRefresh(c.templateRefresh())
        .templateRefreshPackets(c.templateRefreshPackets())
        .maxMessageSize(c.maxMessageSize())
        .observationDomainId(c.observationDomainId())
        .optionsRecordsInSequence(c.sequenceCountsOptions());
  }
}
