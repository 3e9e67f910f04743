package dev.flowgate.bpf;

import static dev.flowgate.bpf.Layout.DP_FRAGMENT_NONFIRST;
import static dev.flowgate.bpf.Layout.DP_IPV6_EXT_LIMIT;
import static dev.flowgate.bpf.Layout.DP_PARSE_BAD_IP;
import static dev.flowgate.bpf.Layout.DP_PARSE_NOT_IP;
import static dev.flowgate.bpf.Layout.DP_PARSE_TRUNCATED;
import static dev.flowgate.bpf.ParserCase.Expect.flow;
import static dev.flowgate.bpf.ParserCase.Expect.icmp;
import static dev.flowgate.bpf.ParserCase.Expect.other;
import static dev.flowgate.lab.Frames.IPPROTO_AH;
import static dev.flowgate.lab.Frames.IPPROTO_DSTOPTS;
import static dev.flowgate.lab.Frames.IPPROTO_ESP;
import static dev.flowgate.lab.Frames.IPPROTO_FRAGMENT;
import static dev.flowgate.lab.Frames.IPPROTO_GRE;
import static dev.flowgate.lab.Frames.IPPROTO_HOPOPTS;
import static dev.flowgate.lab.Frames.IPPROTO_ICMP;
import static dev.flowgate.lab.Frames.IPPROTO_ICMPV6;
import static dev.flowgate.lab.Frames.IPPROTO_NONE;
import static dev.flowgate.lab.Frames.IPPROTO_ROUTING;
import static dev.flowgate.lab.Frames.IPPROTO_SCTP;
import static dev.flowgate.lab.Frames.IPPROTO_TCP;
import static dev.flowgate.lab.Frames.IPPROTO_UDP;
import static dev.flowgate.lab.Frames.TCP_ACK;
import static dev.flowgate.lab.Frames.TCP_FIN;
import static dev.flowgate.lab.Frames.TCP_PSH;
import static dev.flowgate.lab.Frames.TCP_SYN;

import dev.flowgate.bpf.ParserCase.Expect;
import dev.flowgate.lab.Frame;
import dev.flowgate.lab.FrameBuilder;
import dev.flowgate.lab.Frames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The parser table (katran style): crafted frames and what flowgate must count for each. Read with
 * dataplane-bpf/src/parse.h's rules at hand; every rule there has a row here.
 */
final class ParserTable {
  private ParserTable() {}

  static final String C4 = "198.51.100.10";
  static final String S4 = "203.0.113.20";
  static final String C6 = "2001:db8:1::10";
  static final String S6 = "2001:db8:2::20";

  /** IPv4 options: a Record Route of 11 bytes (room for 2 addresses) and End of Options. */
  static final byte[] RECORD_ROUTE = {7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0};

