package dev.flowgate.controlplane.config;

/** The transport to a collector. */
public enum ExportTransport {
  /** UDP datagrams, one message each. */
  UDP("udp"),

  /** A TCP stream (IPFIX only, RFC 7011 section 10.4). */
  TCP("tcp");

  private final String label;

  ExportTransport(String label) {
    this.label = label;
  }

  /** The word used in the config file and the API. */
  public String label() {
    return label;
  }

  /** The constant whose {@link #label()} is {@code label}, or null if none. */
  public static ExportTransport fromLabel(String label) {
    for (ExportTransport v : values()) {
      if (v.label.equals(label)) {
        return v;
      }
    }
    return null;
  }
}
