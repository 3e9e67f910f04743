package dev.flowgate.controlplane.config;

import com.fasterxml.jackson.annotation.JsonValue;

/** Which directions of an interface are counted (egress is always counted at TC). */
public enum Direction {
  /** Packets the interface receives. */
  INGRESS("ingress"),

  /** Packets the interface sends. */
  EGRESS("egress"),

  /** Both; on a gateway, both on two interfaces counts a forwarded packet twice. */
  BOTH("both");

  private final String label;

  Direction(String label) {
    this.label = label;
  }

  /** The word used in the config file and the API. */
  @JsonValue
  public String label() {
    return label;
  }

  /** The constant whose {@link #label()} is {@code label}, or null if none. */
  public static Direction fromLabel(String label) {
    for (Direction v : values()) {
      if (v.label.equals(label)) {
        return v;
      }
    }
    return null;
  }
}
