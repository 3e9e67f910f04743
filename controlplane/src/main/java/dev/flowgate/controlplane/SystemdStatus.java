package dev.flowgate.controlplane;

import dev.flowgate.controlplane.sweep.SweepListener;
import dev.flowgate.controlplane.sweep.SweepResult;
import dev.flowgate.exporters.collector.ExporterStats;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * systemd's {@code STATUS=} after every sweep, with the watchdog's {@code WATCHDOG=1} in the same
 * message: "3 interfaces, 12,345 flows, 2 collectors ok, last sweep 0.8 ms", then the problems, if
 * any: "; collector udp:10.0.0.5:2055 failing since 12:01", "; restart required for
 * flows.max-flows". A collector is failing from the first sweep its send errors grew until a sweep
 * in which it sent without a new error.
 */
final class SystemdStatus implements SweepListener {
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  private final IntSupplier interfaces;
  private final Supplier<Map<String, ExporterStats>> collectors;
  private final Supplier<List<String>> restartRequired;
  private final Consumer<String> notify;
  private final Map<String, ExporterStats> previous = new HashMap<>();
  private final Map<String, Long> failingSince = new HashMap<>();

  /**
   * @param interfaces interfaces attached now
   * @param collectors each collector exporter's counters by its label, e.g. {@code
   *     udp:10.0.0.5:2055}, in config order
   * @param restartRequired keys the running config holds back until a restart
   * @param notify sends one sd_notify message
   */
  SystemdStatus(
      IntSupplier interfaces,
      Supplier<Map<String, ExporterStats>> collectors,
      Supplier<List<String>> restartRequired,
      Consumer<String> notify) {
    this.interfaces = interfaces;
    this.collectors = collectors;
    this.restartRequired = restartRequired;
    this.notify = notify;
  }

  @Override
  public void swept(SweepResult result) {
    notify.accept("WATCHDOG=1\nSTATUS=" + line(result));
  }

  /** The status line after this sweep (also updates which collectors are failing). */
  String line(SweepResult result) {
    Map<String, ExporterStats> now = collectors.get();
    int ok = 0;
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, ExporterStats> e : now.entrySet()) {
      ExporterStats s = e.getValue();
      ExporterStats before = previous.get(e.getKey());
      long errorsBefore = before == null ? 0 : before.sendErrors();
      long sentBefore = before == null ? 0 : before.messagesSent();
      if (s.sendErrors() > errorsBefore) {
        failingSince.putIfAbsent(e.getKey(), result.nowMs());
      } else if (s.messagesSent() > sentBefore) {
        failingSince.remove(e.getKey());
      }
      Long since = failingSince.get(e.getKey());
      if (since == null) {
        ok++;
      } else {
        problems.add(
            "collector "
                + e.getKey()
                + " failing since "
                + CLOCK.format(Instant.ofEpochMilli(since))
                + (s.lastError() == null ? "" : " (" + s.lastError() + ")"));
      }
    }
    previous.clear();
    previous.putAll(now);
    failingSince.keySet().retainAll(now.keySet());
    List<String> restart = restartRequired.get();
    if (!restart.isEmpty()) {
      problems.add("restart required for " + String.join(", ", restart));
    }
    int n = interfaces.getAsInt();
    int flows = result.cache().activeFlows();
    StringBuilder line = new StringBuilder();
    line.append(n)
        .append(n == 1 ? " interface, " : " interfaces, ")
        .append(String.format(Locale.ROOT, "%,d", flows))
        .append(flows == 1 ? " flow, " : " flows, ");
    if (now.isEmpty()) {
      line.append("no collectors");
    } else {
      line.append(ok).append(ok == 1 ? " collector ok" : " collectors ok");
    }
    line.append(
        String.format(Locale.ROOT, ", last sweep %.1f ms", result.durationNanos() / 1e6));
    for (String p : problems) {
      line.append("; ").append(p);
    }
    // one line: systemctl status shows STATUS= as is
    return line.toString().replace('\n', ' ');
  }
}
