package dev.flowgate.controlplane;

import dev.flowgate.controlplane.config.CollectorConfig;
import dev.flowgate.controlplane.config.FlowgateConfig;
import dev.flowgate.exporters.FlowSink;
import dev.flowgate.exporters.IfNameSource;
import dev.flowgate.exporters.collector.CollectorExporter;
import dev.flowgate.exporters.collector.CollectorOptions;
import dev.flowgate.exporters.outcome.SinkOutcomes;
import dev.flowgate.exporters.spool.SinkSpool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spools a start finds of sinks no longer in the config (issue 13): a collector removed while
 * flowgate was stopped delivers what its spool holds, as one a reload removed does.
 */
final class LeftBehindSpools {
  private static final Logger LOG = LoggerFactory.getLogger(LeftBehindSpools.class);

  private LeftBehindSpools() {}

  /**
   * The spools under {@code <state-directory>/spool/} that no configured sink uses: left by a
   * collector removed from the config while flowgate was stopped (a configured collector's spool,
   * by its name, and any spool a running sink holds open are not touched). Each one that says which
   * collector it was for ({@link CollectorExporter#spooledCollector}) gets an exporter of its own
   * that delivers it to that collector with the settings it was written with; the caller retires
   * those ({@code ExportFanout.retire}). A spool that does not say (written before spools described
   * their sink, or of a sink type that cannot deliver without its config) cannot be delivered: what
   * it holds is dropped at once, counted in a ledger of its own and logged, and it is deleted.
   *
   * @param running the configured sinks, started (their spools are open)
   */
  static List<FlowSink> find(FlowgateConfig config, List<FlowSink> running, IfNameSource names) {
    SinkFactory.Spools spools =
        SinkFactory.spools(config)
            .orElse(
                new SinkFactory.Spools(
                    config.stateDirectory().resolve("spool"), SinkSpool.DEFAULT_LIMIT_BYTES));
    Set<Path> configured = new HashSet<>();
    for (FlowSink sink : running) {
      configured.add(spools.of(sink.report().sink()));
    }
    for (CollectorConfig c : config.export().ipfix()) {
      configured.add(spools.of(CollectorExporter.sinkName(SinkFactory.collectorOptions(c))));
    }
    List<Path> dirs;
    try (Stream<Path> list = Files.list(spools.directory())) {
      dirs = list.filter(Files::isDirectory).sorted().toList();
    } catch (NoSuchFileException none) {
      return List.of();
    } catch (IOException e) {
      LOG.warn("cannot list the spools in " + spools.directory() + ": " + e);
      return List.of();
    }
    List<FlowSink> out = new ArrayList<>();
    for (Path dir : dirs) {
      if (configured.contains(dir) || SinkSpool.isInUse(dir)) {
        continue;
      }
      Optional<CollectorOptions> options;
      try {
        options = CollectorExporter.spooledCollector(dir);
      } catch (IllegalArgumentException e) {
        dropUndeliverable(dir, spools.limit(), "its collector settings are unreadable: " + e);
        continue;
      }
      if (options.isEmpty()) {
        dropUndeliverable(dir, spools.limit(), "it does not say which collector it was for");
        continue;
      }
      try {
        out.add(CollectorExporter.start(options.get().spoolLimit(spools.limit()), names));
      } catch (RuntimeException e) {
        LOG.warn(
            "spool "
                + dir
                + " of a collector no longer in the config: its exporter cannot start ("
                + e
                + "); left on disk for the next start");
      }
    }
    return out;
  }

  /** Drops (counted, logged) and deletes a spool no sink can deliver. */
  private static void dropUndeliverable(Path dir, long limit, String why) {
    String name = SinkSpool.description(dir).getOrDefault("sink", dir.getFileName().toString());
    SinkOutcomes ledger = new SinkOutcomes(name);
    try (SinkSpool spool = SinkSpool.open(dir, limit, ledger)) {
      spool.discard("the spool of a sink no longer in the config, and " + why);
    } catch (IOException | RuntimeException e) {
      LOG.warn("spool " + dir + " of no configured sink: " + why + "; cannot drop it: " + e);
      return;
    }
    LOG.warn(
        "spool "
            + dir
            + " belongs to no configured sink and "
            + why
            + ": dropped the "
            + ledger.report().dropped().packets()
            + " packets of flow records it held");
  }
}
