package dev.flowgate.controlplane;

import dev.flowgate.controlplane.api.StatusReport;
import dev.flowgate.controlplane.journal.CrashJournal;
import dev.flowgate.controlplane.journal.ExportGate;
import dev.flowgate.controlplane.journal.ReplayOutcome;

/**
 * The crash journal's part of the status: the gate's in-doubt re-exports, the start's replay (null
 * if none ran) and the journal's write errors.
 */
record JournalView(ExportGate gate, CrashJournal journal, ReplayOutcome replayed) {

  StatusReport.Journal report() {
    ReplayOutcome r = replayed;
    return new StatusReport.Journal(
        gate.inDoubtRecords(),
        gate.inDoubtPackets(),
        gate.inDoubtBytes(),
        r == null ? 0 : r.replayedSweeps(),
        journal.writeErrors(),
        r == null ? null : r.corruption());
  }
}
