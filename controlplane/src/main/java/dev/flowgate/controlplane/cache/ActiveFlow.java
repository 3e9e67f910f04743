package dev.flowgate.controlplane.cache;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A copy of one active flow's current record, as {@link FlowCache#top} returns it (a handful per
 * API call; the cache itself holds no per-flow objects).
 *
 * @param srcAddr 16 bytes, IPv4-mapped for IPv4
 * @param dstAddr 16 bytes, IPv4-mapped for IPv4
 * @param srcPort sourceTransportPort
 * @param dstPort destinationTransportPort, or ICMP type &lt;&lt; 8 | code
 * @param protocol protocolIdentifier
 * @param ipVersion 4 or 6
 * @param ifindex interface index
 * @param direction 0 ingress, 1 egress
 * @param vlanId outer VLAN id, 0 if untagged
 * @param tos ipClassOfService of the record's first packet
 * @param tcpFlags OR of the record's TCP flags
 * @param packets packets in the record so far
 * @param bytes bytes in the record so far
 * @param startMs epoch ms of the record's first packet
 * @param lastMs epoch ms of its latest packet
 * @param ingressInterface where the flow entered (0 unknown)
 * @param egressInterface where it leaves (0: not forwarded or unknown)
 * @param nextHop 16 bytes, IPv4-mapped for IPv4; all zero when none is known
 * @param forwardingStatus RFC 7270 code, 0 unknown
 * @param srcMac the first packet's source MAC as a 48-bit number, 0 if not recorded
 * @param dstMac the first packet's destination MAC, 0 if not recorded
 */
public record ActiveFlow(
    byte[] srcAddr,
    byte[] dstAddr,
    int srcPort,
    int dstPort,
    int protocol,
    int ipVersion,
    int ifindex,
    int direction,
    int vlanId,
    int tos,
    int tcpFlags,
    long packets,
    long bytes,
    long startMs,
    long lastMs,
    int ingressInterface,
    int egressInterface,
    byte[] nextHop,
    int forwardingStatus,
    long srcMac,
    long dstMac) {

  /** The source address (an {@code Inet4Address} for IPv4-mapped addresses). */
  public InetAddress source() {
    return address(srcAddr);
  }

  /** The destination address (an {@code Inet4Address} for IPv4-mapped addresses). */
  public InetAddress destination() {
    return address(dstAddr);
  }

  /** The next hop, or empty when none is known. */
  public java.util.Optional<InetAddress> nextHopAddress() {
    for (byte b : nextHop) {
      if (b != 0) {
        return java.util.Optional.of(address(nextHop));
      }
    }
    return java.util.Optional.empty();
  }

  private static InetAddress address(byte[] a) {
    try {
      return InetAddress.getByAddress(a);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // 16 bytes are always an address
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ActiveFlow f
        && Arrays.equals(srcAddr, f.srcAddr)
        && Arrays.equals(dstAddr, f.dstAddr)
        && srcPort == f.srcPort
        && dstPort == f.dstPort
        && protocol == f.protocol
        && ipVersion == f.ipVersion
        && ifindex == f.ifindex
        && direction == f.direction
        && vlanId == f.vlanId
        && tos == f.tos
        && tcpFlags == f.tcpFlags
        && packets == f.packets
        && bytes == f.bytes
        && startMs == f.startMs
        && lastMs == f.lastMs;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(srcAddr) + Arrays.hashCode(dstAddr))
        + Long.hashCode(bytes)
        + srcPort;
  }

  @Override
  public String toString() {
    return source().getHostAddress()
        + ":"
        + srcPort
        + " > "
        + destination().getHostAddress()
        + ":"
        + dstPort
        + " proto "
        + protocol
        + " if "
        + ifindex
        + "/"
        + direction
        + " vlan "
        + vlanId
        + " pkts "
        + packets
        + " bytes "
        + bytes;
  }
}
