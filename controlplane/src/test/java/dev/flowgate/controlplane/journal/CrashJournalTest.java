package dev.flowgate.controlplane.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.sweep.DecodedRecord;
import dev.flowgate.controlplane.sweep.DrainedEntries;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's format and replay: a crashed run's cache is rebuilt exactly (entries, order,
 * eviction hand), what it exported is not exported again, a sweep cut while exporting is exported
 * again as in-doubt, a torn last frame is ignored, a CRC mismatch is reported; sweeps made after a
 * reload changed the timeouts replay with those timeouts (frames without them, as the other tests
 * write, replay with the replaying cache's own).
 */
@Timeout(60)
class CrashJournalTest {
  @TempDir Path dir;
  private final RootAllocator allocator = new RootAllocator();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    allocator.close();
  }

  private JournalRun run() {
    JournalRun r = new JournalRun(allocator, 42);
    open.add(r);
    return r;
  }

  private CrashJournal journal() {
    CrashJournal j = CrashJournal.open(dir, false);
    open.add(j);
    return j;
  }

  /** The next start: a fresh cache, the journal replayed into it. */
  private record Restart(JournalRun run, ReplayOutcome outcome) {}

  private Restart restart() {
    JournalRun b = new JournalRun(allocator, 0);
    open.add(b);
    CrashJournal j = journal();
    return new Restart(b, j.replay(b.cache, b.sweeper, b.gate));
  }

  @Test
  void aReplayAfterAReloadExpiresEachSweepWithTheTimeoutsItRanWith() {
    JournalRun a = run();
    CrashJournal j = journal();
    j.recordTimeoutsOf(a.cache);
    for (int s = 0; s < 40; s++) {
      if (s == 15) {
        a.cache.timeouts(20_000, 40_000); // a reload lengthens both (the run started with 3 s, 7 s)
      }
      a.sweep(j, s, 3);
    }
    Restart b = restart(); // the replaying config has 3 s and 7 s
    assertThat(b.outcome().replayedSweeps()).isEqualTo(40);
    assertThat(b.run().state()).isEqualTo(a.state());
    assertThat(b.run().cache.idleTimeoutMs()).as("its own timeouts back").isEqualTo(3_000);
    assertThat(b.run().cache.activeTimeoutMs()).isEqualTo(7_000);
  }

  @Test
  void replayRebuildsTheCacheAndExportsNothingTwice() {
    JournalRun a = run();
    CrashJournal j = journal();
    for (int s = 0; s < 40; s++) {
      a.sweep(j, s, 3);
      if (s == 12 || s == 25) {
        j.checkpoint(a.cache);
      }
    }
    assertThat(a.exported).isNotEmpty(); // FIN, idle, active, evictions all happened
    Restart b = restart();
    assertThat(b.run().state()).isEqualTo(a.state());
    assertThat(b.run().exported).isEmpty();
    assertThat(b.outcome().inDoubtRecords()).isZero();
    assertThat(b.outcome().replayedSweeps()).isEqualTo(14);
    assertThat(b.outcome().idleMapJournaled()).isFalse();
    assertThat(b.outcome().corruption()).isNull();
  }

  @Test
  void aSweepCutWhileExportingIsExportedAgainAsInDoubt() {
    JournalRun a = run();
    CrashJournal j = journal();
    for (int s = 0; s < 20; s++) {
      a.sweep(j, s, 3);
    }
    int before = a.exported.size();
    a.sweep(j, 20, 2); // crash after the merge, before "exported"
    List<DecodedRecord> cut = a.exported.subList(before, a.exported.size());
    assertThat(cut).isNotEmpty();

    Restart b = restart();
    assertThat(b.run().state()).isEqualTo(a.state());
    assertThat(b.run().exported).containsExactlyElementsOf(cut);
    assertThat(b.outcome().inDoubtSweeps()).isEqualTo(1);
    assertThat(b.outcome().inDoubtRecords()).isEqualTo(cut.size());
    assertThat(b.outcome().inDoubtPackets()).isEqualTo(JournalRun.packets(cut));
    assertThat(b.run().gate.inDoubtRecords()).isEqualTo(cut.size());
  }

  @Test
  void aSweepCutBeforeItsDeleteIsReplayedNormallyAndFlagsTheIdleMap() {
    JournalRun a = run();
    CrashJournal j = journal();
    for (int s = 0; s < 20; s++) {
      a.sweep(j, s, 3);
    }
    int before = a.exported.size();
    a.sweep(j, 20, 1); // journaled, not yet deleted from the kernel: no merge happened
    assertThat(a.exported).hasSize(before);

    Restart b = restart();
    assertThat(b.outcome().idleMapJournaled()).isTrue();
    assertThat(b.outcome().inDoubtRecords()).isZero();
    // what the crashed run would have done with it
    JournalRun c = new JournalRun(allocator, 42);
    open.add(c);
    for (int s = 0; s < 20; s++) {
      c.merge(c.drain(s), s);
    }
    int cBefore = c.exported.size();
    c.merge(c.drain(20), 20);
    assertThat(b.run().state()).isEqualTo(c.state());
    assertThat(b.run().exported)
        .containsExactlyElementsOf(c.exported.subList(cBefore, c.exported.size()));
  }

  @Test
  void aTornLastFrameIsIgnored() throws IOException {
    JournalRun a = run();
    CrashJournal j = journal();
    for (int s = 0; s < 10; s++) {
      a.sweep(j, s, 3);
    }
    long[] state = a.state();
    long whole = j.size();
    DrainedEntries d = a.drain(10);
    j.drained(JournalRun.nowMs(10), 0, true, d.keys(), d.values(), d.count());
    long torn = (j.size() - whole) / 2;
    try (FileChannel ch =
        FileChannel.open(dir.resolve(CrashJournal.LOG_FILE), StandardOpenOption.WRITE)) {
      ch.truncate(whole + torn);
    }
    Restart b = restart();
    assertThat(b.outcome().tornBytes()).isEqualTo(torn);
    assertThat(b.outcome().corruption()).isNull();
    assertThat(b.outcome().idleMapJournaled()).isFalse();
    assertThat(b.run().state()).isEqualTo(state);
    // new frames follow the intact ones
    assertThat(Files.size(dir.resolve(CrashJournal.LOG_FILE))).isEqualTo(whole);
  }

  @Test
  void aCrcMismatchIsDetectedAndReportedAndTheReplayStopsThere() throws IOException {
    JournalRun a = run();
    CrashJournal j = journal();
    long[] stateAt5 = null;
    long frameOfSweep5 = 0;
    for (int s = 0; s < 10; s++) {
      if (s == 5) {
        stateAt5 = a.state();
        frameOfSweep5 = j.size();
      }
      a.sweep(j, s, 3);
    }
    try (FileChannel ch =
        FileChannel.open(
            dir.resolve(CrashJournal.LOG_FILE),
            StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      long at = frameOfSweep5 + JournalFrame.HEADER + 30; // inside the first key
      ch.read(one, at);
      one.put(0, (byte) (one.get(0) ^ 0x40)).position(0);
      ch.write(one, at);
    }
    Restart b = restart();
    assertThat(b.outcome().corruption()).contains("CRC32C mismatch").contains("sweep 5");
    assertThat(b.outcome().replayedSweeps()).isEqualTo(5);
    assertThat(b.run().state()).isEqualTo(stateAt5);
  }

  @Test
  void aCorruptSnapshotIsReported() throws IOException {
    JournalRun a = run();
    CrashJournal j = journal();
    for (int s = 0; s < 10; s++) {
      a.sweep(j, s, 3);
    }
    j.checkpoint(a.cache);
    Path snap = dir.resolve(CrashJournal.SNAPSHOT_FILE);
    byte[] bytes = Files.readAllBytes(snap);
    bytes[CacheSnapshot.HEADER + 3] ^= 1;
    Files.write(snap, bytes);
    Restart b = restart();
    assertThat(b.outcome().corruption()).contains("CRC32C mismatch");
    assertThat(b.run().cache.activeFlows()).isZero();
  }

  @Test
  void aCheckpointEmptiesTheLogAndTheSnapshotAloneRestores() {
    JournalRun a = run();
    CrashJournal j = journal();
    for (int s = 0; s < 10; s++) {
      a.sweep(j, s, 3);
    }
    assertThat(j.size()).isPositive();
    j.checkpoint(a.cache);
    assertThat(j.size()).isZero();
    Restart b = restart();
    assertThat(b.outcome().replayedSweeps()).isZero();
    assertThat(b.outcome().restoredFlows()).isEqualTo(a.cache.activeFlows());
    assertThat(b.run().state()).isEqualTo(a.state());
  }

  @Test
  void sequenceNumbersGoOnAfterACheckpointSoNewSweepsAreNotSkipped() {
    JournalRun a = run();
    CrashJournal j = journal();
    for (int s = 0; s < 5; s++) {
      a.sweep(j, s, 3);
    }
    j.checkpoint(a.cache);
    j.close();
    // a restart that replays (nothing), then sweeps on
    JournalRun b = new JournalRun(allocator, 0);
    open.add(b);
    CrashJournal j2 = journal();
    j2.replay(b.cache, b.sweeper, b.gate);
    // b continues where a stopped, with a's generator
    for (int s = 5; s < 10; s++) {
      DrainedEntries d = a.drain(s);
      long seq = j2.drained(JournalRun.nowMs(s), 0, true, d.keys(), d.values(), d.count());
      j2.cleared(seq);
      a.merge(d, s);
      b.merge(d, s);
      j2.exported(seq);
    }
    Restart c = restart();
    assertThat(c.outcome().replayedSweeps()).isEqualTo(5);
    assertThat(c.run().state()).isEqualTo(a.state());
  }

  @Test
  void sweepsJournaledInPartsReplayExactlyNextToSingleFrameSweeps() {
    JournalRun a = run();
    CrashJournal j = journal();
    for (int s = 0; s < 40; s++) {
      if (s % 2 == 0) {
        a.sweep(j, s, 3); // the format before parts: old journals still replay
      } else {
        a.sweepInParts(j, s, 3);
      }
      if (s == 12) {
        j.checkpoint(a.cache);
      }
    }
    assertThat(a.exported).isNotEmpty();
    Restart b = restart();
    assertThat(b.outcome().corruption()).isNull();
    assertThat(b.outcome().replayedSweeps()).isEqualTo(27);
    assertThat(b.run().state()).isEqualTo(a.state());
    assertThat(b.run().exported).isEmpty();
    assertThat(b.outcome().inDoubtRecords()).isZero();
    assertThat(b.outcome().idleMapJournaled()).isFalse();
  }

  @Test
  void partsWithoutTheirSweepsEndAreIgnoredAndOverwritten() throws IOException {
    JournalRun a = run();
    CrashJournal j = journal();
    for (int s = 0; s < 10; s++) {
      a.sweepInParts(j, s, 3);
    }
    long[] state = a.state();
    long whole = j.size();
    a.sweepInParts(j, 10, 0); // killed between parts: the sweep's end never written
    assertThat(j.size()).isGreaterThan(whole + 2 * JournalFrame.HEADER);
    long cut = j.size() - whole;

    Restart b = restart();
    assertThat(b.outcome().corruption()).isNull();
    assertThat(b.outcome().tornBytes()).isEqualTo(cut);
    assertThat(b.outcome().replayedSweeps()).isEqualTo(10);
    assertThat(b.outcome().idleMapJournaled()).as("nothing was emptied for them").isFalse();
    assertThat(b.run().state()).isEqualTo(state);
    assertThat(b.run().exported).isEmpty();
    assertThat(Files.size(dir.resolve(CrashJournal.LOG_FILE))).isEqualTo(whole);
  }

  @Test
  void aSweepInPartsCutBeforeItsDeleteIsReplayedNormallyAndFlagsTheIdleMap() {
    JournalRun a = run();
    CrashJournal j = journal();
    for (int s = 0; s < 20; s++) {
      a.sweepInParts(j, s, 3);
    }
    int before = a.exported.size();
    a.sweepInParts(j, 20, 1); // journaled whole, not yet deleted from the kernel, not merged
    assertThat(a.exported).hasSize(before);

    Restart b = restart();
    assertThat(b.outcome().idleMapJournaled()).isTrue();
    assertThat(b.outcome().inDoubtRecords()).isZero();
    JournalRun c = new JournalRun(allocator, 42); // what the crashed run would have done
    open.add(c);
    CrashJournal scratch = CrashJournal.open(dir.resolve("c"), false);
    open.add(scratch);
    for (int s = 0; s <= 20; s++) {
      c.sweepInParts(scratch, s, 3);
    }
    assertThat(b.run().state()).isEqualTo(c.state());
    assertThat(b.run().exported)
        .containsExactlyElementsOf(c.exported.subList(before, c.exported.size()));
  }

  @Test
  void aSweepInPartsCutWhileExportingIsExportedAgainAsInDoubt() {
    JournalRun a = run();
    CrashJournal j = journal();
    for (int s = 0; s < 20; s++) {
      a.sweepInParts(j, s, 3);
    }
    int before = a.exported.size();
    a.sweepInParts(j, 20, 2); // merged, "exported" not written
    List<DecodedRecord> cut = a.exported.subList(before, a.exported.size());
    assertThat(cut).isNotEmpty();

    Restart b = restart();
    assertThat(b.run().state()).isEqualTo(a.state());
    assertThat(b.run().exported).containsExactlyElementsOf(cut);
    assertThat(b.outcome().inDoubtSweeps()).isEqualTo(1);
    assertThat(b.outcome().inDoubtRecords()).isEqualTo(cut.size());
  }

  @Test
  void theLastSweepsPartsStayReadableAfterACheckpointReplacedTheLog() {
    JournalRun a = run();
    CrashJournal j = journal();
    for (int s = 0; s < 5; s++) {
      a.sweepInParts(j, s, 3);
    }
    long seq = 4; // the fifth sweep
    dev.flowgate.controlplane.sweep.SweepParts parts = j.parts(seq);
    ByteBuffer[] before = readAll(parts);
    j.checkpoint(a.cache);
    assertThat(j.size()).isZero();
    ByteBuffer[] after = readAll(j.parts(seq));
    assertThat(after[0]).isEqualTo(before[0]);
    assertThat(after[1]).isEqualTo(before[1]);
    assertThat(parts.parts()).isPositive();
    a.sweepInParts(j, 5, 3); // the next sweep: the replaced log is let go
    Restart b = restart();
    assertThat(b.outcome().replayedSweeps()).isEqualTo(1);
    assertThat(b.run().state()).isEqualTo(a.state());
  }

  /** Every part's keys and values, read back in order. */
  private static ByteBuffer[] readAll(dev.flowgate.controlplane.sweep.SweepParts parts) {
    int n = 0;
    for (int i = 0; i < parts.parts(); i++) {
      n += parts.entries(i);
    }
    ByteBuffer k = ByteBuffer.allocateDirect(n * 44);
    ByteBuffer v = ByteBuffer.allocateDirect(n * 72);
    int at = 0;
    for (int i = 0; i < parts.parts(); i++) {
      int m = parts.entries(i);
      parts.read(i, k.duplicate().position(at * 44), v.duplicate().position(at * 72));
      at += m;
    }
    return new ByteBuffer[] {k, v};
  }
}
