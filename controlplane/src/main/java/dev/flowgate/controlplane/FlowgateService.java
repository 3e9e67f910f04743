package dev.flowgate.controlplane;

import dev.flowgate.controlplane.accounting.Accounting;
import dev.flowgate.controlplane.cache.ActiveFlow;
import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.cache.FlowCacheOptions;
import dev.flowgate.controlplane.cache.FlowRanking;
import dev.flowgate.controlplane.config.FlowgateConfig;
import dev.flowgate.controlplane.config.InterfaceConfig;
import dev.flowgate.controlplane.dataplane.Dataplane;
import dev.flowgate.controlplane.dataplane.KernelCounters;
import dev.flowgate.controlplane.export.ExportFanout;
import dev.flowgate.controlplane.iface.AttachedInterface;
import dev.flowgate.controlplane.iface.InterfaceManager;
import dev.flowgate.controlplane.iface.InterfaceOverlay;
import dev.flowgate.controlplane.iface.SlotTable;
import dev.flowgate.controlplane.journal.CrashJournal;
import dev.flowgate.controlplane.journal.ExportGate;
import dev.flowgate.controlplane.journal.ReplayOutcome;
import dev.flowgate.controlplane.metrics.SweepRecorder;
import dev.flowgate.controlplane.samples.PacketSamples;
import dev.flowgate.controlplane.sweep.IntervalBatchBuilder;
import dev.flowgate.controlplane.sweep.Sweeper;
import dev.flowgate.exporters.FlowSink;
import dev.flowgate.exporters.arrow.ArrowFileSink;
import dev.flowgate.exporters.collector.CollectorExporter;
import dev.flowgate.exporters.collector.ExporterStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The counting service: the loaded dataplane, the attached interfaces, and the sweeper thread that
 * drains the kernel into the flow cache and the cache into the sinks.
 *
 * <p>Every touch of the flow cache runs on the one sweeper thread ({@link #onSweeper}): the cache
 * is not thread-safe, and the sweep is the only writer. Start: load (reusing pins), attach, drain
 * what the kernel counted while flowgate was away, take the accounting baseline. Stop: a last
 * sweep, every cached flow finished with forcedEnd and handed to the sinks; then the programs
 * either stay attached with their pins (keep-attached) or are detached and unpinned.
 *
 * <p>Crash safety: every sweep is recorded in the {@link CrashJournal} under the state directory
 * before the kernel's copy is cleared; a start first replays what a killed run left (its in-doubt
 * re-exports are counted, {@link #gate()}), then checkpoints.
 */
public final class FlowgateService implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(FlowgateService.class.getName());
  private static final long START_NANOS = System.nanoTime();

  /** How often interfaces are re-matched (new devices, vanished ones): 2 s. */
  public static final long RECONCILE_INTERVAL_MS = 2000;

  private final FlowgateConfig config;
  private final BufferAllocator allocator;
  private final Dataplane dataplane;
  private final KernelCounters counters;
  private final Accounting accounting = new Accounting();
  private final InterfaceManager interfaces;
  private final InterfaceOverlay overlay;
  private final ExportFanout fanout;
  private final ExportGate gate;
  private final CrashJournal journal;
  private volatile ReplayOutcome replayed;
  private final FlowCache cache;
  private final IntervalBatchBuilder batch;
  private final Sweeper sweeper;
  private final PacketSamples samples;
  private final ScheduledExecutorService thread;
  private volatile long sweeps;
  private volatile long lastDrained;
  private volatile Runnable afterSweep = () -> {};

  FlowgateService(FlowgateConfig config) {
    this.config = config;
    try {
      Files.createDirectories(config.stateDirectory());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create state directory " + config.stateDirectory(), e);
    }
    this.overlay = InterfaceOverlay.load(config.stateDirectory());
    this.allocator = new RootAllocator();
    this.dataplane =
        Dataplane.load(
            config.dataplane().pinPath(),
            config.flows().maxFlows(),
            config.dataplane().snapLength());
    this.counters = new KernelCounters(dataplane);
    this.interfaces = new InterfaceManager(dataplane, new SlotTable(config.stateDirectory()));
    this.samples =
        new PacketSamples(
            dataplane,
            counters,
            interfaces,
            config.dataplane().snapLength(),
            PacketSamples.CAPTURE_QUEUE_SAMPLES);
    SinkFactory.psamp(config, samples::selectors).forEach(samples::export);
    this.fanout = new ExportFanout(SinkFactory.create(config, allocator), accounting);
    this.gate = new ExportGate(fanout);
    this.journal = CrashJournal.open(config.stateDirectory().resolve("journal"), false);
    this.cache =
        new FlowCache(
            allocator.newChildAllocator("flow-cache", 0, Long.MAX_VALUE),
            new FlowCacheOptions()
                .capacity(cacheCapacity(config.flows().maxFlows()))
                .idleTimeout(config.flows().idleTimeout())
                .activeTimeout(config.flows().activeTimeout()),
            gate);
    int chunk = Math.min(Sweeper.DEFAULT_CHUNK_ENTRIES, config.flows().maxFlows());
    this.batch =
        new IntervalBatchBuilder(allocator.newChildAllocator("interval", 0, Long.MAX_VALUE), chunk);
    this.sweeper =
        new Sweeper(dataplane, batch, cache, (ifindex, dir, p, b) -> {}, chunk, true, journal);
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "flowgate-sweeper");
              t.setDaemon(true);
              return t;
            });
  }

  /** The flow cache holds four times the flow map's capacity, at least 65,536 flows. */
  static int cacheCapacity(int maxFlows) {
    return (int) Math.min(1 << 24, Math.max(1 << 16, 4L * maxFlows));
  }

  /** Attaches, drains what was counted while away, takes the baseline, starts the sweeps. */
  void start() {
    onSweeper(
        () -> {
          interfaces.setListener(
              (ifindex, slot) -> {
                accounting.mapIfindex(ifindex, slot);
                accounting.captureBase(counters, slot);
              });
          interfaces.setSpecs(overlay.apply(config.interfaces()));
          startupDrain();
          return null;
        });
    samples.start();
    long every = config.flows().sweepInterval().toMillis();
    thread.scheduleWithFixedDelay(this::sweepOnce, every, every, TimeUnit.MILLISECONDS);
    thread.scheduleWithFixedDelay(
        this::reconcile, RECONCILE_INTERVAL_MS, RECONCILE_INTERVAL_MS, TimeUnit.MILLISECONDS);
  }

  private void startupDrain() {
    // adopted interfaces (pinned links of an earlier run) counted while we were away: their
    // counts are in the flow maps and belong to this run
    for (AttachedInterface a : interfaces.attached()) {
      accounting.mapIfindex(a.ifindex(), a.slot());
    }
    List<Integer> slots = slotsInUse();
    long now = System.currentTimeMillis();
    int idle = dataplane.idleHalf();
    int chunk = Math.min(Sweeper.DEFAULT_CHUNK_ENTRIES, config.flows().maxFlows());
    Sweeper startup =
        new Sweeper(dataplane, batch, cache, accounting::addStartupDrain, chunk, false, journal);
    // baseline = kernel totals read right after the swap - what the replay and drains take over
    accounting.beginStart(slots);
    replayJournal(startup, idle, chunk);
    int left = startup.drainIdle(idle, now);
    int found = startup.sweep(now, () -> accounting.addStartTotals(counters, slots));
    LOG.info("start: " + (left + found) + " flow entries counted while flowgate was away");
    accounting.readKernel(counters, slots);
    accounting.publish(cache);
  }

  /**
   * Rebuilds the cache a killed run had, exports what it had not, and makes the result the new
   * checkpoint. Its counts were drained by that run, so they are in the kernel totals taken as the
   * baseline: the accounting takes them off the baseline ({@link Accounting#adoptReplayed}).
   */
  private void replayJournal(Sweeper startup, int idle, int chunk) {
    ReplayOutcome r;
    try (IntervalBatchBuilder replayBatch =
        new IntervalBatchBuilder(allocator.newChildAllocator("replay", 0, Long.MAX_VALUE), chunk)) {
      Sweeper replayer =
          new Sweeper(dataplane, replayBatch, cache, (ifindex, dir, p, b) -> {}, chunk, false);
      r = journal.replay(cache, replayer, gate);
    }
    replayed = r;
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
  }

  private void sweepOnce() {
    long started = System.nanoTime();
    try {
      List<Integer> slots = slotsInUse();
      int n =
          sweeper.sweep(System.currentTimeMillis(), () -> accounting.readKernel(counters, slots));
      lastDrained = n;
      if (journal.checkpointDue()) {
        journal.checkpoint(cache);
      }
      accounting.publish(cache);
      samples.publish();
      sweeps++;
      recordSweep(n, System.nanoTime() - started);
      for (FlowSink sink : fanout.sinks()) {
        if (sink instanceof ArrowFileSink files) {
          files.rotateIfDue();
        }
      }
      afterSweep.run();
    } catch (RuntimeException e) {
      recordSweepFailure();
      LOG.log(Level.SEVERE, "sweep failed", e);
    }
  }

  private void reconcile() {
    try {
      interfaces.reconcile();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "interface reconcile failed", e);
    }
  }

  private List<Integer> slotsInUse() {
    return interfaces.attached().stream()
        .map(AttachedInterface::slot)
        .distinct()
        .collect(Collectors.toList());
  }

  /** Runs a task on the sweeper thread and waits for it. */
  <T> T onSweeper(java.util.concurrent.Callable<T> task) {
    try {
      return thread.submit(task).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Called after every sweep (on the sweeper thread): e.g. the systemd watchdog. */
  void setAfterSweep(Runnable r) {
    this.afterSweep = r;
  }

  /** Re-reads the interface entries (SIGHUP). */
  void reload(FlowgateConfig newConfig) {
    onSweeper(
        () -> {
          interfaces.setSpecs(overlay.apply(newConfig.interfaces()));
          return null;
        });
  }

  void putInterface(InterfaceConfig entry) {
    onSweeper(
        () -> {
          overlay.put(entry);
          interfaces.setSpecs(overlay.apply(config.interfaces()));
          return null;
        });
  }

  void removeInterface(String name) {
    onSweeper(
        () -> {
          overlay.remove(name);
          interfaces.setSpecs(overlay.apply(config.interfaces()));
          return null;
        });
  }

  List<ActiveFlow> topFlows(int n, FlowRanking by) {
    return onSweeper(() -> cache.top(n, by));
  }

  InterfaceManager interfaces() {
    return interfaces;
  }

  Accounting accounting() {
    return accounting;
  }

  long sweeps() {
    return sweeps;
  }

  /** The gate before the sinks: counts the in-doubt records replays exported again. */
  ExportGate gate() {
    return gate;
  }

  /** The crash journal, for its counters. */
  CrashJournal journal() {
    return journal;
  }

  /** What the start's journal replay did (null before start). */
  ReplayOutcome replayed() {
    return replayed;
  }

  long lastDrained() {
    return lastDrained;
  }

  /** Flows one half of the kernel flow table holds: what one interval can hold. */
  int flowCapacity() {
    return dataplane.flowCapacity();
  }

  /** The counters of each collector exporter ({@code export.ipfix}), in config order. */
  List<ExporterStats> exporterStats() {
    List<ExporterStats> out = new java.util.ArrayList<>();
    fanout.sinks().stream()
        .filter(CollectorExporter.class::isInstance)
        .forEach(s -> out.add(((CollectorExporter) s).stats()));
    out.addAll(samples.psampStats());
    return out;
  }

  long uptimeMillis() {
    return (System.nanoTime() - START_NANOS) / 1_000_000;
  }

  byte[] lastIntervalIpc() {
    return sweeper.lastIntervalIpc();
  }

  static String version() {
    String v = FlowgateService.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /**
   * Stops: a last sweep, every cached flow finished (forcedEnd) and handed to the sinks, the sinks
   * flushed; then detach and unpin unless keep-attached.
   */
  @Override
  public void close() {
    thread.shutdown();
    try {
      thread.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      List<Integer> slots = slotsInUse();
      sweeper.sweep(System.currentTimeMillis(), () -> accounting.readKernel(counters, slots));
      long finishing = journal.finishing();
      cache.finishAll();
      journal.exported(finishing);
      accounting.publish(cache);
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "last drain failed", e);
    }
    fanout.close();
    journal.checkpoint(cache); // the cache is empty and everything went out: an empty journal
    journal.close();
    for (ExporterStats s : exporterStats()) {
      LOG.info("export to " + s.collector() + " (" + s.protocol() + ") at stop: " + s);
    }
    if (config.dataplane().keepAttached()) {
      interfaces.close();
    } else {
      interfaces.detachAll();
    }
    cache.close();
    batch.close();
    samples.close();
    dataplane.close();
    if (!config.dataplane().keepAttached()) {
      dataplane.unpinAll();
    }
    allocator.close();
  }

  // metrics: the sweep recorder, and what FlowgateMetricsSource reads

  private SweepRecorder sweepRecorder;

  /**
   * Records every sweep for the metrics from now on (set before {@link #start()}, so the start's
   * drain is in the protocol breakdown too).
   */
  void setSweepRecorder(SweepRecorder recorder) {
    this.sweepRecorder = recorder;
    batch.setAppendListener(recorder::intervalRows);
  }

  private void recordSweep(int drained, long nanos) {
    if (sweepRecorder != null) {
      sweepRecorder.swept(drained, nanos, cache, counters);
    }
  }

  private void recordSweepFailure() {
    if (sweepRecorder != null) {
      sweepRecorder.failed();
    }
  }

  ExportFanout fanout() {
    return fanout;
  }

  /** The sample reader and its consumers. */
  PacketSamples samples() {
    return samples;
  }
}
