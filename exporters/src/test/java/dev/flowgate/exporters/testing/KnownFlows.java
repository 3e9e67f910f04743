package dev.flowgate.exporters.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * The end-to-end batch: a few flows with something to check each (IPv4 and IPv6, ICMP with type and
 * code, TCP with FIN, VLAN ids, egress), then enough filler flows to span several messages. Every
 * flow has a distinct (protocol, source port or ICMP type/code, addresses) key.
 */
public final class KnownFlows {

  private KnownFlows() {}

  /** The flows, with times inside the last minute before {@code nowMillis}. */
  public static List<TestFlow> batch(long nowMillis, int fillers) {
    long start = nowMillis / 1000 * 1000 - 30_000 + 123;
    long end = start + 20_456;
    List<TestFlow> flows = new ArrayList<>();
    // TCP with SYN|FIN|PSH|ACK, a ToS, ingress on ifindex 3, ended by FIN
    flows.add(
        new TestFlow(
            "10.1.0.1",
            "10.2.0.1",
            40000,
            443,
            TestFlow.TCP,
            0x10,
            0x1b,
            10,
            1500,
            start,
            end,
            3,
            0,
            0,
            3));
    // UDP on VLAN 100, egress on ifindex 4
    flows.add(
        new TestFlow(
            "10.1.0.2",
            "10.2.0.2",
            5353,
            53,
            TestFlow.UDP,
            0,
            0,
            2,
            150,
            start,
            end,
            4,
            1,
            100,
            1));
    // ICMP echo request (8/0) and port unreachable (3/3)
    flows.add(
        new TestFlow(
            "10.1.0.3",
            "10.2.0.3",
            0,
            0x0800,
            TestFlow.ICMP,
            0,
            0,
            3,
            252,
            start,
            end,
            3,
            0,
            0,
            1));
    flows.add(
        new TestFlow(
            "10.2.0.3",
            "10.1.0.3",
            0,
            0x0303,
            TestFlow.ICMP,
            0xc0,
            0,
            1,
            56,
            start,
            end,
            3,
            0,
            0,
            1));
    // IPv6 TCP with RST|ACK, VLAN 4094
    flows.add(
        new TestFlow(
            "2001:db8::1",
            "2001:db8::2",
            40001,
            80,
            TestFlow.TCP,
            0,
            0x14,
            5,
            400,
            start,
            end,
            3,
            0,
            4094,
            3));
    // ICMPv6 echo request (128/0)
    flows.add(
        new TestFlow(
            "2001:db8::1",
            "2001:db8::3",
            0,
            0x8000,
            TestFlow.ICMPV6,
            0,
            0,
            4,
            416,
            start,
            end,
            3,
            0,
            0,
            1));
    // IPv6 UDP, egress
    flows.add(
        new TestFlow(
            "2001:db8::4",
            "2001:db8::5",
            1234,
            4321,
            TestFlow.UDP,
            0,
            0,
            7,
            7000,
            start,
            end,
            5,
            1,
            7,
            4));
    // a large IPv4 flow, counters beyond 32 bits
    flows.add(
        new TestFlow(
            "10.1.0.9",
            "10.2.0.9",
            50000,
            9000,
            TestFlow.TCP,
            0,
            0x18,
            5_000_000_000L,
            6_000_000_000_000L,
            start,
            end,
            3,
            0,
            0,
            2));
    for (int i = 0; i < fillers; i++) {
      boolean v4 = i % 3 != 2;
      String src =
          v4
              ? "10.3." + (i / 250) + "." + (i % 250 + 1)
              : "2001:db8:1::" + Integer.toHexString(i + 1);
      String dst = v4 ? "10.4.0.1" : "2001:db8:2::1";
      flows.add(
          new TestFlow(
              src,
              dst,
              10000 + i,
              8080,
              TestFlow.UDP,
              0,
              0,
              i + 1,
              100L * (i + 1),
              start,
              end,
              3,
              0,
              0,
              1));
    }
    return flows;
  }
}
