package dev.flowgate.controlplane.journal;

/**
 * What a start's replay of the crash journal did.
 *
 * @param restoredFlows flows the cache snapshot held
 * @param replayedSweeps sweeps (and finish-alls) re-run after the snapshot
 * @param inDoubtSweeps of those, the ones whose export was cut by the crash: their finished flows
 *     were exported again and counted as in-doubt
 * @param inDoubtRecords flow records exported again that the crashed run may have exported
 * @param inDoubtPackets their packets
 * @param inDoubtBytes their bytes
 * @param idleMapJournaled the last sweep was journaled but the crash cut its delete from the
 *     kernel: what is left in the idle flow map is in the journal and must be discarded, not
 *     drained
 * @param olderPinsJournaled an upgrade's entries from an older schema's pins were replayed: pins of
 *     that schema still there (the crash cut their removal) are in the journal and must be removed,
 *     not read again
 * @param tornBytes bytes of a frame cut short at the end of the journal (ignored)
 * @param corruption a whole frame or snapshot that failed its checks, or null; counts from it on
 *     could not be replayed
 */
public record ReplayOutcome(
    int restoredFlows,
    long replayedSweeps,
    long inDoubtSweeps,
    long inDoubtRecords,
    long inDoubtPackets,
    long inDoubtBytes,
    boolean idleMapJournaled,
    boolean olderPinsJournaled,
    long tornBytes,
    String corruption) {

  /** Nothing to replay (first start, or after a clean stop). */
  public boolean empty() {
    return restoredFlows == 0 && replayedSweeps == 0 && tornBytes == 0 && corruption == null;
  }

  @Override
  public String toString() {
    return "restored "
        + restoredFlows
        + " flows, re-ran "
        + replayedSweeps
        + " sweeps ("
        + inDoubtSweeps
        + " in doubt: "
        + inDoubtRecords
        + " records, "
        + inDoubtPackets
        + " packets exported again)"
        + (olderPinsJournaled ? ", including an upgrade's entries from older-schema pins" : "")
        + (tornBytes > 0 ? ", ignored a torn last frame of " + tornBytes + " bytes" : "")
        + (corruption != null ? ", CORRUPT: " + corruption : "");
  }
}
