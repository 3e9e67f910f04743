package dev.flowgate.exporters.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** One flow row for tests, in FlowSchema terms (addresses as text, ICMP type/code in dstPort). */
public record TestFlow(
    String src,
    String dst,
    int srcPort,
    int dstPort,
    int protocol,
    int tos,
    int tcpFlags,
    long packets,
    long bytes,
    long startMillis,
    long endMillis,
    long ifindex,
    int direction,
    int vlanId,
    int endReason,
    long ingressInterface,
    long egressInterface,
    String nextHop,
    int forwardingStatus,
    long srcMac,
    long dstMac) {

  /**
   * A flow without gateway fields: the observed interface is the ingress or egress one by
   * direction, the other 0; no next hop, forwarding status 0, no MACs.
   */
  public TestFlow(
      String src,
      String dst,
      int srcPort,
      int dstPort,
      int protocol,
      int tos,
      int tcpFlags,
      long packets,
      long bytes,
      long startMillis,
      long endMillis,
      long ifindex,
      int direction,
      int vlanId,
      int endReason) {
    this(
        src,
        dst,
        srcPort,
        dstPort,
        protocol,
        tos,
        tcpFlags,
        packets,
        bytes,
        startMillis,
        endMillis,
        ifindex,
        direction,
        vlanId,
        endReason,
        direction == 0 ? ifindex : 0,
        direction == 1 ? ifindex : 0,
        null,
        0,
        0,
        0);
  }

  public static final int TCP = 6;
  public static final int UDP = 17;
  public static final int ICMP = 1;
  public static final int ICMPV6 = 58;

  /** A TCP/UDP flow with plain defaults (ingress on ifindex 3, no VLAN, end reason idle). */
  public static TestFlow of(
      String src, String dst, int sport, int dport, int proto, long packets, long bytes) {
    return new TestFlow(
        src,
        dst,
        sport,
        dport,
        proto,
        0,
        0,
        packets,
        bytes,
        1_700_000_000_000L,
        1_700_000_001_000L,
        3,
        0,
        0,
        1);
  }

  /** True for an IPv4 flow. */
  public boolean ipv4() {
    return address(src).length == 4;
  }

  /** ICMP type of an ICMP flow. */
  public int icmpType() {
    return dstPort >> 8;
  }

  /** ICMP code of an ICMP flow. */
  public int icmpCode() {
    return dstPort & 0xFF;
  }

  public boolean icmp() {
    return protocol == ICMP || protocol == ICMPV6;
  }

  public TestFlow withTimes(long start, long end) {
    return with(tos, tcpFlags, start, end, ifindex, direction, vlanId, endReason);
  }

  public TestFlow withFlags(int flags) {
    return with(tos, flags, startMillis, endMillis, ifindex, direction, vlanId, endReason);
  }

  public TestFlow withVlan(int vlan) {
    return with(tos, tcpFlags, startMillis, endMillis, ifindex, direction, vlan, endReason);
  }

  public TestFlow withInterface(long ifx, int dir) {
    return with(tos, tcpFlags, startMillis, endMillis, ifx, dir, vlanId, endReason);
  }

  public TestFlow withTos(int t) {
    return with(t, tcpFlags, startMillis, endMillis, ifindex, direction, vlanId, endReason);
  }

  public TestFlow withEndReason(int r) {
    return with(tos, tcpFlags, startMillis, endMillis, ifindex, direction, vlanId, r);
  }

  /** This flow with the gateway fields: both interfaces, next hop (null: none), status. */
  public TestFlow withGateway(long ingress, long egress, String hop, int status) {
    return new TestFlow(
        src,
        dst,
        srcPort,
        dstPort,
        protocol,
        tos,
        tcpFlags,
        packets,
        bytes,
        startMillis,
        endMillis,
        ifindex,
        direction,
        vlanId,
        endReason,
        ingress,
        egress,
        hop,
        status,
        srcMac,
        dstMac);
  }

  /** This flow with MAC addresses (48-bit numbers). */
  public TestFlow withMacs(long srcMacAddress, long dstMacAddress) {
    return new TestFlow(
        src,
        dst,
        srcPort,
        dstPort,
        protocol,
        tos,
        tcpFlags,
        packets,
        bytes,
        startMillis,
        endMillis,
        ifindex,
        direction,
        vlanId,
        endReason,
        ingressInterface,
        egressInterface,
        nextHop,
        forwardingStatus,
        srcMacAddress,
        dstMacAddress);
  }

  /** This flow's addresses, ports, protocol and counters with the other fields given. */
  private TestFlow with(
      int newTos,
      int newTcpFlags,
      long newStartMillis,
      long newEndMillis,
      long newIfindex,
      int newDirection,
      int newVlanId,
      int newEndReason) {
    if (newIfindex != ifindex || newDirection != direction) {
      return new TestFlow(
          src,
          dst,
          srcPort,
          dstPort,
          protocol,
          newTos,
          newTcpFlags,
          packets,
          bytes,
          newStartMillis,
          newEndMillis,
          newIfindex,
          newDirection,
          newVlanId,
          newEndReason);
    }
    return new TestFlow(
        src,
        dst,
        srcPort,
        dstPort,
        protocol,
        newTos,
        newTcpFlags,
        packets,
        bytes,
        newStartMillis,
        newEndMillis,
        ifindex,
        direction,
        newVlanId,
        newEndReason,
        ingressInterface,
        egressInterface,
        nextHop,
        forwardingStatus,
        srcMac,
        dstMac);
  }

  /** The address as 4 or 16 bytes. */
  public static byte[] address(String text) {
    try {
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  /** 16 bytes, IPv4 as ::ffff:a.b.c.d. */
  public static byte[] mapped(String text) {
    byte[] a = address(text);
    if (a.length == 16) {
      return a;
    }
    byte[] m = new byte[16];
    m[10] = (byte) 0xff;
    m[11] = (byte) 0xff;
    System.arraycopy(a, 0, m, 12, 4);
    return m;
  }
}
