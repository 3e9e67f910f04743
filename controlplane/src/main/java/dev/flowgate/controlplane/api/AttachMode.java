package dev.flowgate.controlplane.api;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;

/** How an interface entry asks to be counted; the config key {@code interfaces[].mode}. */
public enum AttachMode {
  /** Native XDP; falls back to TC ingress when the driver has none or another program is there. */
  XDP("xdp"),
  /** Generic (skb) XDP, only when asked for: it runs after GRO and sees merged packets. */
  XDP_GENERIC("xdp-generic"),
  /** TC (clsact) hooks. */
  TC("tc");

  private final String configName;

  AttachMode(String configName) {
    this.configName = configName;
  }

  /** The name used in the config and in JSON, e.g. {@code xdp-generic}. */
  @JsonValue
  public String configName() {
    return configName;
  }

  /** The mode with this config name, if any. */
  public static Optional<AttachMode> fromConfigName(String name) {
    for (AttachMode mode : values()) {
      if (mode.configName.equals(name)) {
        return Optional.of(mode);
      }
    }
    return Optional.empty();
  }
}
