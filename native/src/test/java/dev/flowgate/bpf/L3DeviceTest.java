package dev.flowgate.bpf;

import static dev.flowgate.bpf.ParserCase.Expect.flow;
import static dev.flowgate.bpf.ParserCase.Expect.icmp;
import static dev.flowgate.lab.Frames.IPPROTO_ICMP;
import static dev.flowgate.lab.Frames.IPPROTO_ICMPV6;
import static dev.flowgate.lab.Frames.IPPROTO_TCP;
import static dev.flowgate.lab.Frames.IPPROTO_UDP;
import static dev.flowgate.lab.Frames.TCP_ACK;
import static dev.flowgate.lab.Frames.TCP_FIN;
import static dev.flowgate.lab.Frames.TCP_PSH;
import static dev.flowgate.lab.Frames.TCP_SYN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.bpf.FlowgateUnderTest.FlowCounters;
import dev.flowgate.bpf.FlowgateUnderTest.FlowKey;
import dev.flowgate.lab.Await;
import dev.flowgate.lab.Command;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.Lab;
import dev.flowgate.netlink.Link;
import dev.flowgate.netlink.LinkType;
import dev.flowgate.netlink.Rtnetlink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/**
 * An L3 device for real: a {@code tun} interface (ARPHRD_NONE, frames start with the IP header)
 * whose settings carry FG_SETTINGS_RAW_IP, as the control plane writes them from the link type. A
 * known mix of IPv4 and IPv6 packets written into the tun (they arrive as received packets) is
 * counted into flows exactly, at TC ingress and at generic XDP (tun has no native XDP).
 *
 * <p>The tun has no address, IPv4 forwarding off and IPv6 off: the host drops every packet after
 * the hooks, so nothing leaves the machine.
 */
@Tag("kernel")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class L3DeviceTest {
  static final int SLOT = 11;

  /** Writes hex-encoded IP packets (argv[2..]) into tun argv[1] (IFF_TUN | IFF_NO_PI). */
  private static final String TUN_WRITER =
      """
      import fcntl, os, struct, sys
      fd = os.open("/dev/net/tun", os.O_RDWR)
      fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", sys.argv[1].encode(), 0x0001 | 0x1000))
      for h in sys.argv[2:]:
          os.write(fd, bytes.fromhex(h))
      os.close(fd)
      """;

  @RegisterExtension final FlowgateLab fg = new FlowgateLab();
  private FlowgateUnderTest flowgate;
  private String tun;
  private int ifindex;

  @BeforeEach
  void setUp() {
    flowgate = fg.flowgate();
    tun = Lab.uniqueName();
    Command.check("ip", "tuntap", "add", "dev", tun, "mode", "tun");
    fg.lab().onClose("tun " + tun, () -> Command.check("ip", "link", "del", "dev", tun));
    Command.check("sysctl", "-q", "-w", "net.ipv6.conf." + tun + ".disable_ipv6=1");
    Command.check("sysctl", "-q", "-w", "net.ipv4.conf." + tun + ".forwarding=0");
    Command.check("ip", "link", "set", "dev", tun, "up");
    Link link =
        Rtnetlink.links().stream().filter(l -> l.name().equals(tun)).findFirst().orElseThrow();
    assertThat(link.type()).isEqualTo(LinkType.NONE);
    ifindex = link.ifindex();
    flowgate.assignSlot(ifindex, SLOT, link.carriesRawIp());
  }

  @Test
  void tunTrafficIsCountedInFlowsExactlyAtTcIngress() {
    fg.attached(BpfLink.attachTc(flowgate.program("fg_tc_ingress"), ifindex, TcDirection.INGRESS));
    sendAndCheck();
  }

  @Test
  void tunTrafficIsCountedInFlowsExactlyAtGenericXdp() {
    fg.attached(BpfLink.attachXdp(flowgate.program("fg_xdp"), ifindex, XdpMode.GENERIC));
    sendAndCheck();
  }

  private void sendAndCheck() {
    String c4 = "198.51.100.7";
    String s4 = "203.0.113.7";
    String c6 = "2001:db8:7::1";
    String s6 = "2001:db8:8::1";
    List<ParserCase> mix = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      mix.add(
          ParserTable.raw(
              "udp" + i,
              Frames.ipv4(c4, s4).udp(5001, 53).payload(20 + 10 * i),
              flow(c4, s4, IPPROTO_UDP, 5001, 53)));
    }
    for (int flags : new int[] {TCP_SYN, TCP_ACK, TCP_PSH | TCP_ACK, TCP_FIN | TCP_ACK}) {
      mix.add(
          ParserTable.raw(
              "tcp" + flags,
              Frames.ipv4(c4, s4).tos(0x28).tcp(40000, 443, flags).payload(100),
              flow(c4, s4, IPPROTO_TCP, 40000, 443).tcpFlags(flags).tos(0x28)));
    }
    for (int i = 0; i < 2; i++) {
      mix.add(
          ParserTable.raw(
              "icmp" + i,
              Frames.ipv4(c4, s4).icmp(8, 0).payload(56),
              icmp(c4, s4, IPPROTO_ICMP, 8, 0)));
    }
    for (int i = 0; i < 2; i++) {
      mix.add(
          ParserTable.raw(
              "udp6" + i,
              Frames.ipv6(c6, s6).udp(6001, 53).payload(100),
              flow(c6, s6, IPPROTO_UDP, 6001, 53)));
    }
    mix.add(
        ParserTable.raw(
            "tcp6",
            Frames.ipv6(c6, s6).tcp(40001, 80, TCP_SYN),
            flow(c6, s6, IPPROTO_TCP, 40001, 80).tcpFlags(TCP_SYN)));
    mix.add(
        ParserTable.raw(
            "icmp6",
            Frames.ipv6(c6, s6).icmpv6(128, 0).payload(8),
            icmp(c6, s6, IPPROTO_ICMPV6, 128, 0)));

    Map<FlowKey, FlowCounters> expected = new HashMap<>();
    long bytes = 0;
    List<String> argv = new ArrayList<>(List.of("/usr/bin/python3", "-c", TUN_WRITER, tun));
    for (ParserCase c : mix) {
      expected.merge(
          c.expect().key(ifindex, Layout.DIR_INGRESS), c.expect().counters(), FlowCounters::plus);
      bytes += c.expect().bytes;
      argv.add(HexFormat.of().formatHex(c.frame()));
    }
    Command.check(argv.toArray(String[]::new));

    Await.until(
        "the hook saw " + mix.size() + " packets",
        () -> flowgate.totals(SLOT, Layout.DIR_INGRESS).allPackets() >= mix.size());
    assertThat(flowgate.totals(SLOT, Layout.DIR_INGRESS))
        .isEqualTo(new FlowgateUnderTest.Totals(mix.size(), bytes, 0, 0, 0, 0));
    assertThat(flowgate.errors())
        .as(Layout.DP_ERROR_NAMES.toString())
        .containsExactly(new long[Layout.DP_ERROR_MAX]);
    assertThat(flowgate.flows()).isEqualTo(expected);
  }
}
