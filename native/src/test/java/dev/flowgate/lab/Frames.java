package dev.flowgate.lab;

import java.util.Random;

/**
 * Entry points and protocol numbers for crafted frames.
 *
 * <pre>{@code
 * Frame syn = Frames.ipv4("198.51.100.1", "203.0.113.7").dot1q(10).tcp(40000, 443, Frames.TCP_SYN).build();
 * Frame frag = Frames.ipv6("2001:db8::1", "2001:db8::2").hopByHop(8).fragment(1448, false).udp(5, 6).payload(100).build();
 * }</pre>
 */
public final class Frames {
  private Frames() {}

  /** EtherType IPv4 (IANA). */
  public static final int ETH_P_IP = 0x0800;

  /** EtherType ARP (IANA). */
  public static final int ETH_P_ARP = 0x0806;

  /** EtherType IPv6 (IANA). */
  public static final int ETH_P_IPV6 = 0x86dd;

  /** TPID of an 802.1Q customer tag. */
  public static final int ETH_P_8021Q = 0x8100;

  /** TPID of an 802.1ad service tag. */
  public static final int ETH_P_8021AD = 0x88a8;

  /** EtherType MPLS unicast (RFC 3032): a non-IP frame to the parser. */
  public static final int ETH_P_MPLS = 0x8847;

  /** IPv6 Hop-by-Hop Options (RFC 8200). */
  public static final int IPPROTO_HOPOPTS = 0;

  /** ICMP (RFC 792). */
  public static final int IPPROTO_ICMP = 1;

  /** TCP (RFC 9293). */
  public static final int IPPROTO_TCP = 6;

  /** UDP (RFC 768). */
  public static final int IPPROTO_UDP = 17;

  /** IPv6 Routing header (RFC 8200). */
  public static final int IPPROTO_ROUTING = 43;

  /** IPv6 Fragment header (RFC 8200). */
  public static final int IPPROTO_FRAGMENT = 44;

  /** GRE (RFC 2784). */
  public static final int IPPROTO_GRE = 47;

  /** ESP (RFC 4303). */
  public static final int IPPROTO_ESP = 50;

  /** Authentication Header (RFC 4302). */
  public static final int IPPROTO_AH = 51;

  /** ICMPv6 (RFC 4443). */
  public static final int IPPROTO_ICMPV6 = 58;

  /** IPv6 No Next Header (RFC 8200). */
  public static final int IPPROTO_NONE = 59;

  /** IPv6 Destination Options (RFC 8200). */
  public static final int IPPROTO_DSTOPTS = 60;

  /** SCTP (RFC 9260). */
  public static final int IPPROTO_SCTP = 132;

  /** TCP FIN. */
  public static final int TCP_FIN = 0x01;

  /** TCP SYN. */
  public static final int TCP_SYN = 0x02;

  /** TCP RST. */
  public static final int TCP_RST = 0x04;

  /** TCP PSH. */
  public static final int TCP_PSH = 0x08;

  /** TCP ACK. */
  public static final int TCP_ACK = 0x10;

  /** TCP URG. */
  public static final int TCP_URG = 0x20;

  /** An IPv4 packet from {@code src} to {@code dst} (dotted literals). */
  public static FrameBuilder ipv4(String src, String dst) {
    FrameBuilder b = new FrameBuilder(src, dst);
    if (!src.contains(".")) {
      throw new IllegalArgumentException("not an IPv4 literal: " + src);
    }
    return b;
  }

  /** An IPv6 packet from {@code src} to {@code dst}. */
  public static FrameBuilder ipv6(String src, String dst) {
    FrameBuilder b = new FrameBuilder(src, dst);
    if (!src.contains(":")) {
      throw new IllegalArgumentException("not an IPv6 literal: " + src);
    }
    return b;
  }

  /** A non-IP frame of EtherType {@code etherType}; its payload follows the (tags and) type. */
  public static FrameBuilder ethernet(int etherType) {
    return new FrameBuilder(etherType);
  }

  /** {@code length} random bytes: a frame that is garbage from the first byte. */
  public static byte[] garbage(Random random, int length) {
    byte[] b = new byte[length];
    random.nextBytes(b);
    return b;
  }
}
