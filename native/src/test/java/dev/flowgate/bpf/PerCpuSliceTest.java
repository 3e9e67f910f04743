package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flowgate.lab.Await;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.VethPair;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On a real veth with fg_xdp attached: one flow sent partly from one CPU and partly from another
 * (the sender pinned with taskset; a veth peer's XDP runs on the sending CPU) is counted in each
 * CPU's own slice of the flow table, and the drain returns one entry per CPU whose packets and
 * bytes add up to exactly what was sent.
 */
@Tag("kernel")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PerCpuSliceTest {
  static final int SLOT = 3;
  static final int PAYLOAD = 100;

  @RegisterExtension final FlowgateLab fg = new FlowgateLab();

  private static List<byte[]> frames(int n) {
    byte[] f =
        Frames.ipv4("198.51.100.7", "203.0.113.9").udp(4242, 53).payload(PAYLOAD).build().bytes();
    return new ArrayList<>(Collections.nCopies(n, f));
  }

  @Test
  void aFlowSentFromTwoCpusIsOneEntryPerCpuAndAddsUpExactly() {
    VethPair veth = fg.veth();
    int ifindex = veth.a().ifindex();
    fg.flowgate().assignSlot(ifindex, SLOT);
    fg.attached(BpfLink.attachXdp(fg.flowgate().program("fg_xdp"), ifindex, XdpMode.NATIVE));
    int cpus = Runtime.getRuntime().availableProcessors();
    assumeTrue(
        cpus >= 2,
        "sends from CPUs 0 and 1 to count one flow in two slices; this JVM may use " + cpus);
    int other = 1;

    FrameSender.sendFromCpu(veth.b(), frames(300), 0);
    FrameSender.sendFromCpu(veth.b(), frames(200), other);
    Await.until(
        "500 packets counted",
        () -> fg.flowgate().totals(SLOT, Layout.DIR_INGRESS).packets() >= 500);

    FlowTable table = fg.flowgate().table();
    ByteBuffer keys = NativeBpf.allocate((int) table.capacity() * Layout.FLOW_KEY_SIZE);
    ByteBuffer values = NativeBpf.allocate((int) table.capacity() * Layout.FLOW_STATS_SIZE);
    int half = table.swap();
    List<Long> packets = new ArrayList<>();
    long bytes = 0;
    for (int n; (n = table.drain(half, keys.clear(), values.clear())) > 0; ) {
      for (int i = 0; i < n; i++) {
        int k = i * Layout.FLOW_KEY_SIZE;
        int v = i * Layout.FLOW_STATS_SIZE;
        if (Layout.flowKeyIfindex(keys, k) == ifindex && Layout.flowKeySrcPort(keys, k) == 4242) {
          packets.add(Layout.flowStatsPackets(values, v));
          bytes += Layout.flowStatsBytes(values, v);
        }
      }
    }
    int ip = 20 + 8 + PAYLOAD;
    assertThat(packets).containsExactlyInAnyOrder(300L, 200L);
    assertThat(bytes).isEqualTo(500L * ip);
    assertThat(fg.flowgate().totals(SLOT, Layout.DIR_INGRESS).packets()).isEqualTo(500);
    assertThat(fg.flowgate().totals(SLOT, Layout.DIR_INGRESS).insertFailed()).isZero();
  }
}
