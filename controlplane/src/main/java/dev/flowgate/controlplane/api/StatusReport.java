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
 * @param journal the crash journal: what the start's replay exported again (in-doubt)
 * @param sinks what became of the flows each sink was handed, collectors in config order, then the
 *     Arrow files
 * @param restartRequired config keys whose value in the file differs from the one in force, which
 *     only a restart applies (e.g. {@code flows.max-flows}); empty when the file is in force
 * @param lastSweepAtMillis when the last sweep expired flows, ms since the epoch; 0 before the
 *     first
 * @param lastSweepMicros how long the last sweep took, microseconds; 0 before the first
 * @param sampleSinks what became of the packet samples each PSAMP exporter was handed, in samples
 */
public record StatusReport(
    String version,
    long uptimeMillis,
    long sweeps,
    MapFill flowMap,
    List<AccountingTerms> accounting,
    List<CollectorStatus> exporters,
    Journal journal,
    List<SinkStatus> sinks,
    List<String> restartRequired,
    long lastSweepAtMillis,
    long lastSweepMicros,
    List<SampleSinkStatus> sampleSinks) {

  /** Checks for nulls and copies the lists. */
  public StatusReport {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(flowMap, "flowMap");
    Objects.requireNonNull(journal, "journal");
    accounting = List.copyOf(accounting);
    exporters = List.copyOf(exporters);
    sinks = List.copyOf(sinks);
    restartRequired = List.copyOf(restartRequired);
    sampleSinks = List.copyOf(sampleSinks);
  }

  /** A report with an untouched journal (nothing replayed) and no sink outcomes. */
  public StatusReport(
      String version,
      long uptimeMillis,
      long sweeps,
      MapFill flowMap,
      List<AccountingTerms> accounting,
      List<CollectorStatus> exporters) {
    this(
        version,
        uptimeMillis,
        sweeps,
        flowMap,
        accounting,
        exporters,
        new Journal(0, 0, 0, 0, 0, null),
        List.of(),
        List.of(),
        0,
        0,
        List.of());
  }

  /**
   * The crash journal's side of the status.
   *
   * @param inDoubtRecords flow records the start's replay exported again because the previous run
   *     was killed while exporting them: each may have reached the sinks twice
   * @param inDoubtPackets their packets
   * @param inDoubtBytes their bytes
   * @param replayedSweeps sweeps the start's replay re-ran from the journal
   * @param writeErrors journal writes that failed since start (sweeps left unprotected)
   * @param corruption a journal frame or snapshot that failed its checks at start, or null
   */
  public record Journal(
      long inDoubtRecords,
      long inDoubtPackets,
      long inDoubtBytes,
      long replayedSweeps,
      long writeErrors,
      String corruption) {}
}
