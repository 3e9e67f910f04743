package dev.flowgate.controlplane;

import dev.flowgate.bpf.BpfMap;
import dev.flowgate.bpf.Bpffs;
import dev.flowgate.bpf.FlowTable;
import dev.flowgate.controlplane.accounting.Accounting;
import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.cache.FlowCacheOptions;
import dev.flowgate.controlplane.config.CollectorConfig;
import dev.flowgate.controlplane.config.FlowgateConfig;
import dev.flowgate.controlplane.dataplane.Dataplane;
import dev.flowgate.controlplane.dataplane.KernelCounters;
import dev.flowgate.controlplane.dataplane.KernelReading;
import dev.flowgate.controlplane.dataplane.MemoryBudget;
import dev.flowgate.controlplane.dataplane.OlderSchemaPins;
import dev.flowgate.controlplane.dataplane.VlanDevices;
import dev.flowgate.controlplane.detect.AlertSinks;
import dev.flowgate.controlplane.detect.Detection;
import dev.flowgate.controlplane.detect.SampledTraffic;
import dev.flowgate.controlplane.fanout.ExportFanout;
import dev.flowgate.controlplane.iface.AttachedInterface;
import dev.flowgate.controlplane.iface.InterfaceManager;
import dev.flowgate.controlplane.iface.InterfaceOverlay;
import dev.flowgate.controlplane.iface.SlotTable;
import dev.flowgate.controlplane.journal.CrashJournal;
import dev.flowgate.controlplane.journal.ExportGate;
import dev.flowgate.controlplane.journal.JournaledExport;
import dev.flowgate.controlplane.journal.ReplayOutcome;
import dev.flowgate.controlplane.logging.LossLog;
import dev.flowgate.controlplane.metrics.MetricsSource;
import dev.flowgate.controlplane.metrics.SweepRecorder;
import dev.flowgate.controlplane.samples.PacketSamples;
import dev.flowgate.controlplane.sweep.IntervalBatchBuilder;
import dev.flowgate.controlplane.sweep.SweepListener;
import dev.flowgate.controlplane.sweep.SweepLoop;
import dev.flowgate.controlplane.sweep.SweepResult;
import dev.flowgate.controlplane.sweep.Sweeper;
import dev.flowgate.controlplane.sweep.SweeperOptions;
import dev.flowgate.exporters.FlowSink;
import dev.flowgate.exporters.collector.ExporterStats;
import dev.flowgate.netlink.LinkTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger LOG = LoggerFactory.getLogger(FlowgateService.class);
  private static final long START_NANOS = System.nanoTime();

  /** The config the service started with: what the restart-only keys keep until a restart. */
  private final FlowgateConfig config;

  /** The config file's content as last loaded (start or reload). */
  private volatile FlowgateConfig current;

  /** Under the state directory: the Arrow IPC streams of {@code /api/v1/flows.arrow} as sent. */
  static final String ARROW_FILES = "flows-arrow";

  private final Sweeper sweeper;
  private final BufferAllocator allocator;
  private final Dataplane dataplane;
  private final KernelCounters counters;
  private final Accounting accounting = new Accounting();
  private final LinkTable links;
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
  private final Detection detection;
  private final SampledTraffic sampled;
  private final PacketSamples samples;
  private volatile ReplayOutcome replayed;
  private final Optional<OlderSchemaPins> olderPins;

  FlowgateService(FlowgateConfig config) {
    this.config = config;
    this.current = config;
    try {
      Files.createDirectories(config.stateDirectory());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create state directory " + config.stateDirectory(), e);
    }
    InterfaceOverlay overlay = InterfaceOverlay.load(config.stateDirectory());
    deleteArrowFiles(config.stateDirectory().resolve(ARROW_FILES));
    // pins need a bpffs: mounted here by root outside systemd, else refused with what to do
    Bpffs.ensure(config.dataplane().pinPath())
        .ifPresent(at -> LOG.info("mounted a bpffs on " + at + " for the pins"));
    this.allocator = new RootAllocator();
    this.dataplane =
        Dataplane.load(
            config.dataplane().pinPath(),
            config.flows().maxFlows(),
            config.dataplane().snapLength());
    // pins of the schema before this build's: their links move to the new programs, their
    // counts wait for the start's first merge
    this.olderPins = OlderSchemaPins.takeOver(config.dataplane().pinPath(), dataplane);
    this.counters = new KernelCounters(dataplane);
    this.links = LinkTable.open();
    // before any attach: a tagged flow's first packet finds its VLAN device
    VlanDevices.follow(dataplane.vlanDevices(), links);
    this.interfaces =
        new InterfaceManager(dataplane, new SlotTable(config.stateDirectory()), links);
    this.samples =
        new PacketSamples(
            dataplane,
            counters,
            interfaces,
            config.dataplane().snapLength(),
            PacketSamples.CAPTURE_QUEUE_SAMPLES);
    SinkFactory.psamp(config, samples::selectors).forEach(samples::export);
    this.fanout = new ExportFanout(SinkFactory.create(config, allocator, links::names), accounting);
    fanout.removedSinkTimeout(config.export().removedCollectorTimeout());
    for (FlowSink left : LeftBehindSpools.find(config, fanout.sinks(), links::names)) {
      fanout.retire(left, "left in its spool by a collector no longer in the config");
    }
    this.gate = new ExportGate((JournaledExport) fanout);
    this.journal = CrashJournal.open(config.stateDirectory().resolve("journal"), false);
    journal.announceSweepsTo(gate);
    this.cache =
        new FlowCache(
            allocator.newChildAllocator("flow-cache", 0, Long.MAX_VALUE),
            new FlowCacheOptions()
                .capacity(MemoryBudget.cacheCapacity(config.flows().maxFlows()))
                .idleTimeout(config.flows().idleTimeout())
                .activeTimeout(config.flows().activeTimeout()),
            gate);
    journal.recordTimeoutsOf(cache);
    this.chunk = Math.min(SweeperOptions.DEFAULT_CHUNK_ENTRIES, config.flows().maxFlows());
    this.batch =
        new IntervalBatchBuilder(
            allocator.newChildAllocator("interval", 0, Long.MAX_VALUE),
            Math.min(chunk, IntervalBatchBuilder.FIRST_ROWS));
    this.sweeper =
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
    // recorded even with metrics.enabled: false, so a reload can turn /metrics on
    this.recorder =
        new SweepRecorder(
            dataplane.flowCapacity(),
            ifindex ->
                interfaces
                    .byIfindex(ifindex)
                    .map(AttachedInterface::name)
                    .orElse("ifindex-" + ifindex));
    loop.subscribe(recorder);
    loop.subscribe(fanout);
    loop.subscribe(new LossLog(counters));
    dataplane.putAmplificationPorts(config.alerts().amplificationPorts());
    this.sampled = new SampledTraffic(samples.reader());
    this.detection =
        new Detection(
            config.alerts(),
            dataplane.hosts(),
            AlertSinks.create(config.alerts().sinks()),
            sampled);
    loop.subscribe(detection);
    loop.subscribe(samples);
  }

  /**
   * Attaches, runs the start-up protocol, starts the sweeps; interfaces are re-matched whenever
   * rtnetlink reports a change (hot-plug, removal, rename).
   */
  void start() {
    start(true);
  }

  /**
   * {@link #start()}, with the sweeps on their schedule ({@code flows.sweep-interval}) or, for the
   * sweep benchmark, only when {@link #sweepNow()} asks.
   */
  void start(boolean scheduledSweeps) {
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
            chunk,
            olderPins);
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
    sampled.start();
    samples.start();
    if (scheduledSweeps) {
      loop.start(config.flows().sweepInterval().toMillis());
    }
    detection.start(config.flows().sweepInterval().toMillis());
    links.addListener(t -> loop.execute(this::reconcile));
  }

  /** One sweep now, as the schedule runs it (the sweep benchmark: {@code start(false)}). */
  SweepResult sweepNow() {
    return loop.sweepNow();
  }

  /** The kernel flow table the sweeps drain (the sweep benchmark fills it). */
  FlowTable flowTable() {
    return dataplane.flowTable();
  }

  /** The programs' per-CPU totals (the sweep benchmark counts what it writes into the table). */
  BpfMap kernelTotals() {
    return dataplane.totals();
  }

  /** Adds a consumer of every sweep from now on (e.g. the systemd watchdog). */
  void subscribe(SweepListener listener) {
    loop.subscribe(listener);
  }

  /**
   * Applies a freshly loaded (valid) config file: interface entries (with their sampling; the API's
   * changes stay on top), flow timeouts, export collectors and Arrow files (an unchanged collector
   * keeps its exporter; a new or changed one starts a new one, so a new template stream; a removed
   * one sends what it queued and closes) and keep-attached. Runs on the sweeper thread, between
   * sweeps. The API's settings (token, TLS certificate, metrics) are the daemon's to apply.
   *
   * @return the keys whose new value needs a restart (they keep the value the service started
   *     with): see {@link RestartKeys}
   */
  List<String> reload(FlowgateConfig fresh) {
    edits.reload(fresh.interfaces());
    loop.call(
        () -> {
          cache.timeouts(
              fresh.flows().idleTimeout().toMillis(), fresh.flows().activeTimeout().toMillis());
          fanout.removedSinkTimeout(fresh.export().removedCollectorTimeout());
          if (!fresh.export().equals(current.export())) {
            fanout.replaceSinks(
                SinkFactory.update(
                    current.export(),
                    fanout.sinks(),
                    fresh.export(),
                    allocator,
                    links::names,
                    SinkFactory.spools(config),
                    fanout::retiringSink));
          }
          dataplane.putAmplificationPorts(fresh.alerts().amplificationPorts());
          detection.apply(fresh.alerts()); // thresholds, groups, allow list; sinks: restart
          // logging.level: the daemon applies it
          current = fresh;
          return null;
        });
    return restartRequired();
  }

  /** Keys whose value in the file loaded last needs a restart to take effect (empty: none). */
  List<String> restartRequired() {
    return RestartKeys.changed(config, current);
  }

  /**
   * Ends every cached flow now (forcedEnd) and hands them to the sinks: the stop's finish-all,
   * journaled the same way, without stopping.
   *
   * @return the flows ended
   */
  long flush() {
    return loop.call(
        () -> {
          int n = cache.activeFlows();
          long finishing = journal.finishing();
          cache.finishAll();
          journal.exported(finishing);
          accounting.publish(cache);
          return (long) n;
        });
  }

  /** Interface entries: SIGHUP's reload and the API's changes. */
  InterfaceEdits edits() {
    return edits;
  }

  /**
   * Each collector exporter's counters by its label ({@code transport:host:port}, e.g. {@code
   * udp:10.0.0.5:2055}), in config order. Call on the sweeper thread (a reload changes both).
   */
  Map<String, ExporterStats> collectors() {
    Map<String, ExporterStats> out = new LinkedHashMap<>();
    List<ExporterStats> stats = fanout.collectorStats();
    List<CollectorConfig> configured = current.export().ipfix();
    for (int i = 0; i < stats.size() && i < configured.size(); i++) {
      CollectorConfig c = configured.get(i);
      out.put(c.transport().label() + ":" + c.collector(), stats.get(i));
    }
    return out;
  }

  /** Interfaces attached now. */
  List<AttachedInterface> attached() {
    return interfaces.attached();
  }

  /** The HTTP API's view (after {@link #start()}: it reports the start's journal replay). */
  FlowgateBackend backend() {
    return new FlowgateBackend(
        this,
        loop,
        cache,
        interfaces,
        edits,
        accounting,
        fanout,
        new JournalView(gate, journal, replayed),
        dataplane.flowCapacity(),
        detection,
        samples,
        current.stateDirectory().resolve(ARROW_FILES));
  }

  /**
   * Deletes what a request for {@code /api/v1/flows.arrow} left in {@code dir} (a stop while the
   * file was being sent).
   */
  private static void deleteArrowFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (var files = Files.newDirectoryStream(dir, "interval-*.arrows")) {
      for (Path f : files) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      LOG.warn("cannot empty " + dir + ": " + e);
    }
  }

  /** The metrics' view (served when {@code metrics.enabled}; a reload may turn it on or off). */
  MetricsSource metrics() {
    return new FlowgateMetricsSource(accounting, interfaces, fanout, recorder, detection, samples);
  }

  private void reconcile() {
    try {
      interfaces.reconcile();
    } catch (RuntimeException e) {
      LOG.warn("interface reconcile failed", e);
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
    links.close(); // no more re-matching queued behind the last sweep
    try {
      KernelReading kernel = loop.stopAndDrain(System.currentTimeMillis());
      accounting.readKernel(kernel);
      long finishing = journal.finishing();
      cache.finishAll();
      journal.exported(finishing);
      accounting.publish(cache);
    } catch (RuntimeException e) {
      LOG.error("last drain failed", e);
    }
    fanout.close();
    detection.close();
    sampled.close();
    journal.checkpoint(cache); // the cache is empty and everything went out: an empty journal
    journal.close();
    samples.close(); // the reader, then the PSAMP exporters deliver what they hold
    for (ExporterStats s : fanout.collectorStats()) {
      LOG.info("export to " + s.collector() + " (" + s.protocol() + ") at stop: " + s);
    }
    for (ExporterStats s : samples.psampStats()) {
      LOG.info("export to " + s.collector() + " (" + s.protocol() + ") at stop: " + s);
    }
    boolean keepAttached = current.dataplane().keepAttached();
    if (keepAttached) {
      interfaces.close();
    } else {
      interfaces.detachAll();
    }
    cache.close();
    sweeper.close();
    batch.close();
    dataplane.close();
    if (!keepAttached) {
      dataplane.unpinAll();
    }
    allocator.close();
  }
}
