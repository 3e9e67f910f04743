package dev.flowgate.exporters.psamp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.exporters.sample.SampleBatch;
import dev.flowgate.exporters.testing.Hex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PsampEncoderTest {

  /** 1_700_000_000_123 ms: export time 1700000000 s = 0x6553f100. */
  private static final long NOW = 1_700_000_000_123L;

  /** 1700000000.123456789 s: NTP seconds 3908988800 = 0xe8fe6f80, fraction 0x1f9add37. */
  private static final long TIME = 1_700_000_000_123_456_789L;

  private final ByteBuf out = Unpooled.buffer(65536);

  @AfterEach
  void release() {
    out.release();
  }

  private static byte[] bytes(int n, int first) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (first + i);
    }
    return b;
  }

  @Test
  void sampleRecordsAreEncodedByteForByte() {
    SampleBatch batch =
        new SampleBatch.Builder(2, 16)
            .add(TIME, 3, 0, 0, 1514, bytes(4, 0xa0))
            .add(TIME + 1, 7, 1, 1, 60, bytes(2, 0x10))
            .build();
    PsampEncoder encoder = new PsampEncoder(0x80000001L, 1400);
    assertThat(encoder.encodeSamples(batch, 0, out)).isEqualTo(2);
    encoder.stamp(out, NOW, 9);
    assertThat(Hex.of(out))
        .isEqualTo(
            Hex.clean(
                """
                000a 0052          | version 10, length 16 + 4 + 32 + 30 = 82
                6553f100 00000009  | export time 1700000000, sequence 9
                80000001           | the samples' observation domain
                0104 0042          | data set 260, length 4 + 32 + 30 = 66
                0000000000000003   | selectorId: ifindex 3
                e8fe6f80 1f9add37  | observationTimeNanoseconds, NTP .123456789
                00000003 00000000  | ingressInterface 3, egressInterface 0
                00                 | flowDirection ingress
                05ea               | dataLinkFrameSize 1514
                04 a0a1a2a3        | dataLinkFrameSection: length 4, the bytes
                0000000000000007   | selectorId: ifindex 7
                e8fe6f80 1f9add3b  | 1 ns later: fraction + 4.29
                00000000 00000007  | ingressInterface 0, egressInterface 7
                01                 | flowDirection egress
                003c               | dataLinkFrameSize 60
                02 1011            | dataLinkFrameSection: length 2
                """));
  }

  @Test
  void aSectionOf255BytesOrMoreHasTheThreeByteLength() {
    SampleBatch batch =
        new SampleBatch.Builder(1, 256).add(TIME, 1, 0, 0, 300, bytes(256, 0)).build();
    PsampEncoder encoder = new PsampEncoder(1, 1400);
    encoder.encodeSamples(batch, 0, out);
    // 16 header + 4 set + 27 fixed fields, then ff 0100
    assertThat(Hex.of(out.slice(16 + 4 + 25, 5))).isEqualTo("012c" + "ff0100");
    assertThat(out.readableBytes()).isEqualTo(16 + 4 + 27 + 3 + 256);
  }

  @Test
  void aMessageEndsBeforeTheMaximumAndTheNextContinues() {
    SampleBatch.Builder b = new SampleBatch.Builder(10, 256);
    for (int i = 0; i < 10; i++) {
      b.add(TIME, 1, 0, 0, 1000, bytes(256, i));
    }
    SampleBatch batch = b.build();
    int max = PsampEncoder.minimumMessageSize() + 2 * (27 + 3 + 256) - 1; // room for 2 more, less 1
    PsampEncoder encoder = new PsampEncoder(1, max);
    int next = encoder.encodeSamples(batch, 0, out);
    assertThat(next).isEqualTo(2);
    assertThat(out.readableBytes()).isLessThanOrEqualTo(max);
    out.clear();
    assertThat(encoder.encodeSamples(batch, next, out)).isEqualTo(4);
    out.clear();
    assertThat(encoder.encodeSamples(batch, 10, out)).isEqualTo(10);
    assertThat(out.readableBytes()).isZero();
  }

  @Test
  void templateMessageAnnouncesSampleAndSelectorTemplates() {
    PsampEncoder encoder = new PsampEncoder(2, 1400);
    encoder.encodeTemplates(out);
    encoder.stamp(out, NOW, 0);
    assertThat(Hex.of(out))
        .isEqualTo(
            Hex.clean(
                """
                000a 004e 6553f100 00000000 00000002 | length 16 + 36 + 26 = 78, domain 2
                0002 0024          | template set, length 4 + 4 + 7 * 4 = 36
                0104 0007          | template 260, 7 fields
                012e 0008          | selectorId, 8
                0145 0008          | observationTimeNanoseconds, 8
                000a 0004 000e 0004 | ingressInterface, egressInterface
                003d 0001          | flowDirection
                0138 0002          | dataLinkFrameSize, 2
                013b ffff          | dataLinkFrameSection, variable length
                0003 001a          | options template set, length 4 + 6 + 4 * 4 = 26
                0105 0004 0001     | template 261, 4 fields, 1 scope field
                012e 0008          | selectorId (scope)
                0130 0002          | selectorAlgorithm
                0131 0004 0132 0004 | samplingPacketInterval, samplingPacketSpace
                """));
  }

  @Test
  void oneSelectorRecordPerInterfaceWithItsRate() {
    TreeMap<Long, Integer> rates = new TreeMap<>();
    rates.put(3L, 1000);
    rates.put(5L, 1);
    PsampEncoder encoder = new PsampEncoder(2, 1400);
    assertThat(encoder.encodeSelectors(rates, 0, out)).isEqualTo(2);
    encoder.stamp(out, NOW, 4);
    assertThat(Hex.of(out))
        .isEqualTo(
            Hex.clean(
                """
                000a 0038 6553f100 00000004 00000002 | length 16 + 4 + 2 * 18 = 56
                0105 0028          | set 261, length 4 + 36 = 40
                0000000000000003   | selectorId 3
                0001               | selectorAlgorithm 1: systematic count-based
                00000001 000003e7  | interval 1, space 999: 1 in 1000
                0000000000000005 0001 00000001 00000000 | ifindex 5 samples every packet
                """));
  }

  @Test
  void aDomainOrSizeOutOfRangeIsRefused() {
    assertThatThrownBy(() -> new PsampEncoder(-1, 1400))
        .hasMessageContaining("observation domain id");
    assertThatThrownBy(() -> new PsampEncoder(1, 100)).hasMessageContaining("max message size");
  }
}
