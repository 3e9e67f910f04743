package dev.flowgate.controlplane.journal;

import dev.flowgate.bpf.Layout;
import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.journal.ExportGate.Mode;
import dev.flowgate.controlplane.sweep.Sweeper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Rebuilds the flow cache a crashed run had: restore the last snapshot, then re-run every journaled
 * sweep after it, in order, through the same merge and expiry code ({@link Sweeper#replay}). The
 * flow cache is deterministic given its inputs (the rows in order, the expiry times), so the re-run
 * finishes exactly the flows the crashed run finished. What becomes of them depends on the journal:
 *
 * <ul>
 *   <li>the sweep's "exported" frame is there: the crashed run delivered them; dropped;
 *   <li>"cleared" but not "exported" (and a finish-all without "exported"): the crash cut the sweep
 *       while it handed flows to the sinks; its flows are exported again, to each sink only the
 *       rows its own journal (a spool) does not hold, and whole, counted as in-doubt, to the sinks
 *       that cannot tell (some may reach them twice);
 *   <li>neither: the crash came before the sweep's merge; exported normally.
 * </ul>
 *
 * A sweep journaled in parts is re-run part by part (each merged as one batch, as the sweep merged
 * it), read back from the file one part at a time. A frame of an upgrade's older-schema entries
 * ({@link CrashJournal#olderPins}) replays the same way and is reported, so the start removes old
 * pins still there instead of reading them again.
 */
final class JournalReplay {
  static final int KEY = Layout.FLOW_KEY_SIZE;
  static final int VALUE = Layout.FLOW_STATS_SIZE;

  private JournalReplay() {}

  static ReplayOutcome run(
      FileChannel log,
      JournalScan scan,
      Path snapshotFile,
      FlowCache cache,
      Sweeper sweeper,
      ExportGate gate)
      throws IOException {
    long after = -1;
    int restored = 0;
    gate.mode(Mode.FORWARD);
    if (Files.exists(snapshotFile)) {
      try {
        CacheSnapshot.Loaded s = CacheSnapshot.read(snapshotFile);
        cache.restore(s.entries(), s.evictionHand());
        after = s.lastSequence();
        restored = s.flows();
      } catch (JournalCorruptException e) {
        // the frames build on the snapshot: without it none can be replayed
        return new ReplayOutcome(0, 0, 0, 0, 0, 0, false, false, 0, e.getMessage());
      }
    }
    long r0 = gate.inDoubtRecords();
    long p0 = gate.inDoubtPackets();
    long b0 = gate.inDoubtBytes();
    long replayed = 0;
    long inDoubt = 0;
    boolean lastUncleared = false;
    boolean olderPins = false;
    // frames carry the timeouts they were swept with; the cache gets its own back afterwards
    long idleMs = cache.idleTimeoutMs();
    long activeMs = cache.activeTimeoutMs();
    try {
      for (JournalScan.Op op : scan.ops()) {
        if (op.sequence <= after) {
          continue;
        }
        Mode mode =
            op.exported
                ? Mode.DISCARD
                : op.cleared || op.type == JournalFrame.FINISH_ALL ? Mode.IN_DOUBT : Mode.FORWARD;
        gate.mode(mode);
        gate.sweep(op.sequence);
        if (mode == Mode.IN_DOUBT) {
          inDoubt++;
        }
        if (op.type == JournalFrame.SWEEP) {
          replaySweep(log, op, sweeper, cache, idleMs, activeMs);
          if ((op.flags & JournalFrame.FLAG_OLDER_PINS) != 0) {
            olderPins = true; // not from the flow table: says nothing about the idle half
          } else {
            lastUncleared = !op.cleared;
          }
        } else {
          cache.finishAll();
          lastUncleared = false;
        }
        replayed++;
      }
    } finally {
      gate.mode(Mode.FORWARD);
      cache.timeouts(idleMs, activeMs);
    }
    return new ReplayOutcome(
        restored,
        replayed,
        inDoubt,
        gate.inDoubtRecords() - r0,
        gate.inDoubtPackets() - p0,
        gate.inDoubtBytes() - b0,
        lastUncleared,
        olderPins,
        scan.tornBytes(),
        scan.corruption());
  }

  /**
   * Re-runs one sweep; with the timeouts its frame carries, or (a frame written before frames
   * carried them) the replaying config's {@code idleMs} and {@code activeMs}.
   */
  private static void replaySweep(
      FileChannel log,
      JournalScan.Op op,
      Sweeper sweeper,
      FlowCache cache,
      long idleMs,
      long activeMs)
      throws IOException {
    MappedByteBuffer m =
        log.map(FileChannel.MapMode.READ_ONLY, op.offset + JournalFrame.HEADER, op.payloadLength);
    m.order(ByteOrder.LITTLE_ENDIAN);
    long nowMs = m.getLong(0);
    long epochOffsetNs = m.getLong(8);
    int n = m.getInt(16);
    if ((op.flags & JournalFrame.FLAG_TIMEOUTS) != 0) {
      cache.timeouts(Integer.toUnsignedLong(m.getInt(20)), Integer.toUnsignedLong(m.getInt(24)));
    } else {
      cache.timeouts(idleMs, activeMs);
    }
    boolean expire = (op.flags & JournalFrame.FLAG_EXPIRE) != 0;
    if (op.parts != null) {
      sweeper.replay(op.parts, nowMs, epochOffsetNs, expire);
      return;
    }
    int k = JournalFrame.sweepFixed(op.flags);
    int statsSize = JournalFrame.statsSize(op.flags);
    ByteBuffer keys = m.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(k).limit(k + n * KEY);
    ByteBuffer values =
        m.duplicate()
            .order(ByteOrder.LITTLE_ENDIAN)
            .position(k + n * KEY)
            .limit(k + n * (KEY + statsSize));
    if (statsSize != VALUE) { // schema 4's stats: the same first 40 bytes, no gateway fields
      ByteBuffer wide = ByteBuffer.allocateDirect(n * VALUE).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        wide.put(i * VALUE, values, values.position() + i * statsSize, statsSize);
      }
      values = wide;
    }
    sweeper.replay(keys, values, n, nowMs, epochOffsetNs, expire);
  }
}
