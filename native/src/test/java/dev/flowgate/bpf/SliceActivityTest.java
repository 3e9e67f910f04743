package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flowgate.lab.Await;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.VethPair;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On a real veth with fg_xdp attached: the CPU slices {@link SliceActivity} names for a retired
 * half hold every entry of that half (a copy of those slices alone is a copy of the whole half,
 * and emptying them empties the half), and a half no program wrote since it was emptied names no
 * slice, so its sweep reads nothing.
 */
@Tag("kernel")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SliceActivityTest {
  static final int SLOT = 5;
  static final int FLOWS = 200;

  @RegisterExtension final FlowgateLab fg = new FlowgateLab();

  private static List<byte[]> frames() {
    List<byte[]> f = new ArrayList<>();
    for (int i = 1; i <= FLOWS; i++) {
      f.add(Frames.ipv4("198.51.100.7", "203.0.113.9").udp(i, 53).payload(32).build().bytes());
    }
    return f;
  }

  @Test
  void theSlicesNamedHoldEveryEntryAndAnUnwrittenHalfNamesNone() {
    VethPair veth = fg.veth();
    int ifindex = veth.a().ifindex();
    fg.flowgate().assignSlot(ifindex, SLOT);
    BpfLink link =
        fg.attached(BpfLink.attachXdp(fg.flowgate().program("fg_xdp"), ifindex, XdpMode.NATIVE));
    int cpus = Runtime.getRuntime().availableProcessors();
    assumeTrue(cpus >= 2, "sends from CPU 1 only; this JVM may use " + cpus);
    FlowTable table = fg.flowgate().table();
    SliceActivity activity =
        new SliceActivity(fg.flowgate().object().map("fg_totals"), table.cpus());
    ByteBuffer keys = NativeBpf.allocate((int) table.capacity() * Layout.FLOW_KEY_SIZE);
    ByteBuffer values = NativeBpf.allocate((int) table.capacity() * Layout.FLOW_STATS_SIZE);

    // empty a half through the activity (it then knows that half's totals), and write it again
    int half = table.swap();
    BitSet before = activity.written(half);
    table.clear(half, before);
    activity.emptied(half);
    assertThat(table.used(half)).isZero();
    assertThat(table.swap()).isEqualTo(half ^ 1);
    long counted = fg.flowgate().totals(SLOT, Layout.DIR_INGRESS).packets();
    FrameSender.sendFromCpu(veth.b(), frames(), 1);
    Await.until(
        FLOWS + " packets counted",
        () -> fg.flowgate().totals(SLOT, Layout.DIR_INGRESS).packets() >= counted + FLOWS);
    assertThat(table.swap()).isEqualTo(half);
    BitSet written = activity.written(half);
    assertThat(written.get(1)).as("CPU 1 sent every frame").isTrue();
    int all = table.copy(half, keys.clear(), values.clear());
    assertThat(all).isGreaterThanOrEqualTo(FLOWS);
    assertThat(table.copy(half, keys.clear(), values.clear(), written)).isEqualTo(all);
    assertThat(table.clear(half, written)).isEqualTo(all);
    activity.emptied(half);
    assertThat(table.used(half)).isZero();

    // nothing attached: no program writes either half; when `half` is retired again, it is clean
    link.detach();
    table.swap();
    assertThat(table.swap()).isEqualTo(half);
    assertThat(activity.written(half).cardinality()).isZero();
    assertThat(table.copy(half, keys.clear(), values.clear(), activity.written(half))).isZero();

    // a half this activity never saw emptied names every slice
    activity.forget(half);
    assertThat(activity.written(half).cardinality()).isEqualTo(table.cpus());
  }
}
