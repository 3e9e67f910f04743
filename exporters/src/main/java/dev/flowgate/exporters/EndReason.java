package dev.flowgate.exporters;

/** flowEndReason (IPFIX IE 136, RFC 5102 section 5.11.3): why a flow record was finished. */
public enum EndReason {
  /** 0x01: no packet for the idle timeout. */
  IDLE_TIMEOUT(1),
  /** 0x02: the flow lasted the active timeout; it goes on in a new record. */
  ACTIVE_TIMEOUT(2),
  /** 0x03: TCP FIN or RST seen. */
  END_OF_FLOW(3),
  /** 0x04: flowgate is stopping (shutdown export). */
  FORCED_END(4),
  /** 0x05: the flow cache was full and evicted this flow early. */
  LACK_OF_RESOURCES(5);

  private final int code;

  EndReason(int code) {
    this.code = code;
  }

  /** The IPFIX code point. */
  public int code() {
    return code;
  }

  /** The reason with this IPFIX code point. */
  public static EndReason ofCode(int code) {
    for (EndReason r : values()) {
      if (r.code == code) {
        return r;
      }
    }
    throw new IllegalArgumentException("no flowEndReason " + code);
  }
}