  static List<ParserCase> cases() {
    List<ParserCase> t = new ArrayList<>();

    // ---- IPv4
    t.add(
        row(
            "ipv4_tcp_syn_is_counted_with_ports_flags_and_tos",
            Frames.ipv4(C4, S4).tos(0xb8).tcp(40000, 443, TCP_SYN),
            flow(C4, S4, IPPROTO_TCP, 40000, 443).tcpFlags(TCP_SYN).tos(0xb8)));
    t.add(
        row(
            "ipv4_tcp_with_payload_counts_ip_header_and_payload_bytes",
            Frames.ipv4(C4, S4).tcp(40001, 80, TCP_PSH | TCP_ACK).payload(1000),
            flow(C4, S4, IPPROTO_TCP, 40001, 80)
                .tcpFlags(TCP_PSH | TCP_ACK)
                .bytes(20 + 20 + 1000)));
    t.add(
        row(
            "ipv4_tcp_fin_psh_ack_keeps_every_flag",
            Frames.ipv4(C4, S4).tcp(40002, 22, TCP_FIN | TCP_PSH | TCP_ACK),
            flow(C4, S4, IPPROTO_TCP, 40002, 22).tcpFlags(TCP_FIN | TCP_PSH | TCP_ACK)));
    t.add(
        row(
            "ipv4_udp_is_counted_with_ports",
            Frames.ipv4(C4, S4).udp(5353, 53).payload(30),
            flow(C4, S4, IPPROTO_UDP, 5353, 53).bytes(20 + 8 + 30)));
    t.add(
        row(
            "ipv4_sctp_common_header_gives_ports",
            Frames.ipv4(C4, S4).sctp(2905, 2906).payload(16),
            flow(C4, S4, IPPROTO_SCTP, 2905, 2906).bytes(20 + 12 + 16)));
    t.add(
        row(
            "ipv4_icmp_echo_request_keys_type_and_code_as_dst_port",
            Frames.ipv4(C4, S4).icmp(8, 0).payload(56),
            icmp(C4, S4, IPPROTO_ICMP, 8, 0).bytes(84)));
    t.add(
        row(
            "ipv4_icmp_port_unreachable_keys_type_3_code_3",
            Frames.ipv4(S4, C4).icmp(3, 3).payload(28),
            icmp(S4, C4, IPPROTO_ICMP, 3, 3)));
    t.add(
        row(
            "ipv4_with_options_reads_ports_after_ihl",
            Frames.ipv4(C4, S4).options(RECORD_ROUTE).udp(1234, 4321),
            flow(C4, S4, IPPROTO_UDP, 1234, 4321).bytes(32 + 8)));
    t.add(
        row(
            "ipv4_with_40_bytes_of_options_reads_ports_after_ihl_15",
            Frames.ipv4(C4, S4).options(nops(40)).tcp(1, 2, TCP_ACK),
            flow(C4, S4, IPPROTO_TCP, 1, 2).tcpFlags(TCP_ACK).bytes(60 + 20)));
    t.add(
        row(
            "ipv4_first_fragment_keeps_its_ports",
            Frames.ipv4(C4, S4).id(77).fragment(0, true).udp(7000, 7001).payload(1472),
            flow(C4, S4, IPPROTO_UDP, 7000, 7001).bytes(1500)));
    t.add(
        row(
            "ipv4_later_fragment_counts_under_ports_zero",
            Frames.ipv4(C4, S4).id(77).fragment(1480, true).udp(7000, 7001).payload(1480),
            flow(C4, S4, IPPROTO_UDP, 0, 0).bytes(1500).errors(DP_FRAGMENT_NONFIRST)));
    t.add(
        row(
            "ipv4_last_fragment_counts_under_ports_zero",
            Frames.ipv4(C4, S4).id(77).fragment(2960, false).udp(7000, 7001).payload(100),
            flow(C4, S4, IPPROTO_UDP, 0, 0).bytes(120).errors(DP_FRAGMENT_NONFIRST)));
    t.add(
        row(
            "ipv4_dont_fragment_bit_is_not_a_fragment",
            Frames.ipv4(C4, S4).dontFragment().tcp(3, 4, TCP_SYN),
            flow(C4, S4, IPPROTO_TCP, 3, 4).tcpFlags(TCP_SYN)));
    t.add(
        row(
            "ipv4_gre_counts_with_ports_zero_and_no_error",
            Frames.ipv4(C4, S4).protocol(IPPROTO_GRE).payload(24),
            flow(C4, S4, IPPROTO_GRE, 0, 0)));
    t.add(
        row(
            "ipv4_total_length_zero_counts_the_frame_past_ethernet",
            Frames.ipv4(C4, S4).lengthField(0).udp(9, 9).payload(10),
            flow(C4, S4, IPPROTO_UDP, 9, 9).bytes(20 + 8 + 10)));
    t.add(
        row(
            "ipv4_total_length_longer_than_the_frame_counts_the_declared_length",
            Frames.ipv4(C4, S4).lengthField(9000).udp(10, 11).payload(10),
            flow(C4, S4, IPPROTO_UDP, 10, 11).bytes(9000)));
    t.add(
        row(
            "ipv4_ethernet_padding_is_not_counted",
            pad(Frames.ipv4(C4, S4).icmp(0, 0).build(), 60),
            icmp(C4, S4, IPPROTO_ICMP, 0, 0).bytes(28)));
    t.add(
        row(
            "ipv4_version_5_is_other_and_bad_ip",
            Frames.ipv4(C4, S4).versionField(5).udp(1, 2),
            other(28, DP_PARSE_BAD_IP)));
    t.add(
        row(
            "ipv4_ihl_below_5_is_other_and_bad_ip",
            Frames.ipv4(C4, S4).ihlField(4).udp(1, 2),
            other(28, DP_PARSE_BAD_IP)));
    t.add(
        row(
            "ipv4_total_length_below_its_header_is_other_and_bad_ip",
            Frames.ipv4(C4, S4).lengthField(19).udp(1, 2),
            other(28, DP_PARSE_BAD_IP)));
    t.add(
        row(
            "ipv4_ihl_longer_than_the_total_length_is_other_and_bad_ip",
            Frames.ipv4(C4, S4).ihlField(15).udp(1, 2),
            other(28, DP_PARSE_BAD_IP)));
    t.add(
        row(
            "ipv4_options_past_the_frame_are_other_and_truncated",
            Frames.ipv4(C4, S4).ihlField(15).lengthField(60).udp(1, 2),
            other(28, DP_PARSE_TRUNCATED)));

    // ---- VLAN
    t.add(
        row(
            "dot1q_tagged_ipv4_keys_the_vid",
            Frames.ipv4(C4, S4).dot1q(100).udp(1000, 2000),
            flow(C4, S4, IPPROTO_UDP, 1000, 2000).vlan(100)));
    t.add(
        row(
            "dot1q_priority_and_dei_bits_are_not_part_of_the_vid",
            Frames.ipv4(C4, S4).tag(Frames.ETH_P_8021Q, 0xf000 | 42).udp(1000, 2000),
            flow(C4, S4, IPPROTO_UDP, 1000, 2000).vlan(42)));
    t.add(
        row(
            "qinq_8021ad_outer_8021q_inner_keys_the_outer_vid",
            Frames.ipv4(C4, S4).dot1ad(300).dot1q(20).tcp(5, 6, TCP_SYN),
            flow(C4, S4, IPPROTO_TCP, 5, 6).vlan(300).tcpFlags(TCP_SYN)));
    t.add(
        row(
            "two_8021q_tags_key_the_outer_vid",
            Frames.ipv4(C4, S4).dot1q(7).dot1q(8).udp(5, 6),
            flow(C4, S4, IPPROTO_UDP, 5, 6).vlan(7)));
    t.add(
        row(
            "dot1q_tagged_ipv6_keys_the_vid",
            Frames.ipv6(C6, S6).dot1q(4094).udp(53, 5353).payload(12),
            flow(C6, S6, IPPROTO_UDP, 53, 5353).vlan(4094).bytes(40 + 8 + 12)));
    t.add(
        row(
            "qinq_tagged_ipv6_icmpv6_keys_the_outer_vid",
            Frames.ipv6(C6, S6).dot1ad(1).dot1q(2).icmpv6(128, 0),
            icmp(C6, S6, IPPROTO_ICMPV6, 128, 0).vlan(1)));
    t.add(
        row(
            "three_tags_are_other_and_not_ip",
            Frames.ipv4(C4, S4).dot1ad(1).dot1q(2).dot1q(3).udp(1, 2),
            other(4 + 28, DP_PARSE_NOT_IP)));
    t.add(
        row(
            "dot1q_tagged_arp_is_other_and_not_ip",
            Frames.ethernet(Frames.ETH_P_ARP).dot1q(5).payload(28),
            other(28, DP_PARSE_NOT_IP)));

    // ---- IPv6
    t.add(
        row(
            "ipv6_tcp_keys_ports_and_traffic_class",
            Frames.ipv6(C6, S6).tos(0x2e).flowLabel(0xabcde).tcp(50000, 443, TCP_SYN | TCP_ACK),
            flow(C6, S6, IPPROTO_TCP, 50000, 443).tcpFlags(TCP_SYN | TCP_ACK).tos(0x2e)));
    t.add(
        row(
            "ipv6_udp_counts_40_byte_header_and_payload",
            Frames.ipv6(C6, S6).udp(1, 2).payload(100),
            flow(C6, S6, IPPROTO_UDP, 1, 2).bytes(148)));
    t.add(
        row(
            "ipv6_sctp_common_header_gives_ports",
            Frames.ipv6(C6, S6).sctp(38412, 38412),
            flow(C6, S6, IPPROTO_SCTP, 38412, 38412)));
    t.add(
        row(
            "ipv6_icmpv6_echo_request_keys_type_128",
            Frames.ipv6(C6, S6).icmpv6(128, 0).payload(56),
            icmp(C6, S6, IPPROTO_ICMPV6, 128, 0)));
    t.add(
        row(
            "ipv6_neighbor_solicitation_keys_type_135",
            Frames.ipv6(C6, "ff02::1:ff00:20").ttl(255).icmpv6(135, 0).payload(16),
            icmp(C6, "ff02::1:ff00:20", IPPROTO_ICMPV6, 135, 0)));
    t.add(
        row(
            "ipv6_hop_by_hop_then_udp_reads_ports_after_the_extension",
            Frames.ipv6(C6, S6).hopByHop(8).udp(546, 547),
            flow(C6, S6, IPPROTO_UDP, 546, 547)));
    t.add(
        row(
            "ipv6_routing_and_destination_options_then_tcp_reads_ports",
            Frames.ipv6(C6, S6).routing(24).destinationOptions(16).tcp(7, 8, TCP_SYN),
            flow(C6, S6, IPPROTO_TCP, 7, 8).tcpFlags(TCP_SYN)));
    t.add(
        row(
            "ipv6_ah_length_is_in_4_byte_units",
            Frames.ipv6(C6, S6).extension(IPPROTO_AH, 24).tcp(9, 10, TCP_ACK),
            flow(C6, S6, IPPROTO_TCP, 9, 10).tcpFlags(TCP_ACK)));
    t.add(
        row(
            "ipv6_first_fragment_reads_ports_after_the_fragment_header",
            Frames.ipv6(C6, S6).id(0x1234).fragment(0, true).udp(4000, 4001).payload(1232),
            flow(C6, S6, IPPROTO_UDP, 4000, 4001)));
    t.add(
        row(
            "ipv6_later_fragment_counts_next_header_with_ports_zero",
            Frames.ipv6(C6, S6).id(0x1234).fragment(1240, false).udp(4000, 4001).payload(200),
            flow(C6, S6, IPPROTO_UDP, 0, 0).errors(DP_FRAGMENT_NONFIRST)));
    t.add(
        row(
            "ipv6_later_fragment_after_hop_by_hop_counts_ports_zero",
            Frames.ipv6(C6, S6).hopByHop(8).fragment(8, true).tcp(1, 2, TCP_SYN).payload(64),
            flow(C6, S6, IPPROTO_TCP, 0, 0).errors(DP_FRAGMENT_NONFIRST)));
    t.add(
        row(
            "ipv6_six_extension_headers_then_udp_reads_ports",
            chain(Frames.ipv6(C6, S6), 6).udp(11, 12),
            flow(C6, S6, IPPROTO_UDP, 11, 12)));
    t.add(
        row(
            "ipv6_seven_extension_headers_hit_the_walk_limit",
            chain(Frames.ipv6(C6, S6), 7).udp(11, 12),
            flow(C6, S6, IPPROTO_DSTOPTS, 0, 0).errors(DP_IPV6_EXT_LIMIT)));
    t.add(
        row(
            "ipv6_esp_counts_protocol_50_with_ports_zero",
            Frames.ipv6(C6, S6).protocol(IPPROTO_ESP).payload(40),
            flow(C6, S6, IPPROTO_ESP, 0, 0)));
    t.add(
        row(
            "ipv6_no_next_header_counts_protocol_59",
            Frames.ipv6(C6, S6).protocol(IPPROTO_NONE),
            flow(C6, S6, IPPROTO_NONE, 0, 0)));
    t.add(
        row(
            "ipv6_payload_length_zero_counts_the_frame_past_ethernet",
            Frames.ipv6(C6, S6).lengthField(0).udp(1, 2).payload(10),
            flow(C6, S6, IPPROTO_UDP, 1, 2).bytes(40 + 8 + 10)));
    t.add(
        row(
            "ipv6_version_4_in_an_ipv6_ethertype_is_other_and_bad_ip",
            Frames.ipv6(C6, S6).versionField(4).udp(1, 2),
            other(48, DP_PARSE_BAD_IP)));

    // ---- not IP, garbage
    t.add(
        row(
            "arp_is_other_and_not_ip",
            Frames.ethernet(Frames.ETH_P_ARP).payload(28),
            other(28, DP_PARSE_NOT_IP)));
    t.add(
        row(
            "mpls_is_other_and_not_ip",
            Frames.ethernet(Frames.ETH_P_MPLS).payload(46),
            other(46, DP_PARSE_NOT_IP)));
    t.add(
        row(
            "ethernet_header_alone_with_ethertype_zero_is_other",
            Frames.ethernet(0),
            other(0, DP_PARSE_NOT_IP)));
    Random seeded = new Random(20251125);
    for (int i = 0; i < 4; i++) {
      byte[] g = Frames.garbage(seeded, 64 + 100 * i);
      g[12] = (byte) 0x88; // local experimental EtherType 0x88b5 (IEEE 802)
      g[13] = (byte) 0xb5;
      t.add(
          row(
              "garbage_" + g.length + "_bytes_after_an_unknown_ethertype_is_other",
              g,
              other(g.length - 14, DP_PARSE_NOT_IP)));
    }

    // ---- truncated at every header boundary
    truncations(
        t,
        "ipv4_qinq_options_tcp",
        Frames.ipv4(C4, S4)
            .dot1ad(10)
            .dot1q(20)
            .options(RECORD_ROUTE)
            .tcp(1000, 2000, TCP_SYN)
            .payload(10),
        IPPROTO_TCP,
        1000,
        2000,
        10);
    truncations(t, "ipv4_udp", Frames.ipv4(C4, S4).udp(53, 53).payload(10), IPPROTO_UDP, 53, 53, 0);
    truncations(t, "ipv4_sctp", Frames.ipv4(C4, S4).dot1q(3).sctp(9, 9), IPPROTO_SCTP, 9, 9, 3);
    truncations(
        t, "ipv4_icmp", Frames.ipv4(C4, S4).icmp(8, 0).payload(8), IPPROTO_ICMP, 0, 0x800, 0);
    truncations(
        t,
        "ipv6_hop_by_hop_fragment_tcp",
        Frames.ipv6(C6, S6).hopByHop(8).fragment(0, true).tcp(3000, 80, TCP_SYN).payload(8),
        IPPROTO_TCP,
        3000,
        80,
        0);
    truncations(
        t,
        "ipv6_dot1q_routing_udp",
        Frames.ipv6(C6, S6).dot1q(99).routing(24).udp(1, 2),
        IPPROTO_UDP,
        1,
        2,
        99);
    truncations(
        t,
        "ipv6_icmpv6",
        Frames.ipv6(C6, S6).icmpv6(129, 0).payload(4),
        IPPROTO_ICMPV6,
        0,
        129 << 8,
        0);
    return t;
  }

