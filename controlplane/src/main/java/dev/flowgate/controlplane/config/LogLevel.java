package dev.flowgate.controlplane.config;

/** How much flowgate logs: {@code logging.level} and {@code run --log-level}. */
public enum LogLevel {
  /** Failures only (syslog priority 3). */
  ERROR("error"),

  /** Failures, and what an operator should look at: fallbacks, absent interfaces, losses (4). */
  WARN("warn"),

  /** Also starts, stops, attaches and reloads (6): the default. */
  INFO("info"),

  /** Also what helps to debug (7). */
  DEBUG("debug"),

  /** Everything, libraries' chatter included (7). */
  TRACE("trace");

  private final String label;

  LogLevel(String label) {
    this.label = label;
  }

  /** The word used in the config file and on the command line. */
  public String label() {
    return label;
  }

  /** The constant whose {@link #label()} is {@code label}, or null if none. */
  public static LogLevel fromLabel(String label) {
    for (LogLevel v : values()) {
      if (v.label.equals(label)) {
        return v;
      }
    }
    return null;
  }
}
