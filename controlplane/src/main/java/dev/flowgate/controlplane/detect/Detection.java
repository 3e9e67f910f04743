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
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The detectors, a {@link SweepListener}, run once per sweep in three steps:
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
 * <p>Rates are the interval's counts over the time between two reads of the counters. The sweeper's
 * thread only; {@link #alerts()} and the metrics read published copies.
 */
public final class Detection implements SweepListener, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Detection.class.getName());

  private final HostCounters counters;
  private final AlertBook book;
  private final List<AlertSink> sinks;
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
   */
  public Detection(AlertsConfig config, BpfMap hosts, List<AlertSink> sinks) {
    this.counters = new HostCounters(hosts);
    this.book = new AlertBook(config.holdDown());
    this.sinks = List.copyOf(sinks);
    apply(config);
  }

  /** Takes new thresholds, groups, allow list and hold-down (a reload); sinks stay. */
  public void apply(AlertsConfig config) {
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
  public void beforeSweep(long sweep, long nowMs) {
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
  }

  /**
   * Evaluates and delivers.
   *
   * @param nowMs epoch ms (the sweep's end)
   */
  void afterDrain(long nowMs) {
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
    List<AlertEvent> events = book.endSweep(intervalStartMs, nowMs);
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
          () -> t == null ? new SourceTally.Tally().fingerprint(counts) : t.fingerprint(counts));
    }
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
    for (AlertSink s : sinks) {
      s.close();
    }
  }
}
