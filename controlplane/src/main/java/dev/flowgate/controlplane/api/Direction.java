package dev.flowgate.controlplane.api;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;

/**
 * Which way packets are counted: the config key {@code interfaces[].direction}, and the direction
 * of a flow or an accounting row (never {@link #BOTH} there).
 */
public enum Direction {
  /** Received packets. */
  INGRESS("ingress"),
  /** Transmitted packets (always TC). */
  EGRESS("egress"),
  /** Both ways; an entry only. */
  BOTH("both");

  private final String configName;

  Direction(String configName) {
    this.configName = configName;
  }

  /** The name used in the config and in JSON, e.g. {@code ingress}. */
  @JsonValue
  public String configName() {
    return configName;
  }

  /** The direction with this config name, if any. */
  public static Optional<Direction> fromConfigName(String name) {
    for (Direction direction : values()) {
      if (direction.configName.equals(name)) {
        return Optional.of(direction);
      }
    }
    return Optional.empty();
  }
}
