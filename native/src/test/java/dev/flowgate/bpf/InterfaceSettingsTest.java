package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.lab.Await;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

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

  @RegisterExtension final FlowgateLab fg = new FlowgateLab();

  @Test
  void smallIfindexUsesTheArray() {
    VethPair veth = fg.veth();
    assertThat(veth.a().ifindex()).isLessThan(Layout.SETTINGS_DIRECT);
    check(veth, "fg_settings");
  }

  @Test
  void largeIfindexUsesTheHash() {
    int index = Layout.SETTINGS_DIRECT + 1 + (int) (ProcessHandle.current().pid() % 1_000_000);
    VethPair veth = fg.lab().quietVeth(Netns.HOST, fg.lab().netns(), index);
    assertThat(veth.a().ifindex()).isEqualTo(index);
    check(veth, "fg_settings_far");
  }

  private void check(VethPair veth, String map) {
    int ifindex = veth.a().ifindex();
    assertThat(Layout.settingsMapOf(ifindex)).isEqualTo(map);
    fg.attached(
        BpfLink.attachTc(fg.flowgate().program("fg_tc_ingress"), ifindex, TcDirection.INGRESS));
    int in = Layout.DIR_INGRESS;

    fg.flowgate().assignSlot(ifindex, SLOT);
    send(veth);
    Await.until("slot counts " + FRAMES, () -> fg.flowgate().totals(SLOT, in).packets() >= FRAMES);
    assertThat(fg.flowgate().totals(SLOT, in).packets()).isEqualTo(FRAMES);
    assertThat(fg.flowgate().totals(Layout.SLOT_UNKNOWN, in).allPackets()).isZero();
    assertThat(fg.flowgate().errors()[Layout.DP_IFACE_UNKNOWN]).isZero();

    clear(ifindex, map);
    send(veth);
    Await.until(
        "unknown slot counts " + FRAMES,
        () -> fg.flowgate().totals(Layout.SLOT_UNKNOWN, in).packets() >= FRAMES);
    assertThat(fg.flowgate().totals(Layout.SLOT_UNKNOWN, in).packets()).isEqualTo(FRAMES);
    assertThat(fg.flowgate().errors()[Layout.DP_IFACE_UNKNOWN]).isEqualTo(FRAMES);
    assertThat(fg.flowgate().totals(SLOT, in).packets()).isEqualTo(FRAMES);

    fg.flowgate().assignSlot(ifindex, SLOT);
    send(veth);
    Await.until("slot counts again", () -> fg.flowgate().totals(SLOT, in).packets() >= 2 * FRAMES);
    assertThat(fg.flowgate().totals(SLOT, in).packets()).isEqualTo(2 * FRAMES);
    assertThat(fg.flowgate().totals(Layout.SLOT_UNKNOWN, in).packets()).isEqualTo(FRAMES);
  }

  private void clear(int ifindex, String map) {
    BpfMap m = fg.flowgate().object().map(map);
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
