package dev.flowgate.controlplane.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.config.AlertLevels;
import dev.flowgate.controlplane.config.AlertSinksConfig;
import dev.flowgate.controlplane.config.AlertsConfig;
import dev.flowgate.controlplane.config.Cidr;
import dev.flowgate.controlplane.config.Detector;
import dev.flowgate.controlplane.config.HostgroupConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The most specific network wins, IPv4 and IPv6 alike; thresholds inherit the default group's. */
@Timeout(30)
class HostgroupsTest {

  private static HostKey at(String address) {
    Cidr c = Cidr.parse(address);
    return new HostKey(c.hi(), c.lo(), 0);
  }

  @Test
  void mostSpecificNetworkWinsAndThresholdsInherit() {
    AlertLevels tight = new AlertLevels(0, 500);
    AlertsConfig config =
        new AlertsConfig(
            Duration.ofSeconds(30),
            List.of(),
            List.of(),
            Map.of(),
            List.of(
                new HostgroupConfig(
                    "wide",
                    List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32")),
                    Map.of()),
                new HostgroupConfig(
                    "narrow",
                    List.of(Cidr.parse("10.1.2.0/24"), Cidr.parse("2001:db8:1::/48")),
                    Map.of(Detector.SYN_FLOOD, tight))),
            AlertSinksConfig.defaults());
    Hostgroups g = new Hostgroups(config);

    HostKey narrow4 = at("10.1.2.3");
    assertThat(g.of(narrow4.hi(), narrow4.lo()).name()).isEqualTo("narrow");
    HostKey wide4 = at("10.9.9.9");
    assertThat(g.of(wide4.hi(), wide4.lo()).name()).isEqualTo("wide");
    HostKey narrow6 = at("2001:db8:1::5");
    assertThat(g.of(narrow6.hi(), narrow6.lo()).name()).isEqualTo("narrow");
    HostKey wide6 = at("2001:db8:2::5");
    assertThat(g.of(wide6.hi(), wide6.lo()).name()).isEqualTo("wide");
    HostKey other = at("192.0.2.1");
    assertThat(g.of(other.hi(), other.lo()).name()).isEqualTo("default");

    Hostgroups.Group n = g.of(narrow6.hi(), narrow6.lo());
    assertThat(n.levels().get(Detector.SYN_FLOOD)).isEqualTo(tight);
    assertThat(n.levels().get(Detector.UDP_FLOOD)).isEqualTo(new AlertLevels(0, 200_000));
    assertThat(n.levels().get(Detector.PPS)).isEqualTo(AlertLevels.OFF);
  }

  @Test
  void cidrsNormalizeAndMatchIpv4MappedAddresses() {
    assertThat(Cidr.parse("2001:0db8:0000::/32").text()).isEqualTo("2001:db8::/32");
    assertThat(Cidr.parse("192.0.2.0/24").mappedPrefix()).isEqualTo(120);
    assertThat(Cidr.parse("192.0.2.0/24").prefix()).isEqualTo(24);
    assertThat(Cidr.parse("0.0.0.0/0").contains(0, 0xFFFF_0A00_0001L)).isTrue();
    assertThat(Cidr.parse("0.0.0.0/0").contains(0x2001_0db8_0000_0000L, 1)).isFalse();
    assertThat(Cidr.parse("::/0").contains(0x2001_0db8_0000_0000L, 1)).isTrue();
    assertThat(at("203.0.113.10").address()).isEqualTo("203.0.113.10");
    assertThat(at("2001:db8::10").address()).isEqualTo("2001:db8::10");
  }
}
