package dev.flowgate.exporters.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;
import org.slf4j.helpers.NOPLogger;

class RateLimitedLogTest {
  private final AtomicLong nanos = new AtomicLong(1_000);
  private final RateLimitedLog log =
      new RateLimitedLog(NOPLogger.NOP_LOGGER, Level.WARN, Duration.ofMinutes(1), nanos::get);

  @Test
  void firstOccurrenceIsWrittenThenAtMostOneLineAMinutePerCause() {
    assertThat(log.report("send", "refused")).isTrue();
    assertThat(log.report("send", "refused")).isFalse();
    assertThat(log.report("drop", "queue full")).as("another cause").isTrue();
    nanos.addAndGet(Duration.ofSeconds(59).toNanos());
    assertThat(log.report("send", "refused")).isFalse();
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(log.report("send", "refused")).as("the summary, a minute on").isTrue();
    assertThat(log.report("send", "refused")).isFalse();
  }

  @Test
  void aClearedCauseIsWrittenAtOnceWhenItReturns() {
    assertThat(log.report("send", "refused")).isTrue();
    log.clear("send");
    assertThat(log.report("send", "refused")).isTrue();
  }

  @Test
  void periodMustBePositive() {
    assertThatThrownBy(
            () -> new RateLimitedLog(NOPLogger.NOP_LOGGER, Level.WARN, Duration.ZERO, nanos::get))
        .hasMessageContaining("period must be positive");
  }
}
