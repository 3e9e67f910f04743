package dev.flowgate.controlplane.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.lab.Frames;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CaptureFilterTest {

  /** Named frames the table below refers to. */
  private static final Map<String, byte[]> FRAMES =
      Map.ofEntries(
          Map.entry(
              "tcp4", Frames.ipv4("10.1.2.3", "192.0.2.9").tcp(40000, 443, 0).build().bytes()),
          Map.entry(
              "tcp4back", Frames.ipv4("192.0.2.9", "10.1.2.3").tcp(443, 40000, 0).build().bytes()),
          Map.entry(
              "tcp4other", Frames.ipv4("10.1.2.4", "192.0.2.9").tcp(40000, 443, 0).build().bytes()),
          Map.entry("udp4", Frames.ipv4("10.1.2.3", "192.0.2.9").udp(5353, 443).build().bytes()),
          Map.entry("icmp4", Frames.ipv4("10.1.2.3", "192.0.2.9").icmp(8, 0).build().bytes()),
          Map.entry(
              "tagged",
              Frames.ipv4("10.1.2.3", "192.0.2.9")
                  .dot1ad(5)
                  .dot1q(10)
                  .tcp(1, 443, 0)
                  .build()
                  .bytes()),
          Map.entry(
              "tcp6",
              Frames.ipv6("2001:db8::1", "2001:db8:1::2")
                  .hopByHop(8)
                  .tcp(80, 8080, 0)
                  .build()
                  .bytes()),
          Map.entry(
              "icmp6", Frames.ipv6("2001:db8::1", "2001:db8::2").icmpv6(128, 0).build().bytes()),
          Map.entry(
              "frag4",
              Frames.ipv4("10.1.2.3", "192.0.2.9")
                  .fragment(1480, false)
                  .udp(1, 443)
                  .build()
                  .bytes()),
          Map.entry(
              "gre4", Frames.ipv4("10.1.2.3", "192.0.2.9").protocol(47).payload(8).build().bytes()),
          Map.entry("arp", Frames.ethernet(Frames.ETH_P_ARP).payload(28).build().bytes()));

  private static boolean matches(String filter, String frame) {
    byte[] f = FRAMES.get(frame);
    return CaptureFilter.compile(filter).matches(f, 0, f.length);
  }

  @ParameterizedTest(name = "{0} on {1}: {2}")
  @CsvSource(
      delimiter = ';',
      value = {
        "host 10.1.2.3 and tcp port 443; tcp4; true",
        "host 10.1.2.3 and tcp port 443; tcp4back; true",
        "host 10.1.2.3 and tcp port 443; tcp4other; false",
        "host 10.1.2.3 and tcp port 443; udp4; false",
        "host 10.1.2.3 and tcp port 443; tagged; true",
        "src host 10.1.2.3; tcp4back; false",
        "dst 10.1.2.3; tcp4back; true",
        "net 10.1.0.0/16; tcp4other; true",
        "net 10.1.2.0/24 and not host 10.1.2.4; tcp4other; false",
        "src net 2001:db8::/32; tcp6; true",
        "dst net 2001:db8::/48; tcp6; false",
        "host 2001:db8:1::2 and dst port 8080; tcp6; true",
        "tcp src port 80; tcp6; true",
        "udp; udp4; true",
        "udp; tcp4; false",
        "icmp; icmp4; true",
        "icmp; icmp6; false",
        "icmp6; icmp6; true",
        "proto 47; gre4; true",
        "ip proto 47; gre4; true",
        "ip6 proto 47; gre4; false",
        "port 443; frag4; false",
        "udp; frag4; true",
        "ip or ip6; arp; false",
        "not ip and not ip6; arp; true",
        "!(udp || icmp) && port 443; tcp4; true",
        "tcp or udp and port 5353; tcp4; false",
        "tcp or (udp and port 5353); tcp4; true",
        "ip6; tcp6; true",
      })
  void table(String filter, String frame, boolean expected) {
    assertThat(matches(filter, frame)).isEqualTo(expected);
  }

  @Test
  void emptyMatchesEverything() {
    assertThat(CaptureFilter.compile(" ")).isSameAs(CaptureFilter.ALL);
    assertThat(matches("", "arp")).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "host; at position 5 (the end): expected an address",
        "host 10.1.2; at position 6 ('10.1.2'): expected an IPv4",
        "tcp port 70000; at position 10 ('70000'): expected a port number",
        "tcp and; at position 8 (the end): expected a primitive",
        "(tcp or udp; at position 12 (the end): expected ')'",
        "tcp udp; at position 5 ('udp'): expected 'and', 'or' or the end",
        "net 10.1.2.3/16; at position 5 ('10.1.2.3/16'): non-network bits set",
        "host 10.0.0.1 = 4; at position 15: unexpected character '='",
        "host example.com; at position 6 ('example.com'): expected an IPv4",
        "host zz::1; at position 6 ('zz::1'): expected an IPv6 address",
        "vlan 10; at position 1 ('vlan'): expected a primitive",
      })
  void syntaxErrorsNameThePosition(String filter, String message) {
    assertThatThrownBy(() -> CaptureFilter.compile(filter))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("filter: " + message);
  }
}
