package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.bpf.FlowgateUnderTest.FirstPacket;
import dev.flowgate.bpf.FlowgateUnderTest.FlowKey;
import dev.flowgate.lab.Await;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.GatewayLab;
import dev.flowgate.lab.Lab;
import dev.flowgate.lab.MacAddress;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A VLAN-tagged flow's FIB lookup starts on the VLAN device the kernel delivers the frame to
 * ({@code fg_vlan_devs}, route.h), not on the interface it arrived on. This kernel cannot create
 * 802.1Q devices (LAB.md), so the entry is written by hand: (router's client side, VID 10) -> X, a
 * real interface whose own policy rule ({@code iif X lookup T}) routes the server prefix out of X
 * through another gateway. The FIB's answer thus depends on the input interface, and a tagged flow
 * shows X's answer while the untagged one and a tagged one without an entry (VID 11) show the
 * client side's: out of the server side via the server's next hop. Both ingress hooks: XDP (the tag
 * in the frame) and TC (the kernel has moved the tag into skb->vlan_tci).
 */
@Tag("kernel")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VlanDeviceLookupTest {
  static final int SLOT = 0;
  static final int VID = 10;
  static final int VID_WITHOUT_DEVICE = 11;
  static final String X_NEXT_HOP = "192.0.2.1";
  static final String SERVER_NEXT_HOP = "203.0.113.254";
  static final int FORWARDED = 64;

  private Lab lab;
  private FlowgateUnderTest flowgate;
  private GatewayLab gw;
  private VethPair.End x;
  private BpfLink link;

  @BeforeEach
  void setUp() {
    lab = Lab.open();
    flowgate = FlowgateUnderTest.load(4096, lab.pinDir());
    gw = GatewayLab.create(lab);
    Netns far = lab.netns();
    VethPair other = lab.veth(Netns.HOST, far);
    other.b().conf("ipv6", "disable_ipv6", "1").up();
    x =
        other
            .a()
            .conf("ipv6", "addr_gen_mode", "1")
            .conf("ipv4", "forwarding", "1")
            .conf("ipv4", "rp_filter", "0")
            .up();
    String table = String.valueOf(2_000_000 + x.ifindex());
    Netns.HOST.check(
        "ip",
        "route",
        "add",
        GatewayLab.SERVER_V4_PREFIX + "0/24",
        "via",
        X_NEXT_HOP,
        "dev",
        x.name(),
        "onlink",
        "table",
        table);
    lab.onClose(
        "routing table " + table, () -> Netns.HOST.run("ip", "route", "flush", "table", table));
    Netns.HOST.check("ip", "-4", "rule", "add", "iif", x.name(), "lookup", table);
    lab.onClose(
        "rule iif " + x.name(),
        () -> Netns.HOST.check("ip", "-4", "rule", "del", "iif", x.name(), "lookup", table));
    int rc = gw.routerClientSide().ifindex();
    flowgate.assignSlot(rc, SLOT);
    ByteBuffer key = NativeBpf.allocate(Layout.VLAN_KEY_SIZE);
    Layout.putVlanKey(key, 0, rc, VID);
    flowgate
        .object()
        .map(Layout.VLAN_DEVS_MAP)
        .update(key, NativeBpf.allocate(4).putInt(0, x.ifindex()), BpfMap.BPF_ANY);
  }

  @AfterEach
  void tearDown() {
    try {
      if (link != null) {
        link.close();
      }
      if (flowgate != null) {
        flowgate.close();
      }
    } finally {
      lab.close();
    }
  }

  @Test
  void xdpLooksATaggedFlowUpOnItsVlanDevice() {
    link =
        BpfLink.attachXdp(
            flowgate.program("fg_xdp"), gw.routerClientSide().ifindex(), XdpMode.NATIVE);
    sendAndCheck();
  }

  @Test
  void tcIngressLooksATaggedFlowUpOnItsVlanDevice() {
    link =
        BpfLink.attachTc(
            flowgate.program("fg_tc_ingress"),
            gw.routerClientSide().ifindex(),
            TcDirection.INGRESS);
    sendAndCheck();
  }

  private void sendAndCheck() {
    MacAddress[] m = gw.clientFrameMacs();
    String dst = GatewayLab.SERVER_V4_PREFIX + "7";
    List<byte[]> frames =
        List.of(
            Frames.ipv4(GatewayLab.CLIENT_V4_PREFIX + "1", dst)
                .macs(m[0], m[1])
                .udp(5001, 53)
                .build()
                .bytes(),
            Frames.ipv4(GatewayLab.CLIENT_V4_PREFIX + "2", dst)
                .macs(m[0], m[1])
                .dot1q(VID)
                .udp(5002, 53)
                .build()
                .bytes(),
            Frames.ipv4(GatewayLab.CLIENT_V4_PREFIX + "3", dst)
                .macs(m[0], m[1])
                .dot1q(VID_WITHOUT_DEVICE)
                .udp(5003, 53)
                .build()
                .bytes());
    FrameSender.send(gw.clientEnd(), frames);
    Await.until(
        "the hook saw the 3 frames",
        () -> flowgate.totals(SLOT, Layout.DIR_INGRESS).packets() >= 3);

    Map<FlowKey, FirstPacket> first = flowgate.firstPackets();
    int rc = gw.routerClientSide().ifindex();
    int rs = gw.routerServerSide().ifindex();
    assertThat(first).hasSize(3);
    assertThat(first.get(key(1, 5001, 0, rc)))
        .as("untagged: looked up on the client side")
        .isEqualTo(new FirstPacket(FORWARDED, rs, SERVER_NEXT_HOP));
    assertThat(first.get(key(2, 5002, VID, rc)))
        .as("VID %d: looked up on its VLAN device X (ifindex %d)", VID, x.ifindex())
        .isEqualTo(new FirstPacket(FORWARDED, x.ifindex(), X_NEXT_HOP));
    assertThat(first.get(key(3, 5003, VID_WITHOUT_DEVICE, rc)))
        .as("VID %d, no VLAN device: looked up where it arrived", VID_WITHOUT_DEVICE)
        .isEqualTo(new FirstPacket(FORWARDED, rs, SERVER_NEXT_HOP));
  }

  private static FlowKey key(int client, int sport, int vid, int ifindex) {
    return new FlowKey(
        GatewayLab.CLIENT_V4_PREFIX + client,
        GatewayLab.SERVER_V4_PREFIX + "7",
        sport,
        53,
        ifindex,
        vid,
        Frames.IPPROTO_UDP,
        Layout.DIR_INGRESS);
  }
}
