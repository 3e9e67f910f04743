package dev.flowgate.exporters.arrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ArrowFileSinkOptionsTest {

  @Test
  void defaultsKeepOneDayOfOneMinuteFiles() {
    ArrowFileSinkOptions options = new ArrowFileSinkOptions();
    assertThat(options.rotateInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(options.maxFiles()).isEqualTo(1440);
    assertThat(options.clock()).isEqualTo(Clock.systemUTC());
    assertThat(options.directory()).isNull();
  }

  @Test
  void settersSayWhatWasWrong() {
    ArrowFileSinkOptions options = new ArrowFileSinkOptions();
    assertThatThrownBy(() -> options.directory(Path.of("flows")))
        .hasMessage("directory must be an absolute path, not flows");
    assertThatThrownBy(() -> options.rotateInterval(Duration.ofMillis(999)))
        .hasMessage("rotate-interval must be 1s..24h, not PT0.999S");
    assertThatThrownBy(() -> options.rotateInterval(Duration.ofHours(25)))
        .hasMessage("rotate-interval must be 1s..24h, not PT25H");
    assertThatThrownBy(() -> options.rotateInterval(Duration.ofMillis(1500)))
        .hasMessage("rotate-interval must be whole seconds, not PT1.5S");
    assertThatThrownBy(() -> options.maxFiles(0)).hasMessage("max-files must be 1..1000000, not 0");
    assertThatThrownBy(() -> options.maxFiles(1_000_001))
        .hasMessage("max-files must be 1..1000000, not 1000001");
    assertThatThrownBy(options::validate).hasMessage("export.arrow needs a directory");
  }

  @Test
  void theSinkTakesACopy() {
    ArrowFileSinkOptions options =
        new ArrowFileSinkOptions()
            .directory(Path.of("/var/lib/flowgate/flows"))
            .rotateInterval(Duration.ofSeconds(30))
            .maxFiles(7);
    ArrowFileSinkOptions copy = new ArrowFileSinkOptions(options);
    options.maxFiles(8);
    assertThat(copy.maxFiles()).isEqualTo(7);
    assertThat(copy.rotateInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(copy.directory()).isEqualTo(Path.of("/var/lib/flowgate/flows"));
  }
}
