package dev.flowgate.controlplane;

import dev.flowgate.controlplane.config.ArrowExportConfig;
import dev.flowgate.controlplane.config.CollectorConfig;
import dev.flowgate.controlplane.config.ExportConfig;
import dev.flowgate.controlplane.config.FlowgateConfig;
import dev.flowgate.controlplane.config.KafkaExportConfig;
import dev.flowgate.exporters.FlowSink;
import dev.flowgate.exporters.IfNameSource;
import dev.flowgate.exporters.arrow.ArrowFileSink;
import dev.flowgate.exporters.arrow.ArrowFileSinkOptions;
import dev.flowgate.exporters.collector.CollectorExporter;
import dev.flowgate.exporters.collector.CollectorOptions;
import dev.flowgate.exporters.collector.PsampExporter;
import dev.flowgate.exporters.kafka.KafkaFlowSink;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;

/** Builds the sinks the config's {@code export:} section names. */
final class SinkFactory {

  private SinkFactory() {}

  /**
   * @param names the interface names the collectors' options records announce (this network
   *     namespace's, from rtnetlink)
   */
  static List<FlowSink> create(
      FlowgateConfig config, BufferAllocator allocator, IfNameSource names) {
    return update(
        ExportConfig.none(),
        List.of(),
        config.export(),
        allocator,
        names,
        spools(config),
        name -> Optional.empty());
  }

  /**
   * Where each sink's spool lives ({@code <state-directory>/spool/<sink>}, the sink's name with
   * {@code :} as {@code _}) and its bound; empty when {@code export.spool-limit} is 0.
   */
  record Spools(Path directory, long limit) {
    Path of(String sink) {
      return directory.resolve(sink.replaceAll("[^A-Za-z0-9.\\-]", "_"));
    }
  }

  /** The spools of {@code config} (fixed at start: state-directory and spool-limit). */
  static Optional<Spools> spools(FlowgateConfig config) {
    long limit = config.export().spoolLimit();
    return limit == 0
        ? Optional.empty()
        : Optional.of(new Spools(config.stateDirectory().resolve("spool"), limit));
  }

  /**
   * The sinks for {@code fresh}, reusing those of {@code running} whose settings did not change: an
   * unchanged collector keeps its exporter (its sequence numbers and template stream go on); a new
   * or changed one gets a new exporter, so a new template stream. The caller closes the running
   * sinks that are not in the result ({@code ExportFanout.replaceSinks}).
   *
   * <p>A collector configured again while the sink a reload removed for it still delivers its spool
   * ({@code retiring}) takes that sink over when its settings are the same (its sequence numbers
   * and spool go on); with other settings the retiring sink is closed (what it holds stays in the
   * spool) and the new exporter opens the spool.
   *
   * @param running the config the running sinks were built from
   * @param sinks the running sinks, in {@link #create}'s order (collectors, then Arrow, then Kafka)
   * @param spools where the collectors' spools live, fixed at start; empty: no spools
   * @param retiring the retiring sink of a name, if one still delivers ({@code
   *     ExportFanout.retiringSink})
   * @throws RuntimeException if a new sink cannot start; the new ones started so far are closed
   */
  static List<FlowSink> update(
      ExportConfig running,
      List<FlowSink> sinks,
      ExportConfig fresh,
      BufferAllocator allocator,
      IfNameSource names,
      Optional<Spools> spools,
      Function<String, Optional<FlowSink>> retiring) {
    List<FlowSink> out = new ArrayList<>();
    List<FlowSink> started = new ArrayList<>();
    try {
      for (CollectorConfig c : fresh.ipfix()) {
        int same = running.ipfix().indexOf(c);
        if (same >= 0) {
          out.add(sinks.get(same));
        } else {
          CollectorOptions options = collectorOptions(c);
          String name = CollectorExporter.sinkName(options);
          if (spools.isPresent()) {
            options.spoolDirectory(spools.get().of(name)).spoolLimit(spools.get().limit());
          }
          Optional<FlowSink> twin = retiring.apply(name);
          if (twin.isPresent()
              && twin.get() instanceof CollectorExporter e
              && e.options().describe().equals(options.describe())) {
            out.add(e); // the same collector again: it stops retiring (ExportFanout.replaceSinks)
            continue;
          }
          twin.ifPresent(FlowSink::close); // other settings: its spool goes to the new exporter
          FlowSink sink = CollectorExporter.start(options, names);
          started.add(sink);
          out.add(sink);
        }
      }
      Optional<ArrowExportConfig> arrow = fresh.arrow();
      if (arrow.isPresent()) {
        if (arrow.equals(running.arrow())) {
          out.add(sinks.get(running.ipfix().size()));
        } else {
          ArrowExportConfig a = arrow.get();
          FlowSink sink =
              new ArrowFileSink(
                  new ArrowFileSinkOptions()
                      .directory(a.directory())
                      .rotateInterval(a.rotateInterval())
                      .maxFiles(a.maxFiles()),
                  allocator);
          started.add(sink);
          out.add(sink);
        }
      }
      int runningKafka = running.ipfix().size() + (running.arrow().isPresent() ? 1 : 0);
      for (KafkaExportConfig k : fresh.kafka()) {
        int same = running.kafka().indexOf(k);
        if (same >= 0) {
          out.add(sinks.get(runningKafka + same));
        } else {
          FlowSink sink = KafkaFlowSink.start(k.options());
          started.add(sink);
          out.add(sink);
        }
      }
    } catch (RuntimeException e) {
      started.forEach(FlowSink::close);
      throw e;
    }
    return out;
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
