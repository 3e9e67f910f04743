package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.lab.Await;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.VethPair;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Samples of real frames on real veths, read from fg_samples: every frame sampled once at 1 in 1
 * (XDP), and 1 in 2 counted per CPU at TC ingress, where the kernel has moved the outer VLAN tag
 * into the skb and the program puts it back: the sample is the frame as it was on the wire. Exact
 * counts against what was sent, byte for byte.
 */
@Tag("kernel")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SamplingOnVethTest {
  static final int SLOT = 1;

  @RegisterExtension final FlowgateLab fg = new FlowgateLab();
  private RingBuffer ring;

  @BeforeEach
  void openRing() {
    ring = fg.lab().closeLater(new RingBuffer(fg.flowgate().object().map("fg_samples")));
  }

  @Test
  void everyFrameIsSampledOnceAsItWasOnTheWireAtOneInOne() {
    VethPair veth = fg.veth();
    int ifindex = veth.a().ifindex();
    fg.flowgate().assignSlot(ifindex, SLOT, 1);
    fg.attached(BpfLink.attachXdp(fg.flowgate().program("fg_xdp"), ifindex, XdpMode.NATIVE));
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      // short and long frames: captured whole below the snap length, cut at it above
      frames.add(
          Frames.ipv4("10.1.0.1", "10.1.0.2").udp(1000 + i, 53).payload(i * 7).build().bytes());
    }
    frames.add(Frames.ipv6("fd00::1", "fd00::2").dot1q(100).tcp(1, 2, 0x02).build().bytes());
    FrameSender.send(veth.b(), frames);

    List<ByteBuffer> samples = read(frames.size());
    assertSamples(samples, frames, ifindex, Layout.DIR_INGRESS);
    assertThat(fg.flowgate().totals(SLOT, Layout.DIR_INGRESS).allPackets())
        .isEqualTo(frames.size());
    assertThat(fg.flowgate().errors()[Layout.DP_SAMPLE_DROPPED]).isZero();
  }

  @Test
  void oneInTwoAtTcIngressPutsTheOuterVlanTagBack() {
    VethPair veth = fg.veth();
    int ifindex = veth.a().ifindex();
    fg.flowgate().assignSlot(ifindex, SLOT, 2);
    fg.attached(
        BpfLink.attachTc(fg.flowgate().program("fg_tc_ingress"), ifindex, TcDirection.INGRESS));
    byte[] tagged =
        Frames.ipv4("10.1.0.1", "10.1.0.2").dot1q(100).udp(5, 6).payload(30).build().bytes();
    byte[] qinq =
        Frames.ipv6("fd00::1", "fd00::2").dot1ad(200).dot1q(300).udp(53, 5353).build().bytes();
    // one CPU sends them all (the 1-in-2 countdown is per CPU): frames 1, 3 and 5 are sampled
    List<byte[]> sent = List.of(tagged, qinq, tagged, qinq, tagged);
    FrameSender.sendFromCpu(veth.b(), sent, 0);

    List<ByteBuffer> samples = read(3);
    assertSamples(samples, Collections.nCopies(3, tagged), ifindex, Layout.DIR_INGRESS);
    Await.until(
        "5 frames counted",
        () -> fg.flowgate().totals(SLOT, Layout.DIR_INGRESS).allPackets() >= sent.size());
    assertThat(fg.flowgate().totals(SLOT, Layout.DIR_INGRESS).allPackets()).isEqualTo(sent.size());
    assertThat(ring.poll(NativeBpf.allocate(1 << 16), 200)).as("no fourth sample").isZero();
  }

  /** Polls until {@code n} records arrived (a poll finding none fails); returns them in order. */
  private List<ByteBuffer> read(int n) {
    ByteBuffer out = NativeBpf.allocate(1 << 20);
    List<ByteBuffer> records = new ArrayList<>();
    while (records.size() < n) {
      int len = ring.poll(out, 5000);
      assertThat(len).as("samples stopped after %d of %d", records.size(), n).isPositive();
      for (int off = 0; off < len; ) {
        int rl = RingBuffer.recordLength(out, off);
        ByteBuffer rec = NativeBpf.allocate(rl);
        rec.put(0, out, RingBuffer.recordData(off), rl);
        records.add(rec);
        off = RingBuffer.nextRecord(off, rl);
      }
    }
    assertThat(records).hasSize(n);
    return records;
  }

  private static void assertSamples(
      List<ByteBuffer> samples, List<byte[]> frames, int ifindex, int direction) {
    long last = 0;
    for (int i = 0; i < frames.size(); i++) {
      ByteBuffer r = samples.get(i);
      byte[] f = frames.get(i);
      int cap = Math.min(f.length, Layout.DEFAULT_SNAP);
      assertThat(Layout.sampleIfindex(r, 0)).as("ifindex of sample %d", i).isEqualTo(ifindex);
      assertThat(Layout.sampleSlot(r, 0)).as("slot of sample %d", i).isEqualTo(SLOT);
      assertThat(Layout.sampleDirection(r, 0)).as("direction %d", i).isEqualTo(direction);
      assertThat(Layout.sampleOrigLen(r, 0)).as("orig_len of sample %d", i).isEqualTo(f.length);
      assertThat(Layout.sampleCapLen(r, 0)).as("cap_len of sample %d", i).isEqualTo(cap);
      assertThat(Layout.sampleTimestampNs(r, 0)).as("time %d", i).isGreaterThanOrEqualTo(last);
      last = Layout.sampleTimestampNs(r, 0);
      byte[] captured = new byte[cap];
      r.get(Layout.SAMPLE_HDR_SIZE, captured);
      assertThat(captured).as("bytes of sample %d", i).isEqualTo(Arrays.copyOf(f, cap));
    }
  }
}
