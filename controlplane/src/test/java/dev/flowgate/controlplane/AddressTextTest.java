package dev.flowgate.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(10)
class AddressTextTest {
  @ParameterizedTest
  @CsvSource({
    "2001:db8:1:0:0:0:0:1, 2001:db8:1::1",
    "0:0:0:0:0:0:0:1, ::1",
    "0:0:0:0:0:0:0:0, ::",
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
    "fe80:0:0:0:0:0:0:0, fe80::",
    "198.51.100.7, 198.51.100.7",
  })
  void writesRfc5952CanonicalText(String in, String expected) throws Exception {
    assertThat(AddressText.of(InetAddress.getByName(in))).isEqualTo(expected);
  }
}
