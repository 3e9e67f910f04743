package dev.flowgate.controlplane.cache;

/** Receives the packets and bytes the flow cache holds for one interface and direction. */
@FunctionalInterface
public interface HeldCountsVisitor {

  /**
   * @param ifindex the flow key's ifindex
   * @param direction 0 ingress, 1 egress
   * @param packets packets of the active flows of this interface and direction
   * @param bytes their bytes
   */
  void accept(int ifindex, int direction, long packets, long bytes);
}
