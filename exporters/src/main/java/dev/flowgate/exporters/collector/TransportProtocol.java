package dev.flowgate.exporters.collector;

/** How messages travel to a collector: the config key {@code transport}. */
public enum TransportProtocol {
  /** One message per datagram; every protocol. */
  UDP("udp"),
  /** A stream of messages on one connection; IPFIX only. */
  TCP("tcp");

  private final String label;

  TransportProtocol(String label) {
    this.label = label;
  }

  /** The word used in the config file and the API. */
  public String label() {
    return label;
  }
}
