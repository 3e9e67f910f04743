package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.lab.Await;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.Lab;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-interface settings reach the programs from both maps: {@code fg_settings} (an ARRAY indexed
 * by ifindex, below {@link Layout#SETTINGS_DIRECT}) and {@code fg_settings_far} (a HASH, for larger
 * ifindexes: hosts that create and delete many interfaces). On real veths, one of each size, the TC
 * ingress program counts every frame under the interface's slot; with the settings cleared (an
 * all-zero array entry, a deleted hash entry) the same frames count under the unknown slot and as
 * DP_IFACE_UNKNOWN; settings written again take effect without reloading anything.
 */
@Tag("kernel")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InterfaceSettingsTest {
  static final int FRAMES = 500;
  static final int SLOT = 5;

  private FlowgateLab fg;
  private Lab lab;
  private FlowgateUnderTest flowgate;

  @BeforeEach
  void setUp() {
    fg = FlowgateLab.open();
    lab = fg.lab;
    flowgate = fg.flowgate;
  }

  @AfterEach
  void tearDown() {
    if (fg != null) {
      fg.close();
    }
  }

  @Test
  void smallIfindexUsesTheArray() {
    VethPair veth = lab.quietVeth(Netns.HOST, lab.netns());
    assertThat(veth.a().ifindex()).isLessThan(Layout.SETTINGS_DIRECT);
    check(veth, "fg_settings");
  }

  @Test
  void largeIfindexUsesTheHash() {
    int index = Layout.SETTINGS_DIRECT + 1 + (int) (ProcessHandle.current().pid() % 1_000_000);
    VethPair veth = lab.quietVeth(Netns.HOST, lab.netns(), index);
    assertThat(veth.a().ifindex()).isEqualTo(index);
    check(veth, "fg_settings_far");
  }

  private void check(VethPair veth, String map) {
    int ifindex = veth.a().ifindex();
    assertThat(Layout.settingsMapOf(ifindex)).isEqualTo(map);
    fg.attached(BpfLink.attachTc(flowgate.program("fg_tc_ingress"), ifindex, TcDirection.INGRESS));
    int in = Layout.DIR_INGRESS;

    flowgate.assignSlot(ifindex, SLOT);
    send(veth);
    Await.until("slot counts " + FRAMES, () -> flowgate.totals(SLOT, in).packets() >= FRAMES);
    assertThat(flowgate.totals(SLOT, in).packets()).isEqualTo(FRAMES);
    assertThat(flowgate.totals(Layout.SLOT_UNKNOWN, in).allPackets()).isZero();
    assertThat(flowgate.errors()[Layout.DP_IFACE_UNKNOWN]).isZero();

    clear(ifindex, map);
    send(veth);
    Await.until(
        "unknown slot counts " + FRAMES,
        () -> flowgate.totals(Layout.SLOT_UNKNOWN, in).packets() >= FRAMES);
    assertThat(flowgate.totals(Layout.SLOT_UNKNOWN, in).packets()).isEqualTo(FRAMES);
    assertThat(flowgate.errors()[Layout.DP_IFACE_UNKNOWN]).isEqualTo(FRAMES);
    assertThat(flowgate.totals(SLOT, in).packets()).isEqualTo(FRAMES);

    flowgate.assignSlot(ifindex, SLOT);
    send(veth);
    Await.until("slot counts again", () -> flowgate.totals(SLOT, in).packets() >= 2 * FRAMES);
    assertThat(flowgate.totals(SLOT, in).packets()).isEqualTo(2 * FRAMES);
    assertThat(flowgate.totals(Layout.SLOT_UNKNOWN, in).packets()).isEqualTo(FRAMES);
  }

  private void clear(int ifindex, String map) {
    BpfMap m = flowgate.object().map(map);
    ByteBuffer key = NativeBpf.allocate(4).putInt(0, ifindex);
    if (m.type() == BpfMap.TYPE_ARRAY) {
      m.update(key, NativeBpf.allocate(Layout.IFACE_SETTINGS_SIZE), BpfMap.BPF_ANY);
    } else {
      assertThat(m.delete(key)).isTrue();
    }
  }

  private static void send(VethPair veth) {
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < FRAMES; i++) {
      frames.add(
          Frames.ipv4("198.51.100.1", "203.0.113.1")
              .udp(10000 + i % 20, 53)
              .payload(16)
              .build()
              .bytes());
    }
    FrameSender.send(veth.b(), frames); // from the namespace end: ingress on the host end
  }
}
