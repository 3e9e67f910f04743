package dev.flowgate.bpf;

import dev.flowgate.bpf.FlowgateUnderTest.FlowCounters;
import dev.flowgate.bpf.FlowgateUnderTest.FlowKey;
import dev.flowgate.lab.Frame;
import dev.flowgate.lab.FrameBuilder;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.GatewayLab;
import dev.flowgate.lab.MacAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A known traffic mix for the gateway shape, and what each flow must add up to. Three kinds of
 * flows: untagged IPv4 and IPv6 from client to server (the router forwards them: seen by XDP on the
 * client side and TC egress on the server side), VLAN-tagged frames from the client (XDP sees the
 * tag in the frame; the router then drops them, having no VLAN device) and VLAN-tagged frames from
 * the server (TC ingress on the router's server side sees the outer tag in the skb, the inner one
 * in the frame). Packets of all flows are interleaved and cut into batches.
 */
final class GatewayTraffic {
  enum Kind {
    FORWARDED,
    CLIENT_TAGGED,
    SERVER_TAGGED
  }

  /** One flow: its key (ifindex 0, direction 0: the hook's are filled in), totals, kind. */
  record Planned(FlowKey key, FlowCounters expected, Kind kind) {}

  final List<Planned> flows = new ArrayList<>();
  final List<List<byte[]>> clientBatches = new ArrayList<>();
  final List<List<byte[]>> serverBatches = new ArrayList<>();
  long clientFrames;
  long forwardedFrames;
  long serverFrames;

  private final List<List<byte[]>> clientPerFlow = new ArrayList<>();
  private final List<List<byte[]>> serverPerFlow = new ArrayList<>();

  /**
   * {@code perFamily} forwarded flows of each IP version, {@code tagged} tagged flows from each
   * side, flow i carrying 1 + i % 20 packets, in {@code batches} batches.
   */
  GatewayTraffic(GatewayLab gw, int perFamily, int tagged, int batches) {
    MacAddress[] cm = gw.clientFrameMacs();
    MacAddress[] sm = gw.serverFrameMacs();
    for (int i = 0; i < 2 * perFamily; i++) {
      plan(i, i % 2 == 0, Kind.FORWARDED, cm, 0, 0);
    }
    for (int i = 0; i < tagged; i++) {
      boolean qinq = i % 3 == 0;
      plan(2 * perFamily + i, i % 2 == 0, Kind.CLIENT_TAGGED, cm, 100 + i, qinq ? 7 : 0);
      plan(2 * perFamily + tagged + i, i % 2 == 1, Kind.SERVER_TAGGED, sm, 1000 + i, qinq ? 8 : 0);
    }
    interleave(clientPerFlow, clientBatches, batches);
    interleave(serverPerFlow, serverBatches, batches);
  }

  private void plan(int i, boolean v4, Kind kind, MacAddress[] macs, int outerVid, int innerVid) {
    String src =
        v4
            ? GatewayLab.CLIENT_V4_PREFIX + (1 + i % 200)
            : GatewayLab.CLIENT_V6_PREFIX + Integer.toHexString(1 + i % 200);
    String dst =
        v4
            ? GatewayLab.SERVER_V4_PREFIX + (1 + i % 60)
            : GatewayLab.SERVER_V6_PREFIX + Integer.toHexString(1 + i % 60);
    if (kind == Kind.SERVER_TAGGED) { // the server talks back
      String t = src;
      src = dst;
      dst = t;
    }
    int packets = 1 + i % 20;
    int tos = (i % 8) << 2;
    int sport = 10_000 + i;
    int dport = new int[] {443, 53, 0, 2905}[i % 4];
    int proto =
        switch (i % 4) {
          case 0 -> Frames.IPPROTO_TCP;
          case 1 -> Frames.IPPROTO_UDP;
          case 2 -> v4 ? Frames.IPPROTO_ICMP : Frames.IPPROTO_ICMPV6;
          default -> Frames.IPPROTO_SCTP;
        };
    List<byte[]> frames = new ArrayList<>();
    long bytes = 0;
    int flagsSeen = 0;
    for (int p = 0; p < packets; p++) {
      FrameBuilder b =
          (v4 ? Frames.ipv4(src, dst) : Frames.ipv6(src, dst)).macs(macs[0], macs[1]).tos(tos);
      if (outerVid != 0) {
        if (innerVid != 0) {
          b.dot1ad(outerVid).dot1q(innerVid);
        } else {
          b.dot1q(outerVid);
        }
      }
      int flags =
          p == 0
              ? Frames.TCP_SYN
              : p == packets - 1 ? Frames.TCP_FIN | Frames.TCP_ACK : Frames.TCP_ACK;
      switch (i % 4) {
        case 0 -> {
          b.tcp(sport, dport, flags);
          flagsSeen |= flags;
        }
        case 1 -> b.udp(sport, dport);
        case 2 -> {
          if (v4) {
            b.icmp(8, 0);
          } else {
            b.icmpv6(128, 0);
          }
        }
        default -> b.sctp(sport, dport);
      }
      Frame f = b.payload((i * 37 + p * 11) % 900).build();
      frames.add(f.bytes());
      bytes += f.ipLength();
    }
    boolean icmp = i % 4 == 2;
    FlowKey key =
        new FlowKey(
            FlowgateUnderTest.canonical(src),
            FlowgateUnderTest.canonical(dst),
            icmp ? 0 : sport,
            icmp ? (v4 ? 8 << 8 : 128 << 8) : dport,
            0,
            outerVid,
            proto,
            0);
    flows.add(new Planned(key, new FlowCounters(packets, bytes, flagsSeen, tos, v4 ? 4 : 6), kind));
    if (kind == Kind.SERVER_TAGGED) {
      serverPerFlow.add(frames);
      serverFrames += packets;
    } else {
      clientPerFlow.add(frames);
      clientFrames += packets;
      if (kind == Kind.FORWARDED) {
        forwardedFrames += packets;
      }
    }
  }

  /** Round-robin over the flows (packet p of every flow, then p + 1), cut into batches. */
  private static void interleave(List<List<byte[]>> perFlow, List<List<byte[]>> out, int batches) {
    List<byte[]> all = new ArrayList<>();
    for (int p = 0; ; p++) {
      boolean any = false;
      for (List<byte[]> f : perFlow) {
        if (p < f.size()) {
          all.add(f.get(p));
          any = true;
        }
      }
      if (!any) {
        break;
      }
    }
    int per = (all.size() + batches - 1) / batches;
    for (int b = 0; b < batches; b++) {
      out.add(
          new ArrayList<>(
              all.subList(Math.min(all.size(), b * per), Math.min(all.size(), (b + 1) * per))));
    }
  }
}
