package dev.flowgate.controlplane.config;

import dev.flowgate.controlplane.api.ApiServerOptions;

/**
 * The {@code metrics:} section.
 *
 * @param enabled serve Prometheus metrics at {@code /metrics} on the API listener
 * @param open {@code public}: {@code /metrics} needs no token even when the API listens beyond
 *     loopback (default {@link ApiServerOptions#DEFAULT_METRICS_PUBLIC})
 */
public record MetricsConfig(boolean enabled, boolean open) {

  /** Default enabled: true, /metrics is served. */
  public static final boolean DEFAULT_ENABLED = true;

  /** Every default. */
  public static MetricsConfig defaults() {
    return new MetricsConfig(DEFAULT_ENABLED, ApiServerOptions.DEFAULT_METRICS_PUBLIC);
  }
}
