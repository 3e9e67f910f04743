package dev.flowgate.controlplane.config;

/**
 * The {@code metrics:} section.
 *
 * @param enabled serve Prometheus metrics at {@code /metrics} on the API listener
 */
public record MetricsConfig(boolean enabled) {

  /** Default enabled: true, /metrics is served. */
  public static final boolean DEFAULT_ENABLED = true;

  /** Every default. */
  public static MetricsConfig defaults() {
    return new MetricsConfig(DEFAULT_ENABLED);
  }
}
