package dev.flowgate.controlplane.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class KeySuggestionTest {

  private static final List<String> FLOWS =
      List.of("max-flows", "sweep-interval", "active-timeout", "idle-timeout");

  @Test
  void typosUnderscoresAndCaseFindTheKey() {
    assertThat(KeySuggestion.closest("idle-timout", FLOWS)).contains("idle-timeout");
    assertThat(KeySuggestion.closest("idle_timeout", FLOWS)).contains("idle-timeout");
    assertThat(KeySuggestion.closest("idleTimeout", FLOWS)).contains("idle-timeout");
    assertThat(KeySuggestion.closest("maxflows", FLOWS)).contains("max-flows");
  }

  @Test
  void aUniquePrefixFindsTheKey() {
    assertThat(KeySuggestion.closest("sweep", FLOWS)).contains("sweep-interval");
  }

  @Test
  void farOffWordsGetNoSuggestion() {
    assertThat(KeySuggestion.closest("colour", FLOWS)).isEmpty();
    assertThat(KeySuggestion.closest("timeout", FLOWS)).isEmpty();
  }
}
