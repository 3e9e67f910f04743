package dev.flowgate.exporters.collector;

/** How messages travel to a collector: the config key {@code transport}. */
public enum TransportProtocol {
  /** One message per datagram; every protocol. */
  UDP("udp"),
  /** A stream of messages on one connection; IPFIX only. */
  TCP("tcp");

  private final String configName;

  TransportProtocol(String configName) {
    this.configName = configName;
  }

  /** The name in the YAML config. */
  public String configName() {
    return configName;
  }

  /** The transport named {@code name} in the config; throws naming the accepted values. */
  public static TransportProtocol fromConfig(String name) {
    for (TransportProtocol t : values()) {
      if (t.configName.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("transport must be udp or tcp, not '" + name + "'");
  }
}