  /**
   * One row per header boundary of the frame {@code b} builds, cut there. Cut in the L2 headers or
   * the fixed IP header or the IPv4 options: other, truncated, bytes past the L2 headers read. Cut
   * at an IPv6 extension header: IP flow of protocol = that header's type, ports 0, truncated. Cut
   * at the transport header: IP flow of its protocol, ports 0, truncated. Cut at the payload: the
   * whole key, no error. IP flows count the declared IP length.
   */
  private static void truncations(
      List<ParserCase> t,
      String name,
      FrameBuilder b,
      int protocol,
      int srcPort,
      int dstPort,
      int vlan) {
    Frame f = b.build();
    byte[] bytes = f.bytes();
    boolean v6 = f.l3Offset() >= 0 && (bytes[f.l3Offset()] >> 4 & 0xf) == 6;
    String src = v6 ? C6 : C4;
    String dst = v6 ? S6 : S4;
    int fixedIp = v6 ? 40 : 20;
    int ipHeaderEnd = f.l4Offset();
    for (int cut : f.boundaries()) {
      if (cut < 14) {
        continue; // BPF_PROG_TEST_RUN takes nothing shorter than an Ethernet header
      }
      String row = name + "_cut_at_" + cut + "_";
      byte[] frame = f.truncated(cut);
      if (cut < f.l3Offset()) {
        int l2Read = 14 + 4 * Math.max(0, (cut - 14) / 4);
        t.add(
            row(
                row + "inside_the_vlan_tags_is_other_and_truncated",
                frame,
                other(cut - l2Read, DP_PARSE_TRUNCATED)));
      } else if (cut < f.l3Offset() + fixedIp || (!v6 && cut < ipHeaderEnd)) {
        t.add(
            row(
                row + "inside_the_ip_header_is_other_and_truncated",
                frame,
                other(cut - f.l3Offset(), DP_PARSE_TRUNCATED)));
      } else if (cut < ipHeaderEnd) {
        int extType = extensionTypeAt(bytes, f.l3Offset(), cut);
        t.add(
            row(
                row + "at_an_extension_header_counts_its_type_and_truncated",
                frame,
                flow(src, dst, extType, 0, 0)
                    .vlan(vlan)
                    .tos(0)
                    .bytes(f.ipLength())
                    .errors(DP_PARSE_TRUNCATED)));
      } else if (cut < f.payloadOffset()) {
        t.add(
            row(
                row + "at_the_transport_header_counts_ports_zero_and_truncated",
                frame,
                flow(src, dst, protocol, 0, 0)
                    .vlan(vlan)
                    .bytes(f.ipLength())
                    .errors(DP_PARSE_TRUNCATED)));
      } else {
        int flags = protocol == IPPROTO_TCP ? bytes[f.l4Offset() + 13] & 0xff : 0;
        t.add(
            row(
                row + "at_the_payload_counts_the_whole_key",
                frame,
                flow(src, dst, protocol, srcPort, dstPort)
                    .vlan(vlan)
                    .tcpFlags(flags)
                    .bytes(f.ipLength())));
      }
    }
  }

