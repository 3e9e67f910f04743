package dev.flowgate.controlplane;

import dev.flowgate.bpf.Layout;
import dev.flowgate.controlplane.accounting.Accounting;
import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.dataplane.Dataplane;
import dev.flowgate.controlplane.dataplane.KernelCounters;
import dev.flowgate.controlplane.dataplane.OlderSchemaPins;
import dev.flowgate.controlplane.iface.AttachedInterface;
import dev.flowgate.controlplane.iface.InterfaceManager;
import dev.flowgate.controlplane.journal.CrashJournal;
import dev.flowgate.controlplane.journal.ExportGate;
import dev.flowgate.controlplane.journal.ReplayOutcome;
import dev.flowgate.controlplane.sweep.IntervalBatchBuilder;
import dev.flowgate.controlplane.sweep.MonotonicClock;
import dev.flowgate.controlplane.sweep.Sweeper;
import dev.flowgate.controlplane.sweep.SweeperOptions;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The start-up protocol, run once on the sweeper thread after the interfaces are attached: replay
 * what a killed run left in the crash journal, drain what the kernel counted while flowgate was
 * away, and take the accounting baseline (docs/design.md, "Accounting" and "Crash journal").
 */
final class Startup {
  private static final Logger LOG = LoggerFactory.getLogger(Startup.class);

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
  private final Optional<OlderSchemaPins> olderPins;

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
      int chunk,
      Optional<OlderSchemaPins> olderPins) {
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
    this.olderPins = olderPins;
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
    ReplayOutcome replayed;
    try (Sweeper startup =
        new Sweeper(
            dataplane,
            batch,
            cache,
            new SweeperOptions()
                .chunkEntries(chunk)
                .tally(accounting::addStartupDrain)
                .journal(journal))) {
      // baseline = kernel totals read right after the swap - what the replay and drains take over
      accounting.beginStart(slots);
      replayed = replayJournal(startup, idle);
      if (!replayed.olderPinsJournaled()) {
        olderPins.ifPresent(o -> mergeOlderPins(startup, o, now));
      }
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
    }
    accounting.readKernel(counters.read(slots));
    accounting.publish(cache);
    return replayed;
  }

  /**
   * What an earlier schema's maps held ({@link OlderSchemaPins}) into the cache, like a drain: read,
   * journaled, the old pins removed, "cleared", merged, "exported" (docs/design.md, "Upgrade keeps
   * counting"). Their counts are not in this object's totals, so the accounting takes them off the
   * baseline.
   */
  private void mergeOlderPins(Sweeper startup, OlderSchemaPins o, long now) {
    ByteBuffer k = o.keys();
    ByteBuffer v = o.values();
    long offset = MonotonicClock.epochOffsetNs();
    long seq = journal.olderPins(now, offset, k, v, o.count());
    CrashPoint.reached(CrashPoint.UPGRADE_JOURNALED);
    o.remove();
    journal.cleared(seq);
    LOG.info(
        "upgrade: "
            + o.count()
            + " flow entries of the old maps journaled, "
            + o.directory()
            + " removed; they go to the flow cache and the sinks");
    CrashPoint.reached(CrashPoint.UPGRADE_REMOVED);
    for (int i = 0; i < o.count(); i++) {
      int ka = i * Layout.FLOW_KEY_SIZE;
      int va = i * Layout.FLOW_STATS_SIZE;
      accounting.addStartupDrain(
          k.getInt(ka + Layout.FLOW_KEY_IFINDEX),
          k.get(ka + Layout.FLOW_KEY_DIRECTION),
          v.getLong(va + Layout.FLOW_STATS_PACKETS),
          v.getLong(va + Layout.FLOW_STATS_BYTES));
    }
    startup.replay(k, v, o.count(), now, offset, false);
    journal.exported(seq);
  }

  /**
   * Rebuilds the cache a killed run had, exports what it had not, and makes the result the new
   * checkpoint. Its counts were drained by that run, so they are in the kernel totals taken as the
   * baseline: the accounting takes them off the baseline ({@link Accounting#adoptReplayed}).
   */
  private ReplayOutcome replayJournal(Sweeper startup, int idle) {
    ReplayOutcome r;
    try (IntervalBatchBuilder replayBatch =
        new IntervalBatchBuilder(
            allocator.newChildAllocator("replay", 0, Long.MAX_VALUE),
            Math.min(chunk, IntervalBatchBuilder.FIRST_ROWS))) {
      try (Sweeper replayer =
          new Sweeper(dataplane, replayBatch, cache, new SweeperOptions().chunkEntries(chunk))) {
        r = journal.replay(cache, replayer, gate);
      }
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
    if (r.olderPinsJournaled()) {
      // before the checkpoint: once it empties the log, old pins would be read as new again
      olderPins.ifPresent(
          o -> {
            o.remove();
            LOG.info(
                "upgrade: "
                    + o.directory()
                    + " was left by a run killed after it journaled the old maps' entries:"
                    + " replayed from the crash journal, removed unread");
          });
    }
    if (!r.empty()) {
      journal.checkpoint(cache);
      Level level =
          r.corruption() != null ? Level.ERROR : r.inDoubtRecords() > 0 ? Level.WARN : Level.INFO;
      LOG.atLevel(level).log("start: crash journal replayed: " + r);
    }
    return r;
  }
}
