package dev.flowgate.controlplane.api;

/**
 * A number of packets and their bytes (IP header and payload, IPFIX octetDeltaCount).
 *
 * @param packets packets
 * @param bytes bytes
 */
public record Counts(long packets, long bytes) {

  /** No packets, no bytes. */
  public static final Counts ZERO = new Counts(0, 0);
}
