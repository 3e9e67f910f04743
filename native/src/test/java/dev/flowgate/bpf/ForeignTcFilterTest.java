package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.bpf.FlowgateUnderTest.FlowCounters;
import dev.flowgate.lab.Await;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.Lab;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Another tool's TC classifier on the same hook keeps seeing every packet while flowgate's is
 * attached, whichever runs first: the foreign program (native/src/test/bpf/t_foreign_tc.bpf.c)
 * counts what it sees in its own map, flowgate counts in its totals, and after N frames both say N.
 * The foreign program is attached the way other tools do it: a classic clsact filter added with
 * iproute2 ({@code tc filter add ... bpf da object-pinned}) or a TCX link.
 */
@Tag("kernel")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForeignTcFilterTest {
  static final int FRAMES = 2000;
  static final int SLOT = 7;

  /** Who is attached, how, and in which order. */
  enum Arrangement {
    OURS_TCX_THEN_FOREIGN_CLSACT_FILTER,
    OURS_TCX_THEN_FOREIGN_TCX,
    FOREIGN_TCX_THEN_OURS_TCX,
    OURS_CLSACT_THEN_FOREIGN_CLSACT_FILTER_AFTER_IT,
    FOREIGN_CLSACT_FILTER_THEN_OURS_CLSACT_AFTER_IT
  }

  private Lab lab;
  private FlowgateUnderTest flowgate;
  private BpfObject foreignObject;
  private final List<AutoCloseable> links = new ArrayList<>();

  @BeforeEach
  void setUp() {
    lab = Lab.open();
    flowgate = FlowgateUnderTest.load(1024, null);
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      for (int i = links.size() - 1; i >= 0; i--) {
        links.get(i).close();
      }
      if (foreignObject != null) {
        foreignObject.close();
      }
      if (flowgate != null) {
        flowgate.close();
      }
    } finally {
      lab.close();
    }
  }

  @ParameterizedTest(name = "ingress, {0}")
  @EnumSource(Arrangement.class)
  void foreignFilterSeesEveryIngressPacketNextToOurs(Arrangement arrangement) {
    run(arrangement, TcDirection.INGRESS);
  }

  @ParameterizedTest(name = "egress, {0}")
  @EnumSource(Arrangement.class)
  void foreignFilterSeesEveryEgressPacketNextToOurs(Arrangement arrangement) {
    run(arrangement, TcDirection.EGRESS);
  }

  private void run(Arrangement arrangement, TcDirection direction) {
    Netns ns = lab.netns();
    VethPair veth = lab.quietVeth(Netns.HOST, ns);
    VethPair.End hook = veth.a(); // the host end carries both programs
    int ifindex = hook.ifindex();
    flowgate.assignSlot(ifindex, SLOT);
    BpfProgram ours =
        flowgate.program(direction == TcDirection.INGRESS ? "fg_tc_ingress" : "fg_tc_egress");
    String tcDir = direction == TcDirection.INGRESS ? "ingress" : "egress";

    LongSupplier foreignSeen =
        switch (arrangement) {
          case OURS_TCX_THEN_FOREIGN_CLSACT_FILTER -> {
            links.add(BpfLink.attachTc(ours, ifindex, direction));
            yield foreignClsactFilter(hook.name(), tcDir, 10);
          }
          case OURS_TCX_THEN_FOREIGN_TCX -> {
            links.add(BpfLink.attachTcx(ours, ifindex, direction));
            yield foreignTcx(ifindex, direction);
          }
          case FOREIGN_TCX_THEN_OURS_TCX -> {
            LongSupplier seen = foreignTcx(ifindex, direction);
            links.add(BpfLink.attachTcx(ours, ifindex, direction));
            yield seen;
          }
          case OURS_CLSACT_THEN_FOREIGN_CLSACT_FILTER_AFTER_IT -> {
            BpfLink link = BpfLink.attachClsact(ours, ifindex, direction);
            links.add(link);
            yield foreignClsactFilter(hook.name(), tcDir, link.tcPriority() + 1);
          }
          case FOREIGN_CLSACT_FILTER_THEN_OURS_CLSACT_AFTER_IT -> {
            LongSupplier seen = foreignClsactFilter(hook.name(), tcDir, 1);
            links.add(BpfLink.attachClsact(ours, ifindex, direction));
            yield seen;
          }
        };
    assertThat(foreignSeen.getAsLong()).as("foreign counter before traffic").isZero();

    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < FRAMES; i++) {
      frames.add(
          switch (i % 4) {
            case 0 ->
                Frames.ipv4("198.51.100.1", "203.0.113.1")
                    .udp(10000 + i % 50, 53)
                    .payload(20)
                    .build()
                    .bytes();
            case 1 ->
                Frames.ipv6("2001:db8:1::1", "2001:db8:2::1")
                    .tcp(20000 + i % 50, 443, Frames.TCP_ACK)
                    .build()
                    .bytes();
            case 2 ->
                Frames.ipv4("198.51.100.2", "203.0.113.2")
                    .dot1q(42)
                    .icmp(8, 0)
                    .payload(8)
                    .build()
                    .bytes();
            default -> Frames.ethernet(Frames.ETH_P_ARP).payload(28).build().bytes();
          });
    }
    // ingress: frames come from the namespace end; egress: they leave the host end
    FrameSender.send(direction == TcDirection.INGRESS ? veth.b() : veth.a(), frames);

    int dir = direction == TcDirection.INGRESS ? Layout.DIR_INGRESS : Layout.DIR_EGRESS;
    Await.until("foreign filter saw " + FRAMES, () -> foreignSeen.getAsLong() >= FRAMES);
    Await.until("flowgate saw " + FRAMES, () -> flowgate.totals(SLOT, dir).allPackets() >= FRAMES);
    assertThat(foreignSeen.getAsLong()).as("foreign filter's own counter").isEqualTo(FRAMES);
    FlowgateUnderTest.Totals totals = flowgate.totals(SLOT, dir);
    assertThat(totals.allPackets()).as("flowgate totals").isEqualTo(FRAMES);
    assertThat(totals.otherPackets()).as("flowgate other (ARP)").isEqualTo(FRAMES / 4);
    long flowPackets = flowgate.flows().values().stream().mapToLong(FlowCounters::packets).sum();
    assertThat(flowPackets).as("flowgate flow packets").isEqualTo(totals.packets());
  }

  /** The foreign classifier as a classic filter, added by iproute2 at {@code prio}. */
  private LongSupplier foreignClsactFilter(String ifname, String tcDir, int prio) {
    Path pins = lab.pinDir();
    Path prog = pins.resolve("prog");
    Path maps = pins.resolve("maps");
    Netns.HOST.check(
        "bpftool",
        "prog",
        "load",
        TestObjects.test("t_foreign_tc").toString(),
        prog.toString(),
        "type",
        "classifier",
        "pinmaps",
        maps.toString());
    Netns.HOST.run("tc", "qdisc", "add", "dev", ifname, "clsact"); // exists already if ours made it
    Netns.HOST.check(
        "tc",
        "filter",
        "add",
        "dev",
        ifname,
        tcDir,
        "prio",
        String.valueOf(prio),
        "bpf",
        "direct-action",
        "object-pinned",
        prog.toString());
    BpfMap seen = BpfMap.openPinned(maps.resolve("t_foreign_seen"));
    links.add(seen);
    return () -> readCounter(seen);
  }

  /** The foreign classifier as a TCX link (appended after whatever is attached). */
  private LongSupplier foreignTcx(int ifindex, TcDirection direction) {
    foreignObject = BpfObject.open(TestObjects.test("t_foreign_tc"));
    foreignObject.load();
    links.add(BpfLink.attachTcx(foreignObject.program("t_foreign_tc"), ifindex, direction));
    BpfMap seen = foreignObject.map("t_foreign_seen");
    return () -> readCounter(seen);
  }

  private static long readCounter(BpfMap map) {
    ByteBuffer key = NativeBpf.allocate(4);
    ByteBuffer value = NativeBpf.allocate(map.valueBufferSize());
    map.lookup(key, value);
    return value.getLong(0);
  }
}
