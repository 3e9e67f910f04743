package dev.flowgate.controlplane.detect;

import dev.flowgate.controlplane.config.AlertSinksConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * POSTs every alert event as JSON ({@link AlertJson#event}) to a URL, in order, from its own
 * thread. A failed POST (no connection, or a status other than 2xx) is retried after 0.5 s, then 1,
 * 2, 4, 8 s (at most {@code max-retries} times), then dropped; at most {@code queue-size} events
 * wait, and an event that finds the queue full is dropped. Every outcome is counted.
 */
public final class WebhookAlertSink implements AlertSink {
  private static final Logger LOG = Logger.getLogger(WebhookAlertSink.class.getName());

  /** First retry delay: 500 ms, doubling up to {@link #MAX_BACKOFF}. */
  static final Duration FIRST_BACKOFF = Duration.ofMillis(500);

  /** Longest retry delay: 8 s. */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(8);

  private final URI url;
  private final int maxRetries;
  private final BlockingQueue<AlertEvent> queue;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final DeliveryStats stats = new DeliveryStats();
  private final Thread thread;
  private volatile boolean closed;

  public WebhookAlertSink(AlertSinksConfig.Webhook config) {
    this.url = config.url();
    this.maxRetries = config.maxRetries();
    this.queue = new ArrayBlockingQueue<>(config.queueSize());
    this.thread = new Thread(this::run, "flowgate-alert-webhook");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public String name() {
    return "webhook";
  }

  @Override
  public void sweep(List<AlertEvent> events, List<Alert> active, long nowMs) {
    for (AlertEvent e : events) {
      if (!queue.offer(e)) {
        stats.countDropped();
      }
    }
  }

  /** Events waiting to be sent. */
  public int queued() {
    return queue.size();
  }

  private void run() {
    while (!closed) {
      AlertEvent e;
      try {
        e = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException ie) {
        return;
      }
      if (e != null) {
        deliver(e);
      }
    }
  }

  private void deliver(AlertEvent e) {
    String body = AlertJson.event(e);
    Duration backoff = FIRST_BACKOFF;
    for (int attempt = 0; ; attempt++) {
      String failure = post(body);
      if (failure == null) {
        stats.countDelivered();
        return;
      }
      stats.countFailed();
      if (attempt >= maxRetries || closed) {
        stats.countDropped();
        LOG.log(
            Level.WARNING,
            "alert webhook "
                + url
                + ": dropped "
                + e.kind().label()
                + " of alert "
                + e.alert().id()
                + " after "
                + (attempt + 1)
                + " tries: "
                + failure);
        return;
      }
      stats.countRetried();
      try {
        Thread.sleep(backoff.toMillis());
      } catch (InterruptedException ie) {
        stats.countDropped();
        return;
      }
      backoff =
          backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
              ? MAX_BACKOFF
              : backoff.multipliedBy(2);
    }
  }

  /** POSTs once; null when the receiver took it, else why not. */
  private String post(String body) {
    try {
      HttpResponse<Void> r =
          http.send(
              HttpRequest.newBuilder(url)
                  .timeout(Duration.ofSeconds(5))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() / 100 == 2 ? null : "HTTP " + r.statusCode();
    } catch (IOException ex) {
      return ex.toString();
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  @Override
  public DeliveryStats stats() {
    return stats;
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    AlertEvent left;
    while ((left = queue.poll()) != null) {
      stats.countDropped();
    }
  }
}
