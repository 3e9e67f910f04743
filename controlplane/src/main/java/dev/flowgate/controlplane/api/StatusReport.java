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
 */
public record StatusReport(
    String version,
    long uptimeMillis,
    long sweeps,
    MapFill flowMap,
    List<AccountingTerms> accounting) {

  /** Checks for nulls and copies the list. */
  public StatusReport {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(flowMap, "flowMap");
    accounting = List.copyOf(accounting);
  }
}
