package dev.flowgate.controlplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class InterfaceNameTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"eth0", "e", "fifteen-bytes-x", "br-lan.100", "wg@home", "veth_1-a", "\u00e9th0"})
  void linuxNamesAreAccepted(String name) {
    assertThat(InterfaceName.problem(name)).isNull();
    assertThat(InterfaceName.idOf(name)).isEqualTo(name);
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
    assertThat(InterfaceName.problem(name)).isNotNull();
    assertThat(InterfaceName.linuxNameProblem(name)).isNotNull();
    assertThat(InterfaceName.idProblem(name)).isNotNull();
    // the config file and the API refuse the same names: one set of rules
    assertThatThrownBy(() -> InterfaceConfig.of(name))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessageContaining(InterfaceName.problem(name));
  }

  @Test
  void lengthIsCountedInBytesAsTheKernelDoes() {
    // 8 characters, 16 bytes in UTF-8: the kernel refuses it, so does flowgate
    assertThat(InterfaceName.problem("\u00e9".repeat(8))).endsWith("is longer than 15 bytes");
    assertThat(InterfaceName.problem("\u00e9".repeat(7) + "a")).isNull();
  }

  @Test
  void aRegexIsNoLinuxNameAndAMalformedIdIsRefused() {
    assertThat(InterfaceName.linuxNameProblem("/veth[0-9]+/")).isNotNull();
    assertThat(InterfaceName.idProblem("re:0123456789ab")).isNull();
    assertThat(InterfaceName.idProblem("re:0123456789AB")).contains("12 lower-case hex digits");
    assertThat(InterfaceName.idProblem("re:0123")).contains("12 lower-case hex digits");
  }

  @Test
  void regexEntriesCompileAndGetAStableIdThatNoLinuxNameCanTake() {
    assertThat(InterfaceName.problem("/veth[0-9]+/")).isNull();
    assertThat(InterfaceConfig.of("/veth[0-9]+/").matches("veth12")).isTrue();
    String id = InterfaceName.idOf("/veth[0-9]+/");
    assertThat(id).matches("re:[0-9a-f]{12}").isEqualTo(InterfaceName.idOf("/veth[0-9]+/"));
    assertThat(id).isNotEqualTo(InterfaceName.idOf("/veth[0-9]*/"));
    assertThat(InterfaceName.idProblem(id)).isNull();
    assertThat(InterfaceName.problem(id)).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"//", "/(/", "/a", "/[z-a]/"})
  void badRegexEntriesAreRefused(String name) {
    assertThat(InterfaceName.problem(name)).isNotNull();
  }

  @Test
  void overlongRegexIsRefused() {
    String name = "/" + "a".repeat(InterfaceName.MAX_REGEX_CHARS + 1) + "/";
    assertThat(InterfaceName.problem(name)).isNotNull();
    assertThat(InterfaceName.problem("/" + "a".repeat(InterfaceName.MAX_REGEX_CHARS) + "/"))
        .isNull();
  }
}
