package dev.flowgate.exporters.testing;

/** The flows whose encodings the byte-exact tests spell out. */
public final class SampleFlows {

  private SampleFlows() {}

  /** 1_700_000_000_000 ms: 0x0000018bcfe56800. */
  public static final long START = 1_700_000_000_000L;

  /** START + 1.5 s: 0x0000018bcfe56ddc. */
  public static final long END = 1_700_000_001_500L;

  /**
   * 192.0.2.1:40000 -> 198.51.100.2:443 TCP, ToS 0x10, flags SYN|FIN|PSH|ACK, 10 pkts, 1500 B,
   * ingress ifindex 3, VLAN 100, end of flow.
   */
  public static TestFlow tcp4() {
    return new TestFlow(
        "192.0.2.1",
        "198.51.100.2",
        40000,
        443,
        TestFlow.TCP,
        0x10,
        0x1b,
        10,
        1500,
        START,
        END,
        3,
        0,
        100,
        3);
  }

  /**
   * 2001:db8::1 -> 2001:db8::2 ICMPv6 echo request (128/0), 4 pkts, 416 B, egress ifindex 5, idle
   * timeout.
   */
  public static TestFlow icmp6() {
    return new TestFlow(
        "2001:db8::1",
        "2001:db8::2",
        0,
        0x8000,
        TestFlow.ICMPV6,
        0,
        0,
        4,
        416,
        START,
        END,
        5,
        1,
        0,
        1);
  }
}
