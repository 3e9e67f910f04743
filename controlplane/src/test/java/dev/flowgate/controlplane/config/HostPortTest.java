package dev.flowgate.controlplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(10)
class HostPortTest {

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1:4739, 127.0.0.1, 4739",
    "[::1]:9740, ::1, 9740",
    "[2001:db8::1]:2055, 2001:db8::1, 2055",
    "collector.example.net:4739, collector.example.net, 4739",
    "localhost:0, localhost, 0"
  })
  void parsesAndPrintsBack(String text, String host, int port) {
    HostPort hp = HostPort.parse(text);

    assertThat(hp).isEqualTo(new HostPort(host, port));
    assertThat(hp.toString()).isEqualTo(text);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "4739| \"4739\" is not host:port (the port is missing)",
        ":4739| the host is missing",
        "[::1]| \"[::1]\" is not host:port (IPv6 is written [addr]:port)",
        "[127.0.0.1]:80| \"[127.0.0.1]:80\": only IPv6 addresses go in brackets",
        "[::g]:80| \"::g\" is not an IPv6 address",
        "1.2.3:80| \"1.2.3\" is not an IPv4 address",
        "-bad-.example:80| \"-bad-.example\" is not a host name or address",
        "host:port| \"host:port\" has no valid port (0..65535)",
        "host:123456| \"host:123456\" has no valid port (0..65535)"
      })
  void refusesWithAReason(String text, String reason) {
    assertThatThrownBy(() -> HostPort.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(reason);
  }

  @Test
  void loopbackAndUnspecified() {
    assertThat(HostPort.parse("127.0.0.2:1").isLoopback()).isTrue();
    assertThat(HostPort.parse("[::1]:1").isLoopback()).isTrue();
    assertThat(HostPort.parse("localhost:1").isLoopback()).isTrue();
    assertThat(HostPort.parse("10.0.0.1:1").isLoopback()).isFalse();
    assertThat(HostPort.parse("0.0.0.0:1").isUnspecified()).isTrue();
    assertThat(HostPort.parse("[::]:1").isUnspecified()).isTrue();
  }
}
