package dev.flowgate.controlplane.e2e;

import dev.flowgate.exporters.EndReason;
import dev.flowgate.exporters.testing.TestFlow;
import dev.flowgate.lab.Frame;
import dev.flowgate.lab.FrameBuilder;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.VethPair;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Frames with known flows for the collector end-to-end tests, and the flow record each must become:
 * IPv4 and IPv6; UDP, TCP ended by FIN or RST, ICMP and ICMPv6 with type and code; ToS; 802.1Q
 * tags. Every flow has its own addresses, so collectors that key on the 5-tuple alone (nfdump,
 * nfacctd) never merge two of them. The expected records carry no times (the kernel decides them);
 * ifindex and direction are those of the veth end the frames arrive on.
 */
final class KnownTraffic {

  private final VethPair.End from;
  private final VethPair.End to;
  private final List<byte[]> frames = new ArrayList<>();
  private final List<TestFlow> flows = new ArrayList<>();

  private KnownTraffic(VethPair.End from, VethPair.End to) {
    this.from = from;
    this.to = to;
  }

  /**
   * The full mix, sent from {@code from} to {@code to}; {@code net} (0..9) varies the addresses.
   */
  static KnownTraffic mix(VethPair.End from, VethPair.End to, int net) {
    KnownTraffic t = new KnownTraffic(from, to);
    String v4 = "10." + (10 + net) + ".";
    String v6 = "2001:db8:" + (10 + net) + ":";
    int fin = Frames.TCP_FIN | Frames.TCP_ACK;
    int ack = Frames.TCP_ACK;
    int psh = Frames.TCP_PSH | Frames.TCP_ACK;
    // IPv4 UDP, three sizes; and one with a DSCP (EF)
    t.add(i -> Frames.ipv4(v4 + "0.1", v4 + "1.1").udp(5001, 53).payload(20 + 10 * i), 3);
    t.add(i -> Frames.ipv4(v4 + "0.2", v4 + "1.2").tos(0xb8).udp(5002, 123).payload(48), 2);
    // IPv4 TCP, a whole connection ending in FIN
    t.tcp(Frames.ipv4(v4 + "0.3", v4 + "1.3"), 40000, 443, Frames.TCP_SYN, ack, psh, ack, fin);
    // ICMP echo request (8/0) and port unreachable (3/3)
    t.add(i -> Frames.ipv4(v4 + "0.4", v4 + "1.4").icmp(8, 0).payload(56), 4);
    t.add(i -> Frames.ipv4(v4 + "1.5", v4 + "0.5").icmp(3, 3).payload(28), 1);
    // IPv6 UDP, TCP ended by RST, ICMPv6 echo request (128/0)
    t.add(i -> Frames.ipv6(v6 + ":1", v6 + "1::1").udp(6001, 53).payload(100), 3);
    t.tcp(Frames.ipv6(v6 + ":2", v6 + "1::2"), 40001, 80, Frames.TCP_SYN, Frames.TCP_RST | ack);
    t.add(i -> Frames.ipv6(v6 + ":3", v6 + "1::3").icmpv6(128, 0).payload(56), 2);
    // 802.1Q tagged: IPv4 UDP, IPv6 TCP with FIN, ICMP, IPv4 TCP with FIN and a ToS
    t.add(i -> Frames.ipv4(v4 + "2.1", v4 + "3.1").dot1q(100).udp(7001, 514).payload(64), 3);
    t.tcp(Frames.ipv6(v6 + "2::1", v6 + "3::1").dot1q(200), 40002, 22, Frames.TCP_SYN, psh, fin);
    t.add(i -> Frames.ipv4(v4 + "2.2", v4 + "3.2").dot1q(300).icmp(8, 0).payload(32), 2);
    t.tcp(
        Frames.ipv4(v4 + "2.3", v4 + "3.3").dot1q(4094).tos(0x20),
        40003,
        8080,
        Frames.TCP_SYN,
        fin);
    return t;
  }

  /**
   * Three TCP connections that end in FIN (IPv4, IPv6, IPv4 on VLAN 10), so flowgate finishes them
   * at the next sweep; {@code net} (0..99) gives each call its own addresses.
   */
  static KnownTraffic connections(VethPair.End from, VethPair.End to, int net) {
    KnownTraffic t = new KnownTraffic(from, to);
    int fin = Frames.TCP_FIN | Frames.TCP_ACK;
    int psh = Frames.TCP_PSH | Frames.TCP_ACK;
    String v4 = "10.100." + net + ".";
    String v6 = "2001:db8:100:" + net + "::";
    t.tcp(Frames.ipv4(v4 + "1", v4 + "2"), 41000, 443, Frames.TCP_SYN, psh, fin);
    t.tcp(Frames.ipv6(v6 + "1", v6 + "2"), 41001, 443, Frames.TCP_SYN, psh, psh, fin);
    t.tcp(Frames.ipv4(v4 + "3", v4 + "4").dot1q(10), 41002, 80, Frames.TCP_SYN, fin);
    return t;
  }

