package dev.flowgate.controlplane;

import dev.flowgate.controlplane.accounting.Accounting;
import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.cache.FlowCacheOptions;
import dev.flowgate.controlplane.config.FlowgateConfig;
import dev.flowgate.controlplane.dataplane.Dataplane;
import dev.flowgate.controlplane.dataplane.KernelCounters;
import dev.flowgate.controlplane.dataplane.KernelReading;
import dev.flowgate.controlplane.dataplane.MemoryBudget;
import dev.flowgate.controlplane.export.ExportFanout;
import dev.flowgate.controlplane.iface.AttachedInterface;
import dev.flowgate.controlplane.iface.InterfaceManager;
import dev.flowgate.controlplane.iface.InterfaceOverlay;
import dev.flowgate.controlplane.iface.SlotTable;
import dev.flowgate.controlplane.journal.CrashJournal;
import dev.flowgate.controlplane.journal.ExportGate;
import dev.flowgate.controlplane.journal.ReplayOutcome;
import dev.flowgate.controlplane.metrics.MetricsSource;
import dev.flowgate.controlplane.metrics.SweepRecorder;
import dev.flowgate.controlplane.samples.PacketSamples;
import dev.flowgate.controlplane.sweep.IntervalBatchBuilder;
import dev.flowgate.controlplane.sweep.SweepListener;
import dev.flowgate.controlplane.sweep.SweepLoop;
import dev.flowgate.controlplane.sweep.Sweeper;
import dev.flowgate.controlplane.sweep.SweeperOptions;
import dev.flowgate.exporters.collector.ExporterStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The counting service's wiring: builds the dataplane, the interfaces, the flow cache, the sinks
 * and the crash journal, and subscribes the sweep's consumers to the {@link SweepLoop} (crash
 * journal checkpoints, accounting, metrics, the sinks' tick, then whoever the daemon adds). The
 * HTTP API and the metrics read the parts through {@link #backend()} and {@link #metrics()}.
 *
 * <p>Start: load (reusing pins), attach, the {@link Startup} protocol (journal replay, drain what
 * the kernel counted while flowgate was away, accounting baseline), then the sweeps. Stop: a last
 * sweep, every cached flow finished with forcedEnd and handed to the sinks; then the programs
 * either stay attached with their pins (keep-attached) or are detached and unpinned.
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
  private final ExportFanout fanout;
  private final ExportGate gate;
  private final CrashJournal journal;
  private final FlowCache cache;
  private final IntervalBatchBuilder batch;
  private final int chunk;
  private final SweepLoop loop;
  private final InterfaceEdits edits;
  private final SweepRecorder recorder;
  private final PacketSamples samples;
  private volatile ReplayOutcome replayed;

  FlowgateService(FlowgateConfig config) {
    this.config = config;
    try {
      Files.createDirectories(config.stateDirectory());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create state directory " + config.stateDirectory(), e);
    }
    InterfaceOverlay overlay = InterfaceOverlay.load(config.stateDirectory());
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
                .capacity(MemoryBudget.cacheCapacity(config.flows().maxFlows()))
                .idleTimeout(config.flows().idleTimeout())
                .activeTimeout(config.flows().activeTimeout()),
            gate);
    this.chunk = Math.min(SweeperOptions.DEFAULT_CHUNK_ENTRIES, config.flows().maxFlows());
    this.batch =
        new IntervalBatchBuilder(allocator.newChildAllocator("interval", 0, Long.MAX_VALUE), chunk);
    Sweeper sweeper =
        new Sweeper(
            dataplane,
            batch,
            cache,
            new SweeperOptions().chunkEntries(chunk).keepIntervalIpc(true).journal(journal));
    this.loop = new SweepLoop(sweeper, batch, cache, counters, this::slotsInUse);
    this.edits = new InterfaceEdits(loop, interfaces, overlay, config.interfaces());
    // the order of a sweep's consumers: the checkpoint, then what reads the cache and the kernel
    loop.subscribe(
        r -> {
          if (journal.checkpointDue()) {
            journal.checkpoint(r.cache());
          }
        });
    loop.subscribe(accounting);
    if (config.metrics().enabled()) {
      this.recorder =
          new SweepRecorder(
              dataplane.flowCapacity(),
              ifindex ->
                  interfaces
                      .byIfindex(ifindex)
                      .map(AttachedInterface::name)
                      .orElse("ifindex-" + ifindex));
      loop.subscribe(recorder);
    } else {
      this.recorder = null;
    }
    loop.subscribe(fanout);
    loop.subscribe(samples);
  }

  /** Attaches, runs the start-up protocol, starts the sweeps and the interface re-matching. */
  void start() {
    Startup startup =
        new Startup(
            dataplane,
            counters,
            interfaces,
            accounting,
            cache,
            batch,
            journal,
            gate,
            allocator,
            chunk);
    replayed =
        loop.call(
            () -> {
              interfaces.setListener(
                  (ifindex, slot) -> {
                    accounting.mapIfindex(ifindex, slot);
                    accounting.captureBase(counters, slot);
                  });
              edits.applyHere();
              return startup.run(slotsInUse());
            });
    samples.start();
    loop.start(config.flows().sweepInterval().toMillis());
    loop.every(RECONCILE_INTERVAL_MS, this::reconcile);
  }

  /** Adds a consumer of every sweep from now on (e.g. the systemd watchdog). */
  void subscribe(SweepListener listener) {
    loop.subscribe(listener);
  }

  /** Interface entries: SIGHUP's reload and the API's changes. */
  InterfaceEdits edits() {
    return edits;
  }

  /** Interfaces attached now. */
  List<AttachedInterface> attached() {
    return interfaces.attached();
  }

  /** The HTTP API's view (after {@link #start()}: it reports the start's journal replay). */
  FlowgateBackend backend() {
    return new FlowgateBackend(
        loop,
        cache,
        interfaces,
        edits,
        accounting,
        fanout,
        new JournalView(gate, journal, replayed),
        dataplane.flowCapacity(),
        samples);
  }

  /** The metrics' view, if the config enables metrics. */
  Optional<MetricsSource> metrics() {
    return recorder == null
        ? Optional.empty()
        : Optional.of(new FlowgateMetricsSource(accounting, interfaces, fanout, recorder, samples));
  }

  private void reconcile() {
    try {
      interfaces.reconcile();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "interface reconcile failed", e);
    }
  }

  private List<Integer> slotsInUse() {
    return interfaces.attached().stream().map(AttachedInterface::slot).distinct().toList();
  }

  static long uptimeMillis() {
    return (System.nanoTime() - START_NANOS) / 1_000_000;
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
    try {
      KernelReading kernel = loop.stopAndDrain(System.currentTimeMillis());
      accounting.readKernel(kernel);
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
    samples.close(); // the reader, then the PSAMP exporters deliver what they hold
    for (ExporterStats s : fanout.collectorStats()) {
      LOG.info("export to " + s.collector() + " (" + s.protocol() + ") at stop: " + s);
    }
    for (ExporterStats s : samples.psampStats()) {
      LOG.info("export to " + s.collector() + " (" + s.protocol() + ") at stop: " + s);
    }
    if (config.dataplane().keepAttached()) {
      interfaces.close();
    } else {
      interfaces.detachAll();
    }
    cache.close();
    batch.close();
    dataplane.close();
    if (!config.dataplane().keepAttached()) {
      dataplane.unpinAll();
    }
    allocator.close();
  }
}
