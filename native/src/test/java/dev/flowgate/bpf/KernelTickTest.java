package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class KernelTickTest {
  @Test
  void hzIsReadFromTheConfigLine() throws Exception {
    String config = "# CONFIG_HZ_100 is not set\nCONFIG_HZ_250=y\nCONFIG_HZ=250\nCONFIG_X=1\n";
    assertThat(
            KernelTick.hzOf(new ByteArrayInputStream(config.getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo(250);
    assertThat(KernelTick.hzOf(new ByteArrayInputStream("CONFIG_X=1\n".getBytes()))).isZero();
  }

  @Test
  void aMeasuredRateRoundsToTheNearestCommonHz() {
    assertThat(KernelTick.nearestCommonHz(97.5)).isEqualTo(100);
    assertThat(KernelTick.nearestCommonHz(247)).isEqualTo(250);
    assertThat(KernelTick.nearestCommonHz(296.7)).isEqualTo(300);
    assertThat(KernelTick.nearestCommonHz(990)).isEqualTo(1000);
  }

  @Test
  void theTickIsTheKernelsRoundedTickNsec() {
    assertThat(KernelTick.tickNsOf(250)).isEqualTo(4_000_000L);
    assertThat(KernelTick.tickNsOf(300)).isEqualTo(3_333_333L);
    assertThat(KernelTick.tickNsOf(1000)).isEqualTo(1_000_000L);
  }
}
