package dev.flowgate.controlplane.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code alerts.sinks}: where alerts go besides the API.
 *
 * @param log each alert's firing, update and resolution as a log line
 * @param alertmanager a Prometheus Alertmanager (API v2), if any
 * @param webhook a JSON webhook, if any
 */
public record AlertSinksConfig(
    boolean log, Optional<Alertmanager> alertmanager, Optional<Webhook> webhook) {

  /** Default log: true. */
  public static final boolean DEFAULT_LOG = true;

  /** Only the log. */
  public static AlertSinksConfig defaults() {
    return new AlertSinksConfig(DEFAULT_LOG, Optional.empty(), Optional.empty());
  }

  /**
   * An Alertmanager: active alerts are posted to {@code url}/api/v2/alerts when they fire or change
   * and again every {@code resendInterval}; a resolved one once more with its endsAt.
   *
   * @param url the Alertmanager's base URL (http or https)
   * @param resendInterval how often active alerts are posted again
   */
  public record Alertmanager(URI url, Duration resendInterval) {
    /** Default resend-interval: 30s (Alertmanager's resolve_timeout is 5m). */
    public static final Duration DEFAULT_RESEND_INTERVAL = Duration.ofSeconds(30);

    /** Checks the URL and the interval. */
    public Alertmanager {
      httpUrl("url", url);
      Check.range("resend-interval", resendInterval, Duration.ofSeconds(1), Duration.ofMinutes(10));
    }
  }

  /**
   * A JSON webhook: each firing, update and resolution is POSTed to {@code url}; failures are
   * retried with backoff; at most {@code queueSize} events wait, the newest beyond that are dropped
   * and counted.
   *
   * @param url where to POST
   * @param queueSize events waiting at most
   * @param maxRetries retries of one event before it is dropped and counted
   */
  public record Webhook(URI url, int queueSize, int maxRetries) {
    /** Default queue-size: 1000 events. */
    public static final int DEFAULT_QUEUE_SIZE = 1000;

    /** Default max-retries: 5 (backoff 0.5 s doubling to 8 s). */
    public static final int DEFAULT_MAX_RETRIES = 5;

    /** Checks the URL and ranges. */
    public Webhook {
      httpUrl("url", url);
      Check.range("queue-size", queueSize, 1, 1_000_000);
      Check.range("max-retries", maxRetries, 0, 100);
    }
  }

  /**
   * Parses an http(s) URL with a host.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static URI parseUrl(String text) {
    URI u;
    try {
      u = new URI(text);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(
          ConfigNode.quote(text) + " is not a URL: " + e.getReason());
    }
    if (u.getScheme() == null
        || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
        || u.getHost() == null) {
      throw new IllegalArgumentException(
          ConfigNode.quote(text) + " is not an http or https URL with a host");
    }
    return u;
  }

  private static void httpUrl(String key, URI url) {
    if (url == null) {
      throw new InvalidSettingException(key, "is required");
    }
    try {
      parseUrl(url.toString());
    } catch (IllegalArgumentException e) {
      throw new InvalidSettingException(key, e.getMessage());
    }
  }
}
