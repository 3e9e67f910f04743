package dev.flowgate.controlplane.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.bpf.BpfMap;
import dev.flowgate.bpf.BpfObject;
import dev.flowgate.bpf.FlowTable;
import dev.flowgate.bpf.Layout;
import dev.flowgate.bpf.NativeBpf;
import dev.flowgate.exporters.sample.SampleBatch;
import dev.flowgate.lab.Frames;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The reader thread over the real programs' ring buffer (frames by test runs, sample rate 1). */
@Tag("kernel")
@Timeout(60)
class SampleReaderTest {
  private static final int LOOPBACK = 1;
  private static final int SLOT = 3;

  /** Fewer samples than the 1 MiB ring holds: the kernel drops none, whatever the reader does. */
  private static final int N = 3000;

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
  }

  @AfterEach
  void close() {
    if (reader != null) {
      reader.close();
    }
    if (obj != null) {
      obj.close();
    }
  }

  private void send(int n) {
    byte[] frame = Frames.ipv4("10.1.0.1", "10.2.0.2").udp(1000, 53).payload(300).build().bytes();
    obj.program("fg_xdp").testRun(frame, n);
  }

  private long kernel(int field) {
    BpfMap counts = obj.map("fg_sample_counts");
    ByteBuffer key = NativeBpf.allocate(4).putInt(0, SLOT * Layout.DIR_MAX);
    ByteBuffer value = NativeBpf.allocate(counts.valueBufferSize());
    counts.lookup(key, value);
    return Layout.sumPerCpu(value, 0, counts.valueSize(), field);
  }

  private static long drain(SampleSubscription s, long atLeast) throws InterruptedException {
    long n = 0;
    while (true) {
      SampleBatch b = s.take(n < atLeast ? 10_000 : 0, TimeUnit.MILLISECONDS);
      if (b == null) {
        return n;
      }
      n += b.size();
    }
  }

  @Test
  void aSlowSubscriberLosesCountedSamplesWhileAnotherGetsEveryOne() throws Exception {
    SampleSubscription fast = reader.subscribe("capture", i -> true, 1 << 20);
    SampleSubscription slow = reader.subscribe("capture", i -> true, 100);
    reader.start();
    long before = System.currentTimeMillis();
    send(N);
    while (reader.delivered(SLOT, Layout.DIR_INGRESS) < N) {
      Thread.sleep(10);
    }

    assertThat(kernel(Layout.SAMPLE_COUNTS_TAKEN)).isEqualTo(N);
    assertThat(kernel(Layout.SAMPLE_COUNTS_DROPPED)).isZero();
    assertThat(reader.delivered(SLOT, Layout.DIR_INGRESS)).isEqualTo(N);
    SampleBatch first = fast.take(1, TimeUnit.SECONDS);
    assertThat(first.ifindex(0)).isEqualTo(LOOPBACK);
    assertThat(first.slot(0)).isEqualTo(SLOT);
    assertThat(first.originalLength(0)).isEqualTo(14 + 20 + 8 + 300);
    assertThat(first.capturedLength(0)).isEqualTo(Layout.DEFAULT_SNAP);
    assertThat(first.timeNanos(0) / 1_000_000)
        .isBetween(before - 1000, System.currentTimeMillis() + 1000);
    assertThat(first.size() + drain(fast, N - first.size())).isEqualTo(N);
    assertThat(fast.lost(SLOT, Layout.DIR_INGRESS)).isZero();

    long slowLost = slow.lost(SLOT, Layout.DIR_INGRESS);
    assertThat(slowLost).isPositive();
    assertThat(drain(slow, 0) + slowLost).isEqualTo(N);
    assertThat(slow.offered(SLOT, Layout.DIR_INGRESS)).isEqualTo(N);
    assertThat(reader.lost("capture", SLOT, Layout.DIR_INGRESS)).isEqualTo(slowLost);
    slow.close();
    fast.close();
    assertThat(reader.lost("capture", SLOT, Layout.DIR_INGRESS)).isEqualTo(slowLost);
    assertThat(reader.subscribers()).isZero();
  }

  @Test
  void aSubscriberGetsOnlyTheInterfacesItWants() throws Exception {
    SampleSubscription other = reader.subscribe("capture", i -> i == LOOPBACK + 1, 1 << 20);
    SampleSubscription lo = reader.subscribe("capture", i -> i == LOOPBACK, 1 << 20);
    reader.start();
    send(10);
    assertThat(drain(lo, 10)).isEqualTo(10);
    assertThat(other.take(0, TimeUnit.MILLISECONDS)).isNull();
    assertThat(other.offered(SLOT, Layout.DIR_INGRESS)).isZero();
  }
}
