package dev.flowgate.controlplane.metrics;

/**
 * The counts of one interface and direction as of the last sweep: the kernel's totals and the three
 * terms of the accounting invariant ({@code packets = exported + cached + unaccounted}).
 *
 * @param interfaceName the interface
 * @param direction {@code ingress} or {@code egress}
 * @param packets IP packets the kernel counted (this run)
 * @param bytes their bytes (IP header + payload)
 * @param otherPackets non-IP or broken IP packets, counted apart from flows
 * @param otherBytes their bytes
 * @param exportedPackets packets of flows finished and handed to the sinks
 * @param exportedBytes their bytes
 * @param cachedPackets packets of flows still in the flow cache
 * @param cachedBytes their bytes
 */
public record InterfaceTraffic(
    String interfaceName,
    String direction,
    long packets,
    long bytes,
    long otherPackets,
    long otherBytes,
    long exportedPackets,
    long exportedBytes,
    long cachedPackets,
    long cachedBytes) {

  /** The accounting invariant's third term: what the kernel could not place in the flow map. */
  public long unaccountedPackets() {
    return packets - exportedPackets - cachedPackets;
  }

  /** Bytes of {@link #unaccountedPackets()}. */
  public long unaccountedBytes() {
    return bytes - exportedBytes - cachedBytes;
  }
}
