package dev.flowgate.controlplane.sweep;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A flow key for tests, in the kernel's terms: 16-byte addresses (IPv4-mapped for IPv4), ports,
 * protocol, ifindex, direction, VLAN, plus the ip version the kernel reports in flow_stats.
 */
public record TestFlowKey(
    byte[] src,
    byte[] dst,
    int srcPort,
    int dstPort,
    int protocol,
    int ifindex,
    int direction,
    int vlanId,
    int ipVersion) {

  public static final int TCP = 6;
  public static final int UDP = 17;
  public static final int ICMP = 1;
  public static final int ICMPV6 = 58;

  /** An IPv4 flow on ifindex 2, ingress, untagged. */
  public static TestFlowKey v4(String src, int srcPort, String dst, int dstPort, int protocol) {
    return new TestFlowKey(mapped(src), mapped(dst), srcPort, dstPort, protocol, 2, 0, 0, 4);
  }

  /** An IPv6 flow on ifindex 2, ingress, untagged. */
  public static TestFlowKey v6(String src, int srcPort, String dst, int dstPort, int protocol) {
    return new TestFlowKey(raw(src), raw(dst), srcPort, dstPort, protocol, 2, 0, 0, 6);
  }

  public TestFlowKey on(int ifindex, int direction) {
    return new TestFlowKey(
        src, dst, srcPort, dstPort, protocol, ifindex, direction, vlanId, ipVersion);
  }

  public TestFlowKey vlan(int id) {
    return new TestFlowKey(src, dst, srcPort, dstPort, protocol, ifindex, direction, id, ipVersion);
  }

  /** ::ffff:a.b.c.d */
  public static byte[] mapped(String v4) {
    byte[] a = raw(v4);
    byte[] m = new byte[16];
    m[10] = (byte) 0xFF;
    m[11] = (byte) 0xFF;
    System.arraycopy(a, 0, m, 12, 4);
    return m;
  }

  public static byte[] raw(String literal) {
    try {
      return InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TestFlowKey f
        && Arrays.equals(src, f.src)
        && Arrays.equals(dst, f.dst)
        && srcPort == f.srcPort
        && dstPort == f.dstPort
        && protocol == f.protocol
        && ifindex == f.ifindex
        && direction == f.direction
        && vlanId == f.vlanId
        && ipVersion == f.ipVersion;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(src) * 31
        + Arrays.hashCode(dst)
        + srcPort * 7
        + dstPort
        + ifindex
        + direction * 131
        + vlanId * 17
        + protocol;
  }

  @Override
  public String toString() {
    return Arrays.toString(src)
        + ":"
        + srcPort
        + ">"
        + Arrays.toString(dst)
        + ":"
        + dstPort
        + "/"
        + protocol
        + " if"
        + ifindex
        + "/"
        + direction
        + " vlan"
        + vlanId;
  }
}
