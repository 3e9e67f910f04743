package dev.flowgate.exporters.collector;

/** The export format a collector receives: the config key {@code protocol}. */
public enum ExportProtocol {
  /** IPFIX, RFC 7011/7012: UDP or TCP. */
  IPFIX("ipfix"),
  /** NetFlow version 9, RFC 3954: UDP. */
  NETFLOW_V9("netflow-v9"),
  /** NetFlow version 5 (IPv4 only, 32-bit counters): UDP. */
  NETFLOW_V5("netflow-v5");

  private final String configName;

  ExportProtocol(String configName) {
    this.configName = configName;
  }

  /** The name in the YAML config. */
  public String configName() {
    return configName;
  }

  /** The protocol named {@code name} in the config; throws naming the accepted values. */
  public static ExportProtocol fromConfig(String name) {
    for (ExportProtocol p : values()) {
      if (p.configName.equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "protocol must be ipfix, netflow-v9 or netflow-v5, not '" + name + "'");
  }
}
