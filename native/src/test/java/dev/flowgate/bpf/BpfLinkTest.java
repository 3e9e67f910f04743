package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.lab.Await;
import dev.flowgate.lab.Command;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.Lab;
import dev.flowgate.lab.MacAddress;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Attaching the real programs to the host end of a veth pair whose other end sits in a namespace of
 * this test; frames sent from the namespace arrive on the host end.
 */
@Tag("kernel")
@Timeout(120)
class BpfLinkTest {
  /**
   * Destination MAC of the test frames: not the host end's, so the host stack drops them before IP
   * (XDP and TC ingress still see them) and never routes them anywhere.
   */
  private static final MacAddress NOT_OURS = MacAddress.parse("02:00:5e:00:53:01");

  private final List<AutoCloseable> closeFirst = new ArrayList<>();
  private Lab lab;
  private VethPair veth;
  private String host; // interface name of the host end
  private int ifindex;
  private BpfObject obj;
  private FlowTable table;

  @BeforeEach
  void setUp() {
    lab = Lab.open();
    Netns ns = lab.netns();
    veth = lab.veth(Netns.HOST, ns);
    veth.a().up();
    veth.b().up();
    host = veth.a().name();
    ifindex = veth.a().ifindex();
    obj = TestObjects.openFlowgate(1024);
    obj.load();
    table = closeLater(FlowTable.open(obj));
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      for (AutoCloseable c : closeFirst) {
        try {
          c.close();
        } catch (Exception e) {
          // keep closing; the lab removes the interface anyway
        }
      }
      if (obj != null) {
        obj.close();
      }
    } finally {
      lab.close(); // namespaces, veth (with anything still attached), pin dirs
    }
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    closeFirst.add(0, c);
    return c;
  }

  private void send(int n) {
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      frames.add(
          Frames.ipv4("198.51.100.1", "203.0.113.1")
              .udp(2000 + i, 53)
              .payload(32)
              .macs(veth.b().mac(), NOT_OURS)
              .build()
              .bytes());
    }
    FrameSender.send(veth.b(), frames);
  }

  /** Packets the flow table holds for the host end in {@code direction}. */
  private long counted(int direction) {
    ByteBuffer keys = NativeBpf.allocate((int) table.capacity() * Layout.FLOW_KEY_SIZE);
    ByteBuffer values = NativeBpf.allocate((int) table.capacity() * Layout.FLOW_STATS_SIZE);
    int n = table.copy(table.current(), keys, values);
    long packets = 0;
    for (int i = 0; i < n; i++) {
      if (Layout.flowKeyIfindex(keys, i * Layout.FLOW_KEY_SIZE) == ifindex
          && Layout.flowKeyDirection(keys, i * Layout.FLOW_KEY_SIZE) == direction
          && Layout.flowKeyProtocol(keys, i * Layout.FLOW_KEY_SIZE) == 17) {
        packets += Layout.flowStatsPackets(values, i * Layout.FLOW_STATS_SIZE);
      }
    }
    return packets;
  }

  private void awaitCounted(int direction, long n) {
    Await.until(n + " packets counted on " + host, () -> counted(direction) >= n);
    assertThat(counted(direction)).isEqualTo(n);
  }

  private String ip(String... args) {
    List<String> argv = new ArrayList<>(List.of("ip"));
    argv.addAll(List.of(args));
    return Command.run(argv).orThrow().stdout();
  }

  private Command.Result attachForeignXdp() {
    return Command.run(
        List.of(
            "ip",
            "link",
            "set",
            "dev",
            host,
            "xdpdrv",
            "obj",
            TestObjects.test("t_foreign").toString(),
            "sec",
            "xdp"));
  }

  private static String netShow(String dev) {
    return Command.run(List.of("bpftool", "net", "show", "dev", dev)).orThrow().stdout();
  }

  private static String tcShow(String dev) {
    return Command.run(List.of("tc", "qdisc", "show", "dev", dev)).orThrow().stdout()
        + Command.run(List.of("tc", "filter", "show", "dev", dev, "ingress")).stdout()
        + Command.run(List.of("tc", "filter", "show", "dev", dev, "egress")).stdout();
  }

  @Test
  void nativeXdpCountsWhatArrivesAndDetachesOnClose() {
    BpfProgram xdp = obj.program("fg_xdp");
    BpfLink link = closeLater(BpfLink.attachXdp(xdp, ifindex, XdpMode.NATIVE));
    assertThat(link.kind()).isEqualTo(BpfLink.Kind.XDP);
    assertThat(link.programId()).isEqualTo(xdp.id());
    assertThat(BpfLink.attachedXdpProgramId(ifindex, XdpMode.NATIVE)).isEqualTo(xdp.id());

    send(7);
    awaitCounted(Layout.DIR_INGRESS, 7);

    link.close();
    assertThat(BpfLink.attachedXdpProgramId(ifindex, XdpMode.NATIVE)).isZero();
    send(3);
    assertThat(counted(Layout.DIR_INGRESS)).isEqualTo(7);
  }

  @Test
  void aForeignXdpProgramCannotReplaceOurs() {
    BpfProgram xdp = obj.program("fg_xdp");
    closeLater(BpfLink.attachXdp(xdp, ifindex, XdpMode.NATIVE));

    Command.Result foreign = attachForeignXdp();

    assertThat(foreign.ok()).as("ip link set xdpdrv over our link: %s", foreign).isFalse();
    assertThat(BpfLink.attachedXdpProgramId(ifindex, XdpMode.NATIVE)).isEqualTo(xdp.id());
  }

  @Test
  void ourXdpAttachNeverReplacesAForeignProgram() {
    attachForeignXdp().orThrow();
    int foreignId = BpfLink.attachedXdpProgramId(ifindex, XdpMode.NATIVE);
    assertThat(foreignId).isPositive();

    assertThatThrownBy(
            () -> closeLater(BpfLink.attachXdp(obj.program("fg_xdp"), ifindex, XdpMode.NATIVE)))
        .isInstanceOfSatisfying(
            BpfException.class,
            e -> {
              assertThat(e.errno()).isEqualTo(16); // EBUSY
              assertThat(e.detail()).contains("prog id " + foreignId).contains("never replaces");
            });
    assertThatThrownBy(
            () -> closeLater(BpfLink.attachXdp(obj.program("fg_xdp"), ifindex, XdpMode.GENERIC)))
        .isInstanceOfSatisfying(
            BpfException.class, e -> assertThat(e.errno()).isEqualTo(17)); // EEXIST

    assertThat(BpfLink.attachedXdpProgramId(ifindex, XdpMode.NATIVE)).isEqualTo(foreignId);
    ip("link", "set", "dev", host, "xdpdrv", "off");
  }

  @Test
  void tcxAttachCountsAndDetachLeavesTheInterfaceAsItWas() {
    String netBefore = netShow(host);
    String tcBefore = tcShow(host);
    BpfProgram tc = obj.program("fg_tc_ingress");

    BpfLink link = closeLater(BpfLink.attachTc(tc, ifindex, TcDirection.INGRESS));
    assertThat(link.kind()).isEqualTo(BpfLink.Kind.TCX);
    assertThat(link.direction()).isEqualTo(TcDirection.INGRESS);
    assertThat(link.programId()).isEqualTo(tc.id());
    assertThat(tcShow(host)).as("TCX needs no qdisc or filter").isEqualTo(tcBefore);

    send(5);
    awaitCounted(Layout.DIR_INGRESS, 5);

    link.close();
    send(2);
    assertThat(counted(Layout.DIR_INGRESS)).isEqualTo(5);
    assertThat(netShow(host)).isEqualTo(netBefore);
    assertThat(tcShow(host)).isEqualTo(tcBefore);
  }

  @Test
  void tcxAndXdpCountTheSamePacketsSideBySide() {
    closeLater(BpfLink.attachXdp(obj.program("fg_xdp"), ifindex, XdpMode.NATIVE));
    closeLater(BpfLink.attachTc(obj.program("fg_tc_egress"), ifindex, TcDirection.EGRESS));
    closeLater(BpfLink.attachTc(obj.program("fg_tc_ingress"), ifindex, TcDirection.INGRESS));
    send(4);
    // XDP and TC ingress both see each frame: one flow, twice the packets
    awaitCounted(Layout.DIR_INGRESS, 8);
  }

  @Test
  void clsactFallbackRemovesOnlyItsOwnFilter() {
    BpfProgram tc = obj.program("fg_tc_ingress");
    BpfLink link = closeLater(BpfLink.attachClsact(tc, ifindex, TcDirection.INGRESS));
    assertThat(link.kind()).isEqualTo(BpfLink.Kind.CLSACT);
    assertThat(link.tcPriority()).isPositive();
    String filters =
        Command.run(List.of("tc", "filter", "show", "dev", host, "ingress")).orThrow().stdout();
    assertThat(filters).contains("fg_tc_ingress").contains("direct-action");

    send(3);
    awaitCounted(Layout.DIR_INGRESS, 3);

    // a second filter of ours next to the first, then only the first goes
    BpfLink second = closeLater(BpfLink.attachClsact(tc, ifindex, TcDirection.INGRESS));
    assertThat(second.tcPriority()).isNotEqualTo(link.tcPriority());
    link.close();
    filters =
        Command.run(List.of("tc", "filter", "show", "dev", host, "ingress")).orThrow().stdout();
    assertThat(filters)
        .contains("pref " + second.tcPriority())
        .doesNotContain("pref " + link.tcPriority());
    assertThatThrownBy(() -> second.pin(lab.pinDir().resolve("x")))
        .isInstanceOfSatisfying(BpfException.class, e -> assertThat(e.errno()).isEqualTo(95));
    second.close();
    assertThat(Command.run(List.of("tc", "qdisc", "show", "dev", host)).orThrow().stdout())
        .as("the qdisc stays: it might be someone else's")
        .contains("clsact");
  }

  @Test
  void aPinnedXdpLinkOutlivesCloseUntilUnpinned() {
    Path pin = lab.pinDir().resolve("xdp_link");
    BpfProgram xdp = obj.program("fg_xdp");
    BpfLink link = BpfLink.attachXdp(xdp, ifindex, XdpMode.NATIVE);
    link.pin(pin);
    link.close();
    assertThat(BpfLink.attachedXdpProgramId(ifindex, XdpMode.NATIVE)).isEqualTo(xdp.id());

    BpfLink reopened = closeLater(BpfLink.openPinned(pin));
    assertThat(reopened.kind()).isEqualTo(BpfLink.Kind.XDP);
    assertThat(reopened.ifindex()).isEqualTo(ifindex);
    assertThat(reopened.programId()).isEqualTo(xdp.id());
    reopened.unpin();
    assertThat(pin).doesNotExist();
    reopened.close();
    assertThat(BpfLink.attachedXdpProgramId(ifindex, XdpMode.NATIVE)).isZero();
  }

  @Test
  void aPinnedTcxLinkReopensWithItsDirectionAndDetachesOnDemand() {
    Path pin = lab.pinDir().resolve("tcx_link");
    BpfProgram tc = obj.program("fg_tc_egress");
    try (BpfLink link = BpfLink.attachTcx(tc, ifindex, TcDirection.EGRESS)) {
      link.pin(pin);
    }
    BpfLink reopened = closeLater(BpfLink.openPinned(pin));
    assertThat(reopened.kind()).isEqualTo(BpfLink.Kind.TCX);
    assertThat(reopened.direction()).isEqualTo(TcDirection.EGRESS);
    assertThat(reopened.ifindex()).isEqualTo(ifindex);
    reopened.detach();
    reopened.unpin();
    reopened.close();
  }
}
