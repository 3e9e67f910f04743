package dev.flowgate.controlplane.config;

/** The flow record protocol spoken to a collector. */
public enum ExportProtocol {
  /** IPFIX, RFC 7011. */
  IPFIX("ipfix"),

  /** NetFlow version 9, RFC 3954. */
  NETFLOW_V9("netflow-v9"),

  /** NetFlow version 5 (fixed IPv4 records; IPv6 flows are not exported). */
  NETFLOW_V5("netflow-v5");

  private final String label;

  ExportProtocol(String label) {
    this.label = label;
  }

  /** The word used in the config file and the API. */
  public String label() {
    return label;
  }

  /** The constant whose {@link #label()} is {@code label}, or null if none. */
  public static ExportProtocol fromLabel(String label) {
    for (ExportProtocol v : values()) {
      if (v.label.equals(label)) {
        return v;
      }
    }
    return null;
  }
}
