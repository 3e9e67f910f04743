package dev.flowgate.exporters;

/**
 * An amount of flow records measured as what they count: the sum of their packet and byte counts
 * (packetDeltaCount, octetDeltaCount), not the records themselves nor the bytes of the messages
 * that carry them.
 */
public record Volume(long packets, long bytes) {

  /** Nothing. */
  public static final Volume ZERO = new Volume(0, 0);

  /** This plus {@code o}. */
  public Volume plus(Volume o) {
    return new Volume(packets + o.packets, bytes + o.bytes);
  }

  /** This minus {@code o}. */
  public Volume minus(Volume o) {
    return new Volume(packets - o.packets, bytes - o.bytes);
  }

  /** True if no packet and no byte. */
  public boolean isZero() {
    return packets == 0 && bytes == 0;
  }
}
