package dev.flowgate.controlplane.detect;

import dev.flowgate.controlplane.config.AlertSinksConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Posts alerts to a Prometheus Alertmanager ({@code POST /api/v2/alerts}): at every sweep with a
 * change, and every {@code resend-interval} while any alert is active (Alertmanager forgets an
 * alert not re-sent before its endsAt). Active alerts go with {@code endsAt} three resend intervals
 * ahead; a resolved one once more with {@code endsAt} = its resolution. Labels: {@code alertname}
 * (the type), {@code target}, {@code direction}, {@code hostgroup}, {@code severity}; a rise in
 * severity ends the old label set. A failed post is retried at the next sweep (all current alerts
 * and pending resolutions go again); every post's outcome is counted.
 */
public final class AlertmanagerSink implements AlertSink {
  private static final Logger LOG = Logger.getLogger(AlertmanagerSink.class.getName());

  private final URI endpoint;
  private final Duration resend;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "flowgate-alertmanager");
            t.setDaemon(true);
            return t;
          });
  private final DeliveryStats stats = new DeliveryStats();
  private final List<Map<String, Object>> pendingEnds = new ArrayList<>();
  private final Map<Long, Map<String, String>> labelsSent = new HashMap<>();
  private long lastPostMs = Long.MIN_VALUE / 2;
  private volatile boolean failedLast;

  public AlertmanagerSink(AlertSinksConfig.Alertmanager config) {
    String base = config.url().toString();
    this.endpoint = URI.create((base.endsWith("/") ? base : base + "/") + "api/v2/alerts");
    this.resend = config.resendInterval();
  }

  @Override
  public String name() {
    return "alertmanager";
  }

  @Override
  public void sweep(List<AlertEvent> events, List<Alert> active, long nowMs) {
    for (AlertEvent e : events) {
      Alert a = e.alert();
      Map<String, String> before = labelsSent.get(a.id());
      if (e.kind() == AlertEvent.Kind.RESOLVED) {
        labelsSent.remove(a.id());
        pendingEnds.add(body(labels(a), a, a.resolvedAt()));
        if (before != null && !before.equals(labels(a))) {
          pendingEnds.add(body(before, a, a.resolvedAt()));
        }
      } else if (before != null && !before.equals(labels(a))) {
        pendingEnds.add(body(before, a, nowMs)); // the severity rose: end the old label set
      }
    }
    boolean due = nowMs - lastPostMs >= resend.toMillis();
    if (events.isEmpty() && !due && !failedLast) {
      return;
    }
    if (active.isEmpty() && pendingEnds.isEmpty()) {
      return;
    }
    List<Map<String, Object>> payload = new ArrayList<>(pendingEnds);
    long endsAt = nowMs + 3 * resend.toMillis();
    for (Alert a : active) {
      Map<String, String> l = labels(a);
      labelsSent.put(a.id(), l);
      payload.add(body(l, a, endsAt));
    }
    pendingEnds.clear();
    lastPostMs = nowMs;
    String json = AlertJson.write(payload);
    try {
      thread.execute(() -> post(json));
    } catch (RejectedExecutionException closed) {
      stats.countDropped();
    }
  }

  private static Map<String, String> labels(Alert a) {
    Map<String, String> l = new LinkedHashMap<>();
    l.put("alertname", a.type());
    l.put("target", a.target());
    l.put("direction", a.direction());
    l.put("hostgroup", a.hostgroup());
    l.put("severity", a.severity());
    l.put("source", "flowgate");
    return l;
  }

  private static Map<String, Object> body(Map<String, String> labels, Alert a, long endsAt) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("labels", labels);
    Map<String, String> ann = new LinkedHashMap<>();
    ann.put(
        "summary",
        a.type()
            + " at "
            + a.target()
            + ": "
            + a.rate()
            + a.unit()
            + " (threshold "
            + a.threshold()
            + a.unit()
            + ")");
    ann.put("rate", Long.toString(a.rate()));
    ann.put("peak_rate", Long.toString(a.peakRate()));
    ann.put("threshold", Long.toString(a.threshold()));
    ann.put("alert_id", Long.toString(a.id()));
    m.put("annotations", ann);
    m.put("startsAt", AlertJson.time(a.startedAt()));
    m.put("endsAt", AlertJson.time(endsAt));
    return m;
  }

  private void post(String json) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(endpoint)
                  .timeout(Duration.ofSeconds(5))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(json))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 == 2) {
        stats.countDelivered();
        failedLast = false;
        return;
      }
      fail("HTTP " + r.statusCode() + ": " + r.body());
    } catch (IOException e) {
      fail(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted");
    }
  }

  private void fail(String why) {
    stats.countFailed();
    stats.countRetried(); // the next sweep posts the current alerts again
    failedLast = true;
    LOG.log(Level.WARNING, "alertmanager " + endpoint + ": post failed: " + why);
  }

  @Override
  public DeliveryStats stats() {
    return stats;
  }

  @Override
  public void close() {
    thread.shutdown();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
