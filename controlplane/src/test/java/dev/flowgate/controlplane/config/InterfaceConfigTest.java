package dev.flowgate.controlplane.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class InterfaceConfigTest {

  @Test
  void plainNameMatchesOnlyItself() {
    InterfaceConfig eth0 = InterfaceConfig.of("eth0");

    assertThat(eth0.isPattern()).isFalse();
    assertThat(eth0.pattern()).isEmpty();
    assertThat(eth0.matches("eth0")).isTrue();
    assertThat(eth0.matches("eth01")).isFalse();
  }

  @Test
  void regexMustMatchTheWholeName() {
    InterfaceConfig veths = InterfaceConfig.of("/veth[0-9]+/");

    assertThat(veths.isPattern()).isTrue();
    assertThat(veths.matches("veth12")).isTrue();
    assertThat(veths.matches("xveth12")).isFalse();
    assertThat(veths.matches("veth12x")).isFalse();
  }
}
