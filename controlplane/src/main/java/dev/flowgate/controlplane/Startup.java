package dev.flowgate.controlplane;

import dev.flowgate.controlplane.accounting.Accounting;
import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.dataplane.Dataplane;
import dev.flowgate.controlplane.dataplane.KernelCounters;
import dev.flowgate.controlplane.iface.AttachedInterface;
import dev.flowgate.controlplane.iface.InterfaceManager;
import dev.flowgate.controlplane.journal.CrashJournal;
import dev.flowgate.controlplane.journal.ExportGate;
import dev.flowgate.controlplane.journal.ReplayOutcome;
import dev.flowgate.controlplane.sweep.IntervalBatchBuilder;
import dev.flowgate.controlplane.sweep.Sweeper;
import dev.flowgate.controlplane.sweep.SweeperOptions;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The start-up protocol, run once on the sweeper thread after the interfaces are attached: replay
 * what a killed run left in the crash journal, drain what the kernel counted while flowgate was
 * away, and take the accounting baseline (docs/design.md, "Accounting" and "Crash journal").
 */
final class Startup {
  private static final Logger LOG = Logger.getLogger(Startup.class.getName());

  private final Dataplane dataplane;
  private final KernelCounters counters;
  private final InterfaceManager interfaces;
  private final Accounting accounting;
  private final FlowCache cache;
  private final IntervalBatchBuilder batch;
  private final CrashJournal journal;
  private final ExportGate gate;
  private final BufferAllocator allocator;
  private final int chunk;

  Startup(
      Dataplane dataplane,
      KernelCounters counters,
      InterfaceManager interfaces,
      Accounting accounting,
      FlowCache cache,
      IntervalBatchBuilder batch,
      CrashJournal journal,
      ExportGate gate,
      BufferAllocator allocator,
      int chunk) {
    this.dataplane = dataplane;
    this.counters = counters;
    this.interfaces = interfaces;
    this.accounting = accounting;
    this.cache = cache;
    this.batch = batch;
    this.journal = journal;
    this.gate = gate;
    this.allocator = allocator;
    this.chunk = chunk;
  }

  /**
   * Replays, drains, takes the baseline and publishes the first accounting rows.
   *
   * @param slots the interface slots in use
   * @return what the journal's replay did
   */
  ReplayOutcome run(List<Integer> slots) {
    // adopted interfaces (pinned links of an earlier run) counted while we were away: their
    // counts are in the flow maps and belong to this run
    for (AttachedInterface a : interfaces.attached()) {
      accounting.mapIfindex(a.ifindex(), a.slot());
    }
    long now = System.currentTimeMillis();
    int idle = dataplane.idleHalf();
    Sweeper startup =
        new Sweeper(
            dataplane,
            batch,
            cache,
            new SweeperOptions()
                .chunkEntries(chunk)
                .tally(accounting::addStartupDrain)
                .journal(journal));
    // baseline = kernel totals read right after the swap - what the replay and drains take over
    accounting.beginStart(slots);
    ReplayOutcome replayed = replayJournal(startup, idle);
    int left = startup.drainIdle(idle, now);
    accounting.retire(counters, slots, idle); // no program writes the idle half
    int found =
        startup.sweep(
            now,
            () -> {
              accounting.retire(counters, slots, idle ^ 1); // the half the swap retired
              accounting.addStartTotals(slots);
            });
    LOG.info("start: " + (left + found) + " flow entries counted while flowgate was away");
    accounting.readKernel(counters.read(slots));
    accounting.publish(cache);
    return replayed;
  }

  /**
   * Rebuilds the cache a killed run had, exports what it had not, and makes the result the new
   * checkpoint. Its counts were drained by that run, so they are in the kernel totals taken as the
   * baseline: the accounting takes them off the baseline ({@link Accounting#adoptReplayed}).
   */
  private ReplayOutcome replayJournal(Sweeper startup, int idle) {
    ReplayOutcome r;
    try (IntervalBatchBuilder replayBatch =
        new IntervalBatchBuilder(allocator.newChildAllocator("replay", 0, Long.MAX_VALUE), chunk)) {
      Sweeper replayer =
          new Sweeper(dataplane, replayBatch, cache, new SweeperOptions().chunkEntries(chunk));
      r = journal.replay(cache, replayer, gate);
    }
    accounting.adoptReplayed(cache);
    if (r.idleMapJournaled()) {
      int n = startup.discard(idle);
      LOG.info(
          "start: "
              + n
              + " flow entries left in the kernel by a cut sweep were replayed"
              + " from the journal and deleted");
    }
    if (!r.empty()) {
      journal.checkpoint(cache);
      Level level =
          r.corruption() != null
              ? Level.SEVERE
              : r.inDoubtRecords() > 0 ? Level.WARNING : Level.INFO;
      LOG.log(level, "start: crash journal replayed: " + r);
    }
    return r;
  }
}
