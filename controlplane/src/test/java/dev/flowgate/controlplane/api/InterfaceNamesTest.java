package dev.flowgate.controlplane.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class InterfaceNamesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"eth0", "e", "fifteen-bytes-x", "br-lan.100", "wg@home", "veth_1-a", "\u00e9th0"})
  void linuxNamesAreAccepted(String name) {
    assertThat(InterfaceNames.validate(name)).isNull();
    assertThat(InterfaceNames.idOf(name)).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        ".",
        "..",
        "a/b",
        "a:b",
        "a b",
        "a\tb",
        "a\nb",
        "a\u0000b",
        "a\u007fb",
        "sixteen-bytes-xx",
        "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
      })
  void invalidLinuxNamesAreRefused(String name) {
    assertThatThrownBy(() -> InterfaceNames.validate(name))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void regexEntriesCompileAndGetAStableIdThatNoLinuxNameCanTake() {
    assertThat(InterfaceNames.validate("/veth[0-9]+/").matcher("veth12").matches()).isTrue();
    String id = InterfaceNames.idOf("/veth[0-9]+/");
    assertThat(id).matches("re:[0-9a-f]{12}").isEqualTo(InterfaceNames.idOf("/veth[0-9]+/"));
    assertThat(id).isNotEqualTo(InterfaceNames.idOf("/veth[0-9]*/"));
    InterfaceNames.validateId(id);
    assertThatThrownBy(() -> InterfaceNames.validate(id)).isInstanceOf(ApiException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"//", "/(/", "/a", "/[z-a]/"})
  void badRegexEntriesAreRefused(String name) {
    assertThatThrownBy(() -> InterfaceNames.validate(name))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void overlongRegexIsRefused() {
    String name = "/" + "a".repeat(InterfaceNames.MAX_REGEX_CHARS + 1) + "/";
    assertThatThrownBy(() -> InterfaceNames.validate(name)).isInstanceOf(ApiException.class);
    InterfaceNames.validate("/" + "a".repeat(InterfaceNames.MAX_REGEX_CHARS) + "/");
  }
}
