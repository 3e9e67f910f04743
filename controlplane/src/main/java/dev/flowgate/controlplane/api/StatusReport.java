package dev.flowgate.controlplane.api;

import java.util.List;
import java.util.Objects;

/**
 * The body of {@code GET /api/v1/status}.
 *
 * @param version flowgate's version
 * @param uptimeMillis milliseconds since the process started
 * @param sweeps sweeps completed since start
 * @param flowMap how full the flow map got at the last sweep
 * @param accounting one row per attached interface and direction
 * @param exporters one row per {@code export.ipfix} collector, in config order
 */
public record StatusReport(
    String version,
    long uptimeMillis,
    long sweeps,
    MapFill flowMap,
    List<AccountingTerms> accounting,
    List<CollectorStatus> exporters) {

  /** Checks for nulls and copies the lists. */
  public StatusReport {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(flowMap, "flowMap");
    accounting = List.copyOf(accounting);
    exporters = List.copyOf(exporters);
  }
}