  /**
   * The type of the IPv6 extension header starting at {@code at}: the previous one's next header.
   */
  private static int extensionTypeAt(byte[] f, int l3, int at) {
    int next = f[l3 + 6] & 0xff;
    int cur = l3 + 40;
    while (cur < at) {
      int len =
          next == IPPROTO_FRAGMENT
              ? 8
              : next == IPPROTO_AH ? ((f[cur + 1] & 0xff) + 2) * 4 : ((f[cur + 1] & 0xff) + 1) * 8;
      next = f[cur] & 0xff;
      cur += len;
    }
    return next;
  }

  private static FrameBuilder chain(FrameBuilder b, int n) {
    int[] types = {
      IPPROTO_HOPOPTS,
      IPPROTO_DSTOPTS,
      IPPROTO_ROUTING,
      IPPROTO_DSTOPTS,
      IPPROTO_ROUTING,
      IPPROTO_DSTOPTS,
      IPPROTO_DSTOPTS,
      IPPROTO_DSTOPTS
    };
    for (int i = 0; i < n; i++) {
      b.extension(types[i], 8);
    }
    return b;
  }

  private static byte[] nops(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 1); // NOP option
    return b;
  }

  private static Frame pad(Frame f, int min) {
    return new Frame(
        Arrays.copyOf(f.bytes(), Math.max(min, f.length())),
        f.l3Offset(),
        f.l4Offset(),
        f.payloadOffset(),
        f.ipLength(),
        f.boundaries());
  }

  /**
   * Frames of an L3 device (WireGuard, tun, PPP, GRE, IPIP: FG_SETTINGS_RAW_IP): no Ethernet
   * header, the IP version from the first byte's high nibble. Bytes are the IP packet's, as on
   * Ethernet; "other" bytes are the whole frame (no L2 header read).
   */
  static List<ParserCase> rawIpCases() {
    List<ParserCase> t = new ArrayList<>();
    t.add(
        raw(
            "raw_ipv4_udp_is_counted_from_the_first_byte",
            Frames.ipv4(C4, S4).udp(5353, 53).payload(30),
            flow(C4, S4, IPPROTO_UDP, 5353, 53).bytes(20 + 8 + 30)));
    t.add(
        raw(
            "raw_ipv4_tcp_keeps_flags_and_tos",
            Frames.ipv4(C4, S4).tos(0x20).tcp(40000, 443, TCP_SYN),
            flow(C4, S4, IPPROTO_TCP, 40000, 443).tcpFlags(TCP_SYN).tos(0x20)));
    t.add(
        raw(
            "raw_ipv4_icmp_echo_keys_type_and_code",
            Frames.ipv4(C4, S4).icmp(8, 0).payload(56),
            icmp(C4, S4, IPPROTO_ICMP, 8, 0).bytes(84)));
    t.add(
        raw(
            "raw_ipv4_with_options_reads_ports_after_ihl",
            Frames.ipv4(C4, S4).options(RECORD_ROUTE).udp(1234, 4321),
            flow(C4, S4, IPPROTO_UDP, 1234, 4321).bytes(32 + 8)));
    t.add(
        raw(
            "raw_ipv6_tcp_is_counted_by_the_version_nibble",
            Frames.ipv6(C6, S6).tcp(40001, 80, TCP_PSH | TCP_ACK).payload(100),
            flow(C6, S6, IPPROTO_TCP, 40001, 80).tcpFlags(TCP_PSH | TCP_ACK).bytes(40 + 20 + 100)));
    t.add(
        raw(
            "raw_ipv6_icmpv6_echo_keys_type_and_code",
            Frames.ipv6(C6, S6).icmpv6(128, 0).payload(8),
            icmp(C6, S6, IPPROTO_ICMPV6, 128, 0)));
    t.add(
        raw(
            "raw_ipv6_with_a_hop_by_hop_header_walks_it",
            chain(Frames.ipv6(C6, S6), 1).udp(1000, 2000),
            flow(C6, S6, IPPROTO_UDP, 1000, 2000)));
    byte[] v5 = stripEthernet(Frames.ipv4(C4, S4).udp(1, 2).payload(10).build());
    v5[0] = (byte) 0x55;
    t.add(new ParserCase("raw_version_5_is_not_ip", v5, other(v5.length, Layout.DP_PARSE_NOT_IP)));
    byte[] shortV4 = Arrays.copyOf(v5, 19);
    shortV4[0] = (byte) 0x45;
    t.add(
        new ParserCase(
            "raw_ipv4_header_cut_short_is_truncated",
            shortV4,
            other(shortV4.length, DP_PARSE_TRUNCATED)));
    byte[] badIhl = stripEthernet(Frames.ipv4(C4, S4).udp(1, 2).payload(10).build());
    badIhl[0] = (byte) 0x44;
    t.add(
        new ParserCase(
            "raw_version_4_with_ihl_4_is_bad_ip", badIhl, other(badIhl.length, DP_PARSE_BAD_IP)));
    return t;
  }

  static ParserCase raw(String name, FrameBuilder b, Expect e) {
    Frame f = b.build();
    if (e.bytes == null) {
      e.bytes((long) f.ipLength());
    }
    return new ParserCase(name, stripEthernet(f), e);
  }

  /** The frame without its 14-byte Ethernet header (untagged frames only). */
  private static byte[] stripEthernet(Frame f) {
    byte[] b = f.bytes();
    return Arrays.copyOfRange(b, 14, b.length);
  }

  private static ParserCase row(String name, FrameBuilder b, Expect e) {
    return row(name, b.build(), e);
  }

  private static ParserCase row(String name, Frame f, Expect e) {
    if (e.bytes == null) {
      e.bytes((long) f.ipLength());
    }
    return new ParserCase(name, f.bytes(), e);
  }

  private static ParserCase row(String name, byte[] frame, Expect e) {
    if (e.bytes == null) {
      throw new IllegalArgumentException(name + ": a raw frame needs its expected bytes");
    }
    return new ParserCase(name, frame, e);
  }
}
