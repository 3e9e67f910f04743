package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class NativeBpfTest {
  @Test
  void libraryLoadsAndRegistersItsNatives() {
    if (!NativeBpf.isAvailable()) {
      fail("libflowgate-jni.so did not load", NativeBpf.unavailabilityCause());
    }
    assertThat(NativeBpf.unavailabilityCause()).isNull();
  }

  @Test
  void reportsPossibleCpusAndTheSystemLibbpf() {
    NativeBpf.ensureAvailable();
    assertThat(NativeBpf.nrPossibleCpus())
        .isGreaterThanOrEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(NativeBpf.libbpfVersion()).matches("1\\.\\d+");
  }

  @Test
  void allocatesLittleEndianDirectBuffers() {
    var b = NativeBpf.allocate(16);
    assertThat(b.isDirect()).isTrue();
    assertThat(b.order()).isEqualTo(java.nio.ByteOrder.LITTLE_ENDIAN);
  }

  @Test
  void errnoBecomesReadableText() {
    BpfException e = new BpfException("attach", 16, "someone else's program");
    assertThat(e.errno()).isEqualTo(16);
    assertThat(e.op()).isEqualTo("attach");
    assertThat(e.getMessage()).contains("Device or resource busy").contains("someone else's");
  }
}