  /** Every frame, in sending order (each flow's FIN or RST is its last frame). */
  List<byte[]> frames() {
    return frames;
  }

  /** The flow records flowgate must export, without times. */
  List<TestFlow> flows() {
    return flows;
  }

  /** Packets in all frames. */
  long packets() {
    return flows.stream().mapToLong(TestFlow::packets).sum();
  }

  /** The IPv6 flows (NetFlow v5 cannot carry them). */
  long ipv6Flows() {
    return flows.stream().filter(f -> !f.ipv4()).count();
  }

  /** A flow of {@code count} frames made by {@code frame.apply(i)}, ended by the idle timeout. */
  private void add(IntFunction<FrameBuilder> frame, int count) {
    List<Frame> built = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      built.add(frame.apply(i).macs(from.mac(), to.mac()).build());
    }
    record(built, 0, EndReason.IDLE_TIMEOUT);
  }

  /** A TCP flow with one frame per flags value (100 payload bytes after the handshake). */
  private void tcp(FrameBuilder base, int srcPort, int dstPort, int... flags) {
    List<Frame> built = new ArrayList<>();
    int or = 0;
    for (int f : flags) {
      built.add(
          base.macs(from.mac(), to.mac())
              .tcp(srcPort, dstPort, f)
              .payload(f == Frames.TCP_SYN ? 0 : 100)
              .build());
      or |= f;
    }
    boolean ends = (or & (Frames.TCP_FIN | Frames.TCP_RST)) != 0;
    record(built, or, ends ? EndReason.END_OF_FLOW : EndReason.IDLE_TIMEOUT);
  }

  private void record(List<Frame> built, int tcpFlags, EndReason reason) {
    Header h = Header.of(built.get(0));
    long bytes = 0;
    for (Frame f : built) {
      frames.add(f.bytes());
      bytes += f.ipLength();
    }
    flows.add(
        new TestFlow(
            h.src,
            h.dst,
            h.srcPort,
            h.dstPort,
            h.protocol,
            h.tos,
            tcpFlags,
            built.size(),
            bytes,
            0,
            0,
            to.ifindex(),
            0,
            h.vlan,
            reason.code()));
  }

  /** The flow key fields read back from a built frame, as flowgate's kernel side keys them. */
  private record Header(
      String src, String dst, int srcPort, int dstPort, int protocol, int tos, int vlan) {
    static Header of(Frame f) {
      byte[] b = f.bytes();
      int vlan = 0;
      if (f.l3Offset() > 14) {
        vlan = ((b[14] & 0x0f) << 8) | (b[15] & 0xff); // 14: the outer tag's TCI
      }
      int l3 = f.l3Offset();
      boolean v4 = (b[l3] >> 4) == 4;
      int protocol;
      int tos;
      String src;
      String dst;
      if (v4) {
        tos = b[l3 + 1] & 0xff;
        protocol = b[l3 + 9] & 0xff;
        src = address(b, l3 + 12, 4);
        dst = address(b, l3 + 16, 4);
      } else {
        tos = ((b[l3] & 0x0f) << 4) | ((b[l3 + 1] & 0xf0) >> 4);
        protocol = b[l3 + 6] & 0xff;
        src = address(b, l3 + 8, 16);
        dst = address(b, l3 + 24, 16);
      }
      int l4 = f.l4Offset();
      int sp = ((b[l4] & 0xff) << 8) | (b[l4 + 1] & 0xff);
      int dp = ((b[l4 + 2] & 0xff) << 8) | (b[l4 + 3] & 0xff);
      if (protocol == Frames.IPPROTO_ICMP || protocol == Frames.IPPROTO_ICMPV6) {
        dp = sp; // type << 8 | code, the first two bytes of the ICMP header
        sp = 0;
      }
      return new Header(src, dst, sp, dp, protocol, tos, vlan);
    }

    private static String address(byte[] b, int at, int len) {
      try {
        return java.net.InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, at, at + len))
            .getHostAddress();
      } catch (java.net.UnknownHostException e) {
        throw new IllegalArgumentException(e);
      }
    }
  }
}
