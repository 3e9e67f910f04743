package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.lab.Frames;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Samples from the real programs (sample_rate 1) through test runs, read with RingBuffer. */
@Tag("kernel")
@Timeout(60)
class RingBufferTest {
  private static final int LOOPBACK = 1;
  private static final int SLOT = 3;

  /** Records are reserved at a fixed size: header + FG_SAMPLE_MAX_SNAP. */
  private static final int RECORD = Layout.SAMPLE_HDR_SIZE + Layout.SAMPLE_MAX_SNAP;

  private BpfObject obj;
  private RingBuffer ring;

  @BeforeEach
  void load() {
    obj = TestObjects.openFlowgate(1024);
    obj.load();
    ByteBuffer key = NativeBpf.allocate(4).putInt(0, LOOPBACK);
    ByteBuffer settings = NativeBpf.allocate(Layout.IFACE_SETTINGS_SIZE);
    Layout.putIfaceSettings(settings, 0, SLOT, 1);
    obj.map("fg_settings").update(key, settings, BpfMap.BPF_ANY);
    ring = new RingBuffer(obj.map("fg_samples"));
  }

  @AfterEach
  void close() {
    if (ring != null) {
      ring.close();
    }
    if (obj != null) {
      obj.close();
    }
  }

  private static byte[] frame(int i) {
    return Frames.ipv4("10.1.0.1", "10.2.0.2").udp(1000 + i, 53).payload(200).build().bytes();
  }

  /** Polls until {@code n} records arrived, each call into {@code out}; returns them in order. */
  private List<ByteBuffer> readRecords(ByteBuffer out, int n) {
    List<ByteBuffer> records = new ArrayList<>();
    while (records.size() < n) {
      int len = ring.poll(out, 1000);
      assertThat(len).as("records stopped after %d of %d", records.size(), n).isPositive();
      for (int off = 0; off < len; ) {
        int rl = RingBuffer.recordLength(out, off);
        ByteBuffer rec = NativeBpf.allocate(rl);
        rec.put(0, out, RingBuffer.recordData(off), rl);
        records.add(rec);
        off = RingBuffer.nextRecord(off, rl);
      }
    }
    return records;
  }

  @Test
  void everyTestRunFrameIsOneRecordWithItsHeader() {
    int n = 40;
    for (int i = 0; i < n; i++) {
      obj.program("fg_xdp").testRun(frame(i), 1);
    }
    List<ByteBuffer> records = readRecords(NativeBpf.allocate(1 << 20), n);

    assertThat(records).hasSize(n);
    for (int i = 0; i < n; i++) {
      ByteBuffer r = records.get(i);
      byte[] f = frame(i);
      assertThat(r.capacity()).isEqualTo(RECORD);
      assertThat(Layout.sampleIfindex(r, 0)).isEqualTo(LOOPBACK);
      assertThat(Layout.sampleSlot(r, 0)).isEqualTo(SLOT);
      assertThat(Layout.sampleDirection(r, 0)).isEqualTo(Layout.DIR_INGRESS);
      assertThat(Layout.sampleOrigLen(r, 0)).isEqualTo(f.length);
      assertThat(Layout.sampleCapLen(r, 0)).isEqualTo(Layout.DEFAULT_SNAP);
      assertThat(Layout.sampleTimestampNs(r, 0)).isPositive();
      byte[] captured = new byte[Layout.DEFAULT_SNAP];
      r.get(Layout.SAMPLE_HDR_SIZE, captured);
      assertThat(captured).isEqualTo(Arrays.copyOf(f, Layout.DEFAULT_SNAP));
    }
    assertThat(ring.consume(NativeBpf.allocate(1 << 20))).isZero();
  }

  @Test
  void aFullBufferStopsConsumingAndLosesNoRecord() {
    int n = 25;
    for (int i = 0; i < n; i++) {
      obj.program("fg_xdp").testRun(frame(i), 1);
    }
    // room for two framed records (and a bit) per poll
    int framed = RingBuffer.nextRecord(0, RECORD);
    ByteBuffer small = NativeBpf.allocate(2 * framed + framed / 2);
    List<ByteBuffer> records = readRecords(small, n);

    assertThat(records).hasSize(n);
    for (int i = 0; i < n; i++) {
      int srcPort =
          Short.toUnsignedInt(
              Short.reverseBytes(records.get(i).getShort(Layout.SAMPLE_HDR_SIZE + 14 + 20)));
      assertThat(srcPort).as("record %d in order", i).isEqualTo(1000 + i);
    }
    assertThat(ring.consume(small)).isZero();
  }

  @Test
  void aBufferTooSmallForOneRecordIsEnospcAndKeepsTheRecord() {
    obj.program("fg_xdp").testRun(frame(0), 1);
    assertThatThrownBy(() -> ring.poll(NativeBpf.allocate(64), 1000))
        .isInstanceOfSatisfying(BpfException.class, e -> assertThat(e.errno()).isEqualTo(28));
    assertThat(readRecords(NativeBpf.allocate(4096), 1)).hasSize(1);
  }

  /** Sum over CPUs of one sample_counts field of a slot and direction. */
  private long sampleCount(int slot, int field) {
    BpfMap counts = obj.map("fg_sample_counts");
    ByteBuffer key = NativeBpf.allocate(4).putInt(0, slot * Layout.DIR_MAX + Layout.DIR_INGRESS);
    ByteBuffer value = NativeBpf.allocate(counts.valueBufferSize());
    assertThat(counts.lookup(key, value)).isTrue();
    return Layout.sumPerCpu(value, 0, counts.valueSize(), field);
  }

  @Test
  void aFullRingCountsEveryDroppedSampleInItsSlot() {
    // more records than the 1 MiB ring holds, none read while they arrive
    int n = (1 << 20) / RECORD + 500;
    for (int i = 0; i < n; i++) {
      obj.program("fg_xdp").testRun(frame(i), 1);
    }
    long taken = sampleCount(SLOT, Layout.SAMPLE_COUNTS_TAKEN);
    long dropped = sampleCount(SLOT, Layout.SAMPLE_COUNTS_DROPPED);
    ByteBuffer out = NativeBpf.allocate(1 << 20);
    long read = 0;
    for (int len; (len = ring.consume(out)) > 0; ) {
      for (int off = 0; off < len; ) {
        off = RingBuffer.nextRecord(off, RingBuffer.recordLength(out, off));
        read++;
      }
    }

    assertThat(taken).isEqualTo(n);
    assertThat(dropped).isPositive();
    assertThat(read).isEqualTo(taken - dropped);
    assertThat(sampleCount(SLOT + 1, Layout.SAMPLE_COUNTS_TAKEN)).isZero();
    ByteBuffer errKey = NativeBpf.allocate(4).putInt(0, Layout.DP_SAMPLE_DROPPED);
    BpfMap errors = obj.map("fg_errors");
    ByteBuffer errValue = NativeBpf.allocate(errors.valueBufferSize());
    assertThat(errors.lookup(errKey, errValue)).isTrue();
    assertThat(Layout.sumPerCpu(errValue, 0, 8, 0)).isEqualTo(dropped);
  }

  @Test
  void pollTimesOutWithZeroWhenNothingArrives() {
    assertThat(ring.poll(NativeBpf.allocate(4096), 10)).isZero();
  }
}
