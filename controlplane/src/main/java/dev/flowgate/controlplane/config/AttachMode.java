package dev.flowgate.controlplane.config;

import com.fasterxml.jackson.annotation.JsonValue;

/** How a program counts ingress on an interface. */
public enum AttachMode {
  /**
   * Native XDP in the driver; falls back to TC ingress when another program holds XDP or the driver
   * has none.
   */
  XDP("xdp"),

  /** Generic XDP (after GRO, so merged packets); only when asked for. */
  XDP_GENERIC("xdp-generic"),

  /** TC ingress. */
  TC("tc");

  private final String label;

  AttachMode(String label) {
    this.label = label;
  }

  /** The word used in the config file and the API. */
  @JsonValue
  public String label() {
    return label;
  }

  /** The constant whose {@link #label()} is {@code label}, or null if none. */
  public static AttachMode fromLabel(String label) {
    for (AttachMode v : values()) {
      if (v.label.equals(label)) {
        return v;
      }
    }
    return null;
  }
}
