package dev.flowgate.netlink;

/**
 * Link types ({@code ARPHRD_*} of {@code linux/if_arp.h}) and what the dataplane parses on each: an
 * Ethernet header, or the IP header from the first byte.
 */
public final class LinkType {
  private LinkType() {}

  /** ARPHRD_ETHER (1): Ethernet, veth, bridges, bonds. */
  public static final int ETHER = 1;

  /** ARPHRD_PPP (512): PPP, PPPoE sessions. */
  public static final int PPP = 512;

  /** ARPHRD_TUNNEL (768): IPIP. */
  public static final int TUNNEL = 768;

  /** ARPHRD_TUNNEL6 (769): IP6IP6, ip6tnl. */
  public static final int TUNNEL6 = 769;

  /** ARPHRD_SIT (776): IPv6-in-IPv4. */
  public static final int SIT = 776;

  /** ARPHRD_IPGRE (778): GRE over IPv4 (not gretap, which is Ethernet). */
  public static final int IPGRE = 778;

  /** ARPHRD_IP6GRE (823): GRE over IPv6 (not ip6gretap). */
  public static final int IP6GRE = 823;

  /** ARPHRD_LOOPBACK (772): lo (an Ethernet-shaped header of zeros). */
  public static final int LOOPBACK = 772;

  /** ARPHRD_RAWIP (519): raw IP, e.g. cellular modems (rmnet, qmi_wwan). */
  public static final int RAWIP = 519;

  /** ARPHRD_NONE (0xFFFE): no header at all: WireGuard, tun (IFF_TUN). */
  public static final int NONE = 0xFFFE;

  /** True when frames of this type start with the IP header (the version nibble says which). */
  public static boolean carriesRawIp(int type) {
    return switch (type) {
      case PPP, TUNNEL, TUNNEL6, SIT, IPGRE, IP6GRE, RAWIP, NONE -> true;
      default -> false;
    };
  }

  /** A short name for logs and the API: {@code ether}, {@code none}, {@code ppp}, or the number. */
  public static String label(int type) {
    return switch (type) {
      case ETHER -> "ether";
      case PPP -> "ppp";
      case TUNNEL -> "ipip";
      case TUNNEL6 -> "ip6tnl";
      case SIT -> "sit";
      case IPGRE -> "gre";
      case IP6GRE -> "ip6gre";
      case LOOPBACK -> "loopback";
      case RAWIP -> "rawip";
      case NONE -> "none";
      default -> Integer.toString(type);
    };
  }
}
