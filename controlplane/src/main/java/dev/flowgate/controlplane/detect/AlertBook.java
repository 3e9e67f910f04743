package dev.flowgate.controlplane.detect;

import dev.flowgate.controlplane.config.AlertLevels;
import dev.flowgate.controlplane.config.Detector;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The alerts' lifecycle: one alert per target, direction and detector. An interval at or above a
 * threshold fires it (or keeps it firing: a flapping attack stays one alert); it resolves once its
 * rate stayed below its lowest threshold for the hold-down. The severity only rises while active (a
 * change is an {@link AlertEvent.Kind#UPDATED} event). Keeps the active alerts and the last {@link
 * #RESOLVED_KEPT} resolved ones.
 *
 * <p>Not thread-safe: its writer ({@link Detection}) holds one lock around every call; {@link
 * #snapshot()} and the counts are safe from any thread (copies published at the end of each sweep
 * and after each alert the watch raises between sweeps).
 */
public final class AlertBook {

  /** Resolved alerts kept for the API: 1,000. */
  public static final int RESOLVED_KEPT = 1000;

  private record Key(HostKey host, Detector type) {}

  private static final class Active {
    Alert alert;
    Long calmSince;
    boolean seen;
  }

  private final Map<Key, Active> active = new LinkedHashMap<>();
  private final ArrayDeque<Alert> resolved = new ArrayDeque<>();
  private final List<AlertEvent> events = new ArrayList<>();
  private final Map<Detector, Long> total = new EnumMap<>(Detector.class);
  private Duration holdDown;
  private long nextId = 1;
  private volatile List<Alert> snapshot = List.of();
  private volatile Map<Detector, Long> totalSnapshot = Map.of();

  public AlertBook(Duration holdDown) {
    this.holdDown = holdDown;
  }

  /** Changes the hold-down (a reload); applies to active alerts from the next sweep. */
  public void setHoldDown(Duration holdDown) {
    this.holdDown = holdDown;
  }

  /**
   * One interval's rate of one detector at one target.
   *
   * @param group the target's hostgroup
   * @param rate the interval's rate (detector's unit per second)
   * @param levels the thresholds that apply
   * @param intervalStartMs epoch ms the interval began
   * @param nowMs epoch ms now (its end)
   * @param sweep the sweep's number
   * @param fingerprint built only when the rate is above a threshold
   */
  public void observe(
      HostKey host,
      Detector type,
      String group,
      long rate,
      AlertLevels levels,
      long intervalStartMs,
      long nowMs,
      long sweep,
      Supplier<Fingerprint> fingerprint) {
    Key key = new Key(host, type);
    Active a = active.get(key);
    String severity =
        levels.critical() > 0 && rate >= levels.critical()
            ? "critical"
            : levels.warning() > 0 && rate >= levels.warning() ? "warning" : null;
    if (a == null) {
      if (severity == null) {
        return;
      }
      a = new Active();
      a.alert =
          new Alert(
              nextId++,
              type.label(),
              host.address(),
              host.directionLabel(),
              group,
              severity,
              Alert.FIRING,
              intervalStartMs,
              nowMs,
              null,
              rate,
              rate,
              threshold(levels, severity),
              type.unit().suffix(),
              sweep,
              fingerprint.get());
      a.seen = true;
      active.put(key, a);
      total.merge(type, 1L, Long::sum);
      events.add(new AlertEvent(AlertEvent.Kind.FIRED, a.alert));
      return;
    }
    a.seen = true;
    Alert was = a.alert;
    if (severity != null) {
      a.calmSince = null;
      boolean rises = severity.equals("critical") && was.severity().equals("warning");
      String sev = rises ? severity : was.severity();
      a.alert =
          new Alert(
              was.id(),
              was.type(),
              was.target(),
              was.direction(),
              group,
              sev,
              Alert.FIRING,
              was.startedAt(),
              was.detectedAt(),
              null,
              rate,
              Math.max(rate, was.peakRate()),
              threshold(levels, sev),
              was.unit(),
              was.detectedSweep(),
              fingerprint.get());
      if (rises) {
        events.add(new AlertEvent(AlertEvent.Kind.UPDATED, a.alert));
      }
      return;
    }
    if (a.calmSince == null) {
      a.calmSince = intervalStartMs;
    }
    if (nowMs - a.calmSince >= holdDown.toMillis()) {
      resolve(key, a, nowMs);
    }
  }

  /**
   * Ends a sweep: active alerts no host reading mentioned had a calm interval (rate 0), and the
   * copies for other threads are published.
   *
   * @return the events of this sweep, in order
   */
  public List<AlertEvent> endSweep(long intervalStartMs, long nowMs) {
    for (Iterator<Map.Entry<Key, Active>> it = active.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Key, Active> e = it.next();
      Active a = e.getValue();
      if (!a.seen) {
        if (a.calmSince == null) {
          a.calmSince = intervalStartMs;
        }
        if (nowMs - a.calmSince >= holdDown.toMillis()) {
          it.remove();
          finish(a, nowMs);
          continue;
        }
      }
      a.seen = false;
    }
    return publish();
  }

  /**
   * Publishes the copies for other threads and hands over the events since the last call, without
   * ending a sweep (the watch's alerts between sweeps).
   *
   * @return the events since the last call, in order
   */
  public List<AlertEvent> publish() {
    List<Alert> all = new ArrayList<>(active.size() + resolved.size());
    for (Active a : active.values()) {
      all.add(a.alert);
    }
    all.addAll(resolved);
    all.sort(Comparator.comparingLong(Alert::detectedAt).thenComparingLong(Alert::id).reversed());
    snapshot = List.copyOf(all);
    totalSnapshot = Map.copyOf(total);
    List<AlertEvent> out = List.copyOf(events);
    events.clear();
    return out;
  }

  /** Active alerts, then up to 1,000 resolved, newest (by detectedAt) first. */
  public List<Alert> snapshot() {
    return snapshot;
  }

  /** Alerts fired since start, per detector. */
  public Map<Detector, Long> totals() {
    return totalSnapshot;
  }

  /** Whether an alert of this type is active at this target. */
  public boolean active(HostKey host, Detector type) {
    return active.containsKey(new Key(host, type));
  }

  /** The active alerts' targets (to fingerprint them while they last). */
  public List<HostKey> activeTargets() {
    List<HostKey> out = new ArrayList<>();
    for (Key k : active.keySet()) {
      out.add(k.host());
    }
    return out;
  }

  private void resolve(Key key, Active a, long nowMs) {
    active.remove(key);
    finish(a, nowMs);
  }

  private void finish(Active a, long nowMs) {
    Alert w = a.alert;
    Alert done =
        new Alert(
            w.id(),
            w.type(),
            w.target(),
            w.direction(),
            w.hostgroup(),
            w.severity(),
            Alert.RESOLVED,
            w.startedAt(),
            w.detectedAt(),
            nowMs,
            w.rate(),
            w.peakRate(),
            w.threshold(),
            w.unit(),
            w.detectedSweep(),
            w.fingerprint());
    resolved.addFirst(done);
    while (resolved.size() > RESOLVED_KEPT) {
      resolved.removeLast();
    }
    events.add(new AlertEvent(AlertEvent.Kind.RESOLVED, done));
  }

  private static long threshold(AlertLevels levels, String severity) {
    return severity.equals("critical") ? levels.critical() : levels.warning();
  }
}
