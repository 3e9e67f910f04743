package dev.flowgate.lab;

/**
 * The gateway shape of LAB.md: a client namespace, a router, a server namespace, a veth pair
 * between each, forwarding on in the router. The router is the host namespace, because the programs
 * must be attached from the test JVM (which stays in the host's namespaces, with bpffs): forwarding
 * is switched on only on the router's two veths (per-interface sysctls), and routing is confined to
 * them by policy rules ({@code iif <veth> lookup <own table>}) to a table holding only the server
 * prefixes and a blackhole default, so nothing sent in the lab ever leaves it.
 *
 * <p>Silent by construction, so every packet counted is one a test sent: the client and server ends
 * have IPv6 disabled and no IPv4 address (they send nothing by themselves; the server drops what it
 * receives without a reply, as a host with forwarding off does); the router's veths have no
 * addresses at all (addr_gen_mode none: no link-local, no DAD, no router solicitation); the next
 * hops are permanent neighbours (no ARP or ND). What remains is the kernel's MLD reports of the
 * router's veths for the multicast groups of a forwarding interface (ICMPv6 from {@code ::}); tests
 * that count the router's egress account for those by key ({@link #isRouterChatter}).
 *
 * <p>Addresses (documentation ranges): client side 198.51.100.0/24 and 2001:db8:c::/64, server side
 * 203.0.113.0/24 and 2001:db8:5::/64. A frame from the client must carry the router's client-side
 * MAC ({@link #clientFrameMacs()}).
 */
public final class GatewayLab {
  /** Client-side IPv4 prefix (TEST-NET-2). */
  public static final String CLIENT_V4_PREFIX = "198.51.100.";

  /** Server-side IPv4 prefix (TEST-NET-3), routed to the server. */
  public static final String SERVER_V4_PREFIX = "203.0.113.";

  /** Client-side IPv6 prefix. */
  public static final String CLIENT_V6_PREFIX = "2001:db8:c::";

  /** Server-side IPv6 prefix, routed to the server. */
  public static final String SERVER_V6_PREFIX = "2001:db8:5::";

  private static final String SERVER_V4_NEXT_HOP = "203.0.113.254";
  private static final String SERVER_V6_NEXT_HOP = "fe80::5";

  private final Netns client;
  private final Netns server;
  private final VethPair clientLink;
  private final VethPair serverLink;
  private final int table;

  private GatewayLab(Lab lab) {
    client = lab.netns();
    server = lab.netns();
    clientLink = lab.veth(Netns.HOST, client);
    serverLink = lab.veth(Netns.HOST, server);
    for (VethPair.End end : new VethPair.End[] {clientLink.b(), serverLink.b()}) {
      end.conf("ipv6", "disable_ipv6", "1").up();
    }
    // a queue on the client's end: when the router's XDP ring is full the kernel holds frames
    // there (backpressure) instead of dropping them
    clientLink
        .b()
        .netns()
        .check(
            "tc",
            "qdisc",
            "replace",
            "dev",
            clientLink.b().name(),
            "root",
            "pfifo",
            "limit",
            "100000");
    for (VethPair.End end : new VethPair.End[] {clientLink.a(), serverLink.a()}) {
      end.conf("ipv6", "addr_gen_mode", "1")
          .conf("ipv6", "accept_ra", "0")
          .conf("ipv6", "accept_dad", "0")
          .conf("ipv6", "force_forwarding", "1")
          .conf("ipv4", "forwarding", "1")
          .conf("ipv4", "rp_filter", "0")
          .conf("ipv4", "send_redirects", "0")
          .up();
    }
    table = 1_000_000 + clientLink.a().ifindex();
    String rs = serverLink.a().name();
    String t = String.valueOf(table);
    String serverMac = serverLink.b().mac().toString();
    Netns.HOST.check(
        "ip",
        "neigh",
        "replace",
        SERVER_V4_NEXT_HOP,
        "lladdr",
        serverMac,
        "dev",
        rs,
        "nud",
        "permanent");
    Netns.HOST.check(
        "ip",
        "-6",
        "neigh",
        "replace",
        SERVER_V6_NEXT_HOP,
        "lladdr",
        serverMac,
        "dev",
        rs,
        "nud",
        "permanent");
    Netns.HOST.check(
        "ip",
        "route",
        "add",
        SERVER_V4_PREFIX + "0/24",
        "via",
        SERVER_V4_NEXT_HOP,
        "dev",
        rs,
        "onlink",
        "table",
        t);
    Netns.HOST.check(
        "ip",
        "-6",
        "route",
        "add",
        SERVER_V6_PREFIX + "/64",
        "via",
        SERVER_V6_NEXT_HOP,
        "dev",
        rs,
        "table",
        t);
    Netns.HOST.check("ip", "route", "add", "blackhole", "default", "table", t);
    Netns.HOST.check("ip", "-6", "route", "add", "blackhole", "default", "table", t);
    lab.onClose(
        "routing table " + t,
        () -> {
          Netns.HOST.run("ip", "route", "flush", "table", t);
          Netns.HOST.run("ip", "-6", "route", "flush", "table", t);
        });
    for (String iif : new String[] {clientLink.a().name(), rs}) {
      for (String family : new String[] {"-4", "-6"}) {
        Netns.HOST.check("ip", family, "rule", "add", "iif", iif, "lookup", t);
        lab.onClose(
            "rule " + family + " iif " + iif,
            () -> Netns.HOST.check("ip", family, "rule", "del", "iif", iif, "lookup", t));
      }
    }
  }

  /** Builds the gateway inside {@code lab}; everything goes when the lab closes. */
  public static GatewayLab create(Lab lab) {
    return new GatewayLab(lab);
  }

  /** The client namespace. */
  public Netns client() {
    return client;
  }

  /** The server namespace. */
  public Netns server() {
    return server;
  }

  /** The router, i.e. the host namespace (see the class comment). */
  public Netns router() {
    return Netns.HOST;
  }

  /** The client's interface, whose peer is {@link #routerClientSide()}. */
  public VethPair.End clientEnd() {
    return clientLink.b();
  }

  /** The router's interface towards the client (packets from the client arrive here). */
  public VethPair.End routerClientSide() {
    return clientLink.a();
  }

  /** The router's interface towards the server (forwarded packets leave here). */
  public VethPair.End routerServerSide() {
    return serverLink.a();
  }

  /** The server's interface, whose peer is {@link #routerServerSide()}. */
  public VethPair.End serverEnd() {
    return serverLink.b();
  }

  /** Source and destination MAC of a frame the client sends to the router. */
  public MacAddress[] clientFrameMacs() {
    return new MacAddress[] {clientLink.b().mac(), clientLink.a().mac()};
  }

  /** Source and destination MAC of a frame the server sends to the router. */
  public MacAddress[] serverFrameMacs() {
    return new MacAddress[] {serverLink.b().mac(), serverLink.a().mac()};
  }

  /** The policy routing table of this lab. */
  public int routingTable() {
    return table;
  }

  /**
   * Whether a flow is the router's own chatter rather than lab traffic: ICMPv6 (58) sent from the
   * unspecified address or a link-local one (MLD reports, neighbour discovery).
   */
  public static boolean isRouterChatter(String src, int protocol) {
    return protocol == 58
        && (src.equals("::") || src.equals("0:0:0:0:0:0:0:0") || src.startsWith("fe80:"));
  }
}
