package dev.flowgate.controlplane.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.bpf.BpfMap;
import dev.flowgate.bpf.BpfObject;
import dev.flowgate.bpf.FlowTable;
import dev.flowgate.bpf.Layout;
import dev.flowgate.bpf.NativeBpf;
import dev.flowgate.controlplane.dataplane.KernelCounters.SampleCounts;
import dev.flowgate.controlplane.iface.AttachedInterface;
import dev.flowgate.lab.Frames;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A capture's ends (count, duration, client gone) over the real programs' samples. */
@Tag("kernel")
@Timeout(60)
class CaptureTest {
  private static final int LOOPBACK = 1;
  private static final int SLOT = 3;

  private BpfObject obj;
  private SampleReader reader;

  @BeforeEach
  void load() {
    obj = BpfObject.openDefault();
    FlowTable.configure(obj, 1024);
    obj.load();
    ByteBuffer key = NativeBpf.allocate(4).putInt(0, LOOPBACK);
    ByteBuffer settings = NativeBpf.allocate(Layout.IFACE_SETTINGS_SIZE);
    Layout.putIfaceSettings(settings, 0, SLOT, 1);
    obj.map("fg_settings").update(key, settings, BpfMap.BPF_ANY);
    reader = new SampleReader(obj.map("fg_samples"));
    reader.start();
  }

  @AfterEach
  void close() {
    reader.close();
    obj.close();
  }

  private Capture capture(long count, long seconds, AtomicInteger ended) {
    SampleSubscription s = reader.subscribe("capture", i -> i == LOOPBACK, 1 << 16);
    AttachedInterface lo = new AttachedInterface("lo", LOOPBACK, SLOT, "lo", 1, List.of());
    CaptureRequest r =
        new CaptureRequest("lo", count, Duration.ofSeconds(seconds), 128, CaptureFilter.ALL);
    return new Capture(
        s, List.of(lo), r, (slot, dir) -> new SampleCounts(0, 0), ended::incrementAndGet);
  }

  private void send(int n) {
    byte[] frame = Frames.ipv4("10.1.0.1", "10.2.0.2").udp(1000, 53).payload(100).build().bytes();
    obj.program("fg_xdp").testRun(frame, n);
  }

  /** Block types written, in order. */
  private static List<Integer> blocks(List<byte[]> writes) {
    List<Integer> types = new ArrayList<>();
    for (byte[] w : writes) {
      ByteBuffer b = ByteBuffer.wrap(w).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      for (int p = 0; p < w.length; p += b.getInt(p + 4)) {
        types.add(b.getInt(p));
      }
    }
    return types;
  }

  private static Capture.Output collect(List<byte[]> writes, int acceptWrites) {
    return (ByteBuf bytes) -> {
      if (writes.size() >= acceptWrites) {
        bytes.release();
        return false;
      }
      byte[] b = new byte[bytes.readableBytes()];
      bytes.readBytes(b);
      bytes.release();
      writes.add(b);
      return true;
    };
  }

  @Test
  void endsAtItsCountWithStatisticsAndReleasesItsSubscription() throws Exception {
    AtomicInteger ended = new AtomicInteger();
    Capture c = capture(50, 60, ended);
    List<byte[]> writes = new ArrayList<>();
    Thread t = new Thread(() -> run(c, collect(writes, Integer.MAX_VALUE)));
    t.start();
    send(80);
    t.join();
    List<Integer> types = blocks(writes);
    assertThat(types.get(0)).isEqualTo(PcapngWriter.SHB);
    assertThat(types.get(1)).isEqualTo(PcapngWriter.IDB);
    assertThat(types.stream().filter(x -> x == PcapngWriter.EPB)).hasSize(50);
    assertThat(types.get(types.size() - 1)).isEqualTo(PcapngWriter.ISB);
    assertThat(c.written()).isEqualTo(50);
    assertThat(ended).hasValue(1);
    assertThat(reader.subscribers()).isZero();
  }

  @Test
  void endsAtItsDurationWithNoSample() throws Exception {
    AtomicInteger ended = new AtomicInteger();
    Capture c = capture(1000, 1, ended);
    List<byte[]> writes = new ArrayList<>();
    run(c, collect(writes, Integer.MAX_VALUE));
    assertThat(blocks(writes))
        .containsExactly(PcapngWriter.SHB, PcapngWriter.IDB, PcapngWriter.ISB);
    assertThat(ended).hasValue(1);
    assertThat(reader.subscribers()).isZero();
  }

  @Test
  void endsWhenTheClientIsGone() throws Exception {
    AtomicInteger ended = new AtomicInteger();
    Capture c = capture(1000, 3600, ended);
    List<byte[]> writes = new ArrayList<>();
    Thread t = new Thread(() -> run(c, collect(writes, 1))); // the header only, then gone
    t.start();
    while (writes.isEmpty()) {
      Thread.sleep(10);
    }
    send(10);
    t.join();
    assertThat(blocks(writes)).containsExactly(PcapngWriter.SHB, PcapngWriter.IDB);
    assertThat(ended).hasValue(1);
    assertThat(reader.subscribers()).isZero();
  }

  private static void run(Capture c, Capture.Output out) {
    try {
      c.run(out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
