package dev.flowgate.controlplane.detect;

import dev.flowgate.bpf.BpfMap;
import dev.flowgate.controlplane.config.AlertLevels;
import dev.flowgate.controlplane.config.AlertsConfig;
import dev.flowgate.controlplane.config.Detector;
import dev.flowgate.controlplane.sweep.SweepListener;
import dev.flowgate.controlplane.sweep.SweepResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The detectors: a watch that rates every host over a sliding window several times per sweep
 * interval and raises alerts at once, and a {@link SweepListener} that runs once per sweep in three
 * steps:
 *
 * <ol>
 *   <li>{@link #beforeDrain} (before the flow table is swapped and drained, which can take long
 *       under a flood): read the kernel's per-host counters ({@link HostCounters}) and pick the
 *       hosts that reach a threshold, or have an active alert;
 *   <li>{@link #rows} hears the drained interval's rows and tallies the sources sending to those
 *       hosts ({@link SourceTally});
 *   <li>{@link #afterDrain} compares each host's rates (less what allow-listed sources sent) with
 *       its hostgroup's thresholds, runs the alerts' lifecycle ({@link AlertBook}) and hands the
 *       sweep's events to the sinks.
 * </ol>
 *
 * <p>The watch ({@link #start}, thread {@code flowgate-detect}) reads the same counters {@link
 * #READS_PER_INTERVAL} times per sweep interval on its own thread (a sweep's drain never delays
 * it) and keeps the last interval's worth of reads ({@link HostWindow}): a host whose count over
 * that window, divided by the window's actual elapsed time, reaches a threshold fires at that read,
 * with the counters' fingerprint; the sweeps then update it with the flows' (and samples') and run
 * its lifecycle. A flood at twice a threshold fills half a window, so it fires within about half an
 * interval plus one read of its first packet, instead of at the end of the first sweep interval
 * that holds enough of it (up to 1.5 intervals plus the drain). <b>Decision:</b> with an allow
 * list, the allowed share of a host's traffic is known only from the drained flows, so the watch
 * raises nothing and the sweep decides, as before: the allow list is never overruled for speed.
 *
 * <p>Rates at the sweep are the interval's counts over the time between two reads of the counters.
 * The sweep's steps and the watch's alerts hold this object's lock; {@link #alerts()} and the
 * metrics read published copies.
 */
public final class Detection implements SweepListener, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Detection.class.getName());

  /** Reads of the counters per sweep interval by the watch (its window spans this many): 4. */
  public static final int READS_PER_INTERVAL = 4;

  private final HostCounters counters;
  private final HostCounters watchCounters;
  private final HostWindow window = new HostWindow(READS_PER_INTERVAL);
  private ScheduledExecutorService watch;
  private long sweepsDone;
  private final AlertBook book;
  private final List<AlertSink> sinks;
  private final SampledTraffic samples;
  private volatile AlertsConfig config;
  private Hostgroups groups;
  private SourceTally tally;
  private List<HostCounters.Delta> deltas = List.of();
  private Map<HostKey, Hostgroups.Group> suspects = Map.of();
  private long intervalStartMs;
  private long readNs;
  private long sweep;

  /**
   * @param hosts the kernel's fg_hosts map
   * @param sinks where events go (the log, Alertmanager, a webhook)
   * @param samples the packet samples, for the fingerprints (null: none)
   */
  public Detection(
      AlertsConfig config, BpfMap hosts, List<AlertSink> sinks, SampledTraffic samples) {
    this.samples = samples;
    this.counters = new HostCounters(hosts);
    this.watchCounters = new HostCounters(hosts);
    this.book = new AlertBook(config.holdDown());
    this.sinks = List.copyOf(sinks);
    apply(config);
  }

  /**
   * Starts the watch: reads the per-host counters {@link #READS_PER_INTERVAL} times per sweep
   * interval, on a thread of its own.
   */
  public synchronized void start(long sweepIntervalMs) {
    if (watch != null) {
      throw new IllegalStateException("the watch runs already");
    }
    long every = Math.max(1, sweepIntervalMs / READS_PER_INTERVAL);
    watch =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "flowgate-detect");
              t.setDaemon(true);
              return t;
            });
    watch.scheduleAtFixedRate(this::watchOnce, every, every, TimeUnit.MILLISECONDS);
  }

  /** One read of the watch: the window moves on, and what reaches a threshold fires. */
  void watchOnce() {
    try {
      List<HostCounters.Delta> d = watchCounters.read(System.nanoTime());
      if (watchCounters.intervalNs() == 0) {
        return; // the baseline read
      }
      window.add(watchCounters.intervalNs(), d);
      if (window.complete()) {
        watched(window.counts(), window.elapsedNs() / 1e9, System.currentTimeMillis());
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "the detectors' watch failed a read", e);
    }
  }

  /**
   * Fires the alerts a window's counts reach and hands them to the sinks at once. Alerts already
   * active are left to the sweeps (they update and resolve them); nothing fires with an allow list.
   *
   * @param counts per host, its counts over the window
   * @param seconds the window's elapsed time
   * @param nowMs epoch ms of the read
   */
  synchronized void watched(Map<HostKey, long[]> counts, double seconds, long nowMs) {
    if (!config.allow().isEmpty() || seconds <= 0) {
      return;
    }
    long startMs = nowMs - Math.round(seconds * 1000);
    boolean fired = false;
    for (Map.Entry<HostKey, long[]> h : counts.entrySet()) {
      HostKey key = h.getKey();
      long[] c = h.getValue();
      Hostgroups.Group g = null;
      for (Detector det : Detector.values()) {
        if (book.active(key, det)) {
          continue;
        }
        if (g == null) {
          g = groups.of(key.hi(), key.lo());
        }
        AlertLevels l = g.levels().get(det);
        if (l == null || !l.enabled()) {
          continue;
        }
        long rate = rate(det, c, seconds);
        if (rate < l.lowest()) {
          continue;
        }
        long[] copy = c.clone();
        fired = true;
        book.observe(
            key,
            det,
            g.name(),
            rate,
            l,
            startMs,
            nowMs,
            sweepsDone + 1,
            () -> sampled(new SourceTally.Tally().fingerprint(copy), key, startMs));
      }
    }
    if (fired) {
      deliver(book.publish(), nowMs);
    }
  }

  /** Takes new thresholds, groups, allow list and hold-down (a reload); sinks stay. */
  public synchronized void apply(AlertsConfig config) {
    this.config = config;
    this.groups = new Hostgroups(config);
    this.tally = new SourceTally(config.allow(), config.amplificationPorts());
    book.setHoldDown(config.holdDown());
  }

  /** The settings in use. */
  public AlertsConfig config() {
    return config;
  }

  /**
   * Step 1: reads the per-host counters.
   *
   * @param sweep this sweep's number
   * @param nowMs epoch ms of the read
   */
  @Override
  public synchronized void beforeSweep(long sweep, long nowMs) {
    this.sweep = sweep;
    long ns = System.nanoTime();
    long prevNs = readNs;
    deltas = counters.read(ns);
    readNs = ns;
    intervalStartMs = nowMs - (counters.intervalNs() / 1_000_000);
    double seconds = counters.intervalNs() / 1e9;
    Map<HostKey, Hostgroups.Group> s = new HashMap<>();
    if (prevNs != 0 && seconds > 0) {
      for (HostCounters.Delta d : deltas) {
        Hostgroups.Group g = groups.of(d.key().hi(), d.key().lo());
        for (Map.Entry<Detector, AlertLevels> e : g.levels().entrySet()) {
          AlertLevels l = e.getValue();
          if (l.enabled() && rate(e.getKey(), d.counts(), seconds) >= l.lowest()) {
            s.put(d.key(), g);
            break;
          }
        }
      }
    }
    for (HostKey k : book.activeTargets()) {
      s.computeIfAbsent(k, key -> groups.of(key.hi(), key.lo()));
    }
    suspects = s;
    tally.begin(s.keySet());
  }

  /** Step 2: rows of the drained interval. */
  @Override
  public void drained(VectorSchemaRoot batch, int from, int count) {
    tally.add(batch, from, count);
  }

  /** Step 3: evaluates and delivers, at the sweep's end. */
  @Override
  public void swept(SweepResult result) {
    afterDrain(System.currentTimeMillis());
    synchronized (this) {
      sweepsDone = result.sweep();
    }
  }

  /**
   * Evaluates and delivers.
   *
   * @param nowMs epoch ms (the sweep's end)
   */
  synchronized void afterDrain(long nowMs) {
    double seconds = counters.intervalNs() / 1e9;
    if (seconds > 0) {
      Set<HostKey> seen = new HashSet<>();
      for (HostCounters.Delta d : deltas) {
        Hostgroups.Group g = suspects.get(d.key());
        if (g == null) {
          continue;
        }
        seen.add(d.key());
        evaluate(d.key(), g, d.counts(), seconds, nowMs);
      }
      for (Map.Entry<HostKey, Hostgroups.Group> e : suspects.entrySet()) {
        if (!seen.contains(e.getKey())) {
          evaluate(e.getKey(), e.getValue(), new long[HostCounters.COUNTERS], seconds, nowMs);
        }
      }
    }
    deliver(book.endSweep(intervalStartMs, nowMs), nowMs);
  }

  /** Hands events (and the alerts firing now) to every sink. */
  private void deliver(List<AlertEvent> events, long nowMs) {
    List<Alert> active = new ArrayList<>();
    for (Alert a : book.snapshot()) {
      if (a.firing()) {
        active.add(a);
      }
    }
    for (AlertSink sink : sinks) {
      try {
        sink.sweep(events, active, nowMs);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "alert sink " + sink.name() + " failed", e);
      }
    }
  }

  private void evaluate(
      HostKey key, Hostgroups.Group g, long[] counts, double seconds, long nowMs) {
    SourceTally.Tally t = tally.of(key);
    long[] net = counts;
    if (t != null && !config.allow().isEmpty()) {
      net = new long[HostCounters.COUNTERS];
      for (int i = 0; i < net.length; i++) {
        net[i] = Math.max(0, counts[i] - t.allowed[i]);
      }
    }
    long[] c = net;
    for (Map.Entry<Detector, AlertLevels> e : g.levels().entrySet()) {
      if (!e.getValue().enabled()) {
        continue;
      }
      long rate = rate(e.getKey(), c, seconds);
      book.observe(
          key,
          e.getKey(),
          g.name(),
          rate,
          e.getValue(),
          intervalStartMs,
          nowMs,
          sweep,
          () ->
              sampled(
                  t == null ? new SourceTally.Tally().fingerprint(counts) : t.fingerprint(counts),
                  key,
                  intervalStartMs));
    }
  }

  /** The fingerprint with what the samples towards {@code key} since {@code sinceMs} show. */
  private Fingerprint sampled(Fingerprint f, HostKey key, long sinceMs) {
    return samples == null ? f : f.withSamples(samples.fingerprint(key, sinceMs));
  }

  /** A detector's rate per second from one interval's counts. */
  static long rate(Detector d, long[] c, double seconds) {
    long n =
        switch (d) {
          case SYN_FLOOD -> c[HostCounters.SYN];
          case UDP_FLOOD -> c[HostCounters.UDP];
          case ICMP_FLOOD -> c[HostCounters.ICMP];
          case AMPLIFICATION -> c[HostCounters.AMP];
          case PPS -> c[HostCounters.PACKETS];
          case BPS -> c[HostCounters.BYTES] * 8;
          case FLOWS -> c[HostCounters.FLOWS];
        };
    return Math.round(n / seconds);
  }

  /** Active alerts and the last 1,000 resolved, newest first. */
  public List<Alert> alerts() {
    return book.snapshot();
  }

  /** Alerts fired since start, per detector. */
  public Map<Detector, Long> totals() {
    return book.totals();
  }

  /** The sinks, for their delivery counters. */
  public List<AlertSink> sinks() {
    return sinks;
  }

  /** Hosts the kernel's map held at the last read. */
  public int hostsTracked() {
    return counters.hosts();
  }

  @Override
  public void close() {
    ScheduledExecutorService w;
    synchronized (this) {
      w = watch;
    }
    if (w != null) {
      w.shutdown();
      try {
        w.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (AlertSink s : sinks) {
      s.close();
    }
  }
}
