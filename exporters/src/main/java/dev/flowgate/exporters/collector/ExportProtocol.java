package dev.flowgate.exporters.collector;

/** The export format a collector receives: the config key {@code protocol}. */
public enum ExportProtocol {
  /** IPFIX, RFC 7011/7012: UDP or TCP. */
  IPFIX("ipfix"),
  /** NetFlow version 9, RFC 3954: UDP. */
  NETFLOW_V9("netflow-v9"),
  /** NetFlow version 5 (IPv4 only, 32-bit counters): UDP. */
  NETFLOW_V5("netflow-v5");

  private final String label;

  ExportProtocol(String label) {
    this.label = label;
  }

  /** The word used in the config file and the API. */
  public String label() {
    return label;
  }
}
