package dev.flowgate.controlplane.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathEncodingGuardTest {
  @ParameterizedTest
  @ValueSource(strings = {"/", "/api/v1/status", "/api/v1/interfaces/a%2Fb", "/%00", "/%ff%FE"})
  void wellFormedEscapesPass(String path) {
    assertThat(PathEncodingGuard.wellEncoded(path)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/%", "/a%2", "/%zz", "/api/v1/status%", "/%%41", "/%4g"})
  void malformedEscapesAreCaught(String path) {
    assertThat(PathEncodingGuard.wellEncoded(path)).isFalse();
  }
}
