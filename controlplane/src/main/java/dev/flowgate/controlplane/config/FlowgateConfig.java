package dev.flowgate.controlplane.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A whole flowgate configuration, as loaded by {@link ConfigLoader} and written back by {@link
 * ConfigWriter}. Immutable; every absent setting holds its documented default.
 *
 * @param interfaces interfaces to count on, first match wins for an interface covered by two
 *     entries; may be empty (interfaces can be added through the API)
 * @param flows flow map size and flow timeouts
 * @param dataplane pin path and whether programs outlive the process
 * @param stateDirectory absolute directory for the journal, runtime changes and blocks
 * @param export where finished flows go
 * @param api the HTTP API listener
 * @param metrics Prometheus metrics
 * @param logging the log level
 * @param alerts detectors, thresholds and alert sinks
 */
public record FlowgateConfig(
    List<InterfaceConfig> interfaces,
    FlowsConfig flows,
    DataplaneConfig dataplane,
    Path stateDirectory,
    ExportConfig export,
    ApiConfig api,
    MetricsConfig metrics,
    LoggingConfig logging,
    AlertsConfig alerts) {

  /** Default state-directory: /var/lib/flowgate. */
  public static final Path DEFAULT_STATE_DIRECTORY = Path.of("/var/lib/flowgate");

  /**
   * Checks that no interface is listed twice and that Arrow files do not rotate faster than the
   * sweeps that fill them.
   *
   * @throws InvalidSettingException naming the key path, e.g. {@code interfaces[2].name}
   */
  public FlowgateConfig {
    interfaces = List.copyOf(Check.present("interfaces", interfaces));
    Objects.requireNonNull(flows, "flows");
    Objects.requireNonNull(dataplane, "dataplane");
    PathRule.absolute("state-directory", stateDirectory);
    Objects.requireNonNull(export, "export");
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(logging, "logging");
    Objects.requireNonNull(alerts, "alerts");
    for (int i = 0; i < interfaces.size(); i++) {
      for (int j = 0; j < i; j++) {
        if (interfaces.get(i).name().equals(interfaces.get(j).name())) {
          throw new InvalidSettingException(
              "interfaces[" + i + "].name",
              "\"" + interfaces.get(i).name() + "\" is already listed (interfaces[" + j + "])");
        }
      }
    }
    export
        .arrow()
        .ifPresent(
            arrow -> {
              if (arrow.rotateInterval().compareTo(flows.sweepInterval()) < 0) {
                throw new InvalidSettingException(
                    List.of("export.arrow.rotate-interval", "flows.sweep-interval"),
                    "rotate-interval ("
                        + DurationFormat.format(arrow.rotateInterval())
                        + ") must not be shorter than flows.sweep-interval ("
                        + DurationFormat.format(flows.sweepInterval())
                        + ")");
              }
            });
  }

  /** Every default, with these interfaces. */
  public static FlowgateConfig defaults(List<InterfaceConfig> interfaces) {
    return new FlowgateConfig(
        interfaces,
        FlowsConfig.defaults(),
        DataplaneConfig.defaults(),
        DEFAULT_STATE_DIRECTORY,
        ExportConfig.none(),
        ApiConfig.defaults(),
        MetricsConfig.defaults(),
        LoggingConfig.defaults(),
        AlertsConfig.defaults());
  }

  /** This config as YAML that {@link ConfigLoader} reads back equal. */
  public String toYaml() {
    return ConfigWriter.write(this);
  }
}
