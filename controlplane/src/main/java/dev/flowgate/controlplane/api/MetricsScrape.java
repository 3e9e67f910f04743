package dev.flowgate.controlplane.api;

import java.util.Objects;

/**
 * One rendering of the metrics, as {@link MetricsEndpoint#fromScrape} serves it.
 *
 * @param contentType e.g. {@code text/plain; version=0.0.4; charset=utf-8}
 * @param body the exposition, in that format
 */
public record MetricsScrape(String contentType, byte[] body) {

  /** Checks for nulls. */
  public MetricsScrape {
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(body, "body");
  }
}
