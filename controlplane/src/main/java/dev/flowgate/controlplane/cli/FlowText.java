package dev.flowgate.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Map;

/**
 * How the CLI shows a flow ({@code FlowRow} JSON): addresses with ports, the protocol by name, and
 * ICMP's type and code by name instead of the port they travel in (IPFIX puts ICMP {@code type << 8
 * | code} in destinationTransportPort).
 */
final class FlowText {
  private FlowText() {}

  private static final Map<Integer, String> PROTOCOLS =
      Map.of(1, "icmp", 6, "tcp", 17, "udp", 58, "icmpv6", 47, "gre", 50, "esp", 132, "sctp");

  // IANA ICMP type numbers (RFC 792 and successors)
  private static final Map<Integer, String> ICMP4 =
      Map.ofEntries(
          Map.entry(0, "echo-reply"),
          Map.entry(3, "dest-unreach"),
          Map.entry(4, "source-quench"),
          Map.entry(5, "redirect"),
          Map.entry(8, "echo-request"),
          Map.entry(9, "router-advert"),
          Map.entry(10, "router-solicit"),
          Map.entry(11, "time-exceeded"),
          Map.entry(12, "parameter-problem"),
          Map.entry(13, "timestamp"),
          Map.entry(14, "timestamp-reply"));

  // RFC 792 codes of destination unreachable
  private static final Map<Integer, String> UNREACH4 =
      Map.ofEntries(
          Map.entry(0, "net-unreach"),
          Map.entry(1, "host-unreach"),
          Map.entry(2, "proto-unreach"),
          Map.entry(3, "port-unreach"),
          Map.entry(4, "frag-needed"),
          Map.entry(5, "source-route-failed"),
          Map.entry(9, "net-prohibited"),
          Map.entry(10, "host-prohibited"),
          Map.entry(13, "admin-prohibited"));

  // IANA ICMPv6 type numbers (RFC 4443, RFC 4861)
  private static final Map<Integer, String> ICMP6 =
      Map.ofEntries(
          Map.entry(1, "dest-unreach"),
          Map.entry(2, "packet-too-big"),
          Map.entry(3, "time-exceeded"),
          Map.entry(4, "parameter-problem"),
          Map.entry(128, "echo-request"),
          Map.entry(129, "echo-reply"),
          Map.entry(133, "router-solicit"),
          Map.entry(134, "router-advert"),
          Map.entry(135, "neighbor-solicit"),
          Map.entry(136, "neighbor-advert"),
          Map.entry(137, "redirect"));

  // RFC 4443 codes of destination unreachable
  private static final Map<Integer, String> UNREACH6 =
      Map.of(
          0, "no-route",
          1, "admin-prohibited",
          2, "beyond-scope",
          3, "addr-unreach",
          4, "port-unreach");

  /** True for ICMP and ICMPv6. */
  static boolean isIcmp(int protocol) {
    return protocol == 1 || protocol == 58;
  }

  /** The protocol's name, or its number. */
  static String protocol(int protocol) {
    return PROTOCOLS.getOrDefault(protocol, Integer.toString(protocol));
  }

  /**
   * ICMP's type and code by name, e.g. {@code echo-request}, {@code dest-unreach/port-unreach},
   * {@code type 42 code 1} for numbers without a name.
   *
   * @param typeCode the flow's destinationTransportPort: {@code type << 8 | code}
   */
  static String icmp(int protocol, int typeCode) {
    int type = typeCode >>> 8 & 0xFF;
    int code = typeCode & 0xFF;
    boolean v6 = protocol == 58;
    String name = (v6 ? ICMP6 : ICMP4).get(type);
    if (name == null) {
      return "type " + type + " code " + code;
    }
    boolean unreach = v6 ? type == 1 : type == 3;
    if (unreach) {
      String c = (v6 ? UNREACH6 : UNREACH4).get(code);
      return name + "/" + (c != null ? c : "code " + code);
    }
    return code == 0 ? name : name + " code " + code;
  }

  /** An endpoint: {@code 10.0.0.1:53}, {@code [2001:db8::1]:443}, or the address alone for ICMP. */
  static String endpoint(String address, int port, int protocol, boolean hasPorts) {
    if (!hasPorts) {
      return address;
    }
    return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
  }

  /** Protocols whose flows carry ports. */
  static boolean hasPorts(int protocol) {
    return protocol == 6 || protocol == 17 || protocol == 132;
  }

  /** The protocol column: {@code tcp}, {@code udp}, {@code icmp echo-request}, ... */
  static String what(JsonNode flow) {
    int proto = flow.get("protocolIdentifier").asInt();
    if (isIcmp(proto)) {
      return protocol(proto) + " " + icmp(proto, flow.get("destinationTransportPort").asInt());
    }
    return protocol(proto);
  }

  /** Source endpoint of a flow. */
  static String source(JsonNode flow) {
    int proto = flow.get("protocolIdentifier").asInt();
    return endpoint(
        flow.get("sourceAddress").asText(),
        flow.get("sourceTransportPort").asInt(),
        proto,
        hasPorts(proto));
  }

  /** Destination endpoint of a flow. */
  static String destination(JsonNode flow) {
    int proto = flow.get("protocolIdentifier").asInt();
    return endpoint(
        flow.get("destinationAddress").asText(),
        flow.get("destinationTransportPort").asInt(),
        proto,
        hasPorts(proto));
  }

  /** Bytes per second of the flow's life so far (at least one second), as the API ranks by rate. */
  static long rate(JsonNode flow) {
    long life = flow.get("flowEndMilliseconds").asLong() - flow.get("flowStartMilliseconds").asLong();
    return flow.get("octetDeltaCount").asLong() * 1000 / Math.max(1000, life);
  }

  /** A count with thousands separators: 12,345. */
  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** Bytes in binary units: 512 B, 1.5 KiB, 3.2 MiB ... */
  static String bytes(double n) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (n >= 1024 && u < units.length - 1) {
      n /= 1024;
      u++;
    }
    return u == 0
        ? String.format(Locale.ROOT, "%.0f %s", n, units[u])
        : String.format(Locale.ROOT, "%.1f %s", n, units[u]);
  }
}
