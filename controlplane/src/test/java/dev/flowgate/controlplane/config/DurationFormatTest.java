package dev.flowgate.controlplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class DurationFormatTest {

  @ParameterizedTest
  @CsvSource({"500ms,500", "1s,1000", "2m,120000", "1h,3600000", "0s,0", "90s,90000"})
  void integerAndUnitIsADuration(String text, long millis) {
    assertThat(DurationFormat.parse(text)).contains(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "1",
        "s",
        "1.5s",
        "-1s",
        "+1s",
        "1 s",
        "1S",
        "1sec",
        "1m30s",
        "1d",
        "1us",
        "1234567890s"
      })
  void anythingElseIsNot(String text) {
    assertThat(DurationFormat.parse(text)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"1500,1500ms", "1000,1s", "60000,1m", "90000,90s", "7200000,2h", "0,0s"})
  void formatUsesTheLargestExactUnit(long millis, String text) {
    assertThat(DurationFormat.format(Duration.ofMillis(millis))).isEqualTo(text);
    assertThat(DurationFormat.parse(text)).contains(Duration.ofMillis(millis));
  }

  @Test
  void subMillisecondDurationsCannotBeWritten() {
    assertThatThrownBy(() -> DurationFormat.format(Duration.ofNanos(1500)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
