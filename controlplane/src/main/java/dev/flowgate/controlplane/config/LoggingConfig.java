package dev.flowgate.controlplane.config;

import java.util.Objects;

/**
 * The {@code logging:} section. The format is not configured: with {@code JOURNAL_STREAM} set
 * (systemd's journal), each line starts with its syslog priority and carries no timestamp; else
 * lines start with an ISO-8601 timestamp.
 *
 * @param level the least severe level logged; reloaded on SIGHUP; {@code run --log-level} wins
 */
public record LoggingConfig(LogLevel level) {

  /** Default level: info (starts, stops, attaches, and every warning and error). */
  public static final LogLevel DEFAULT_LEVEL = LogLevel.INFO;

  /** Checks for null. */
  public LoggingConfig {
    Objects.requireNonNull(level, "level");
  }

  /** Every default. */
  public static LoggingConfig defaults() {
    return new LoggingConfig(DEFAULT_LEVEL);
  }
}
