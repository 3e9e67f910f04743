package dev.flowgate.exporters.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ledger adds up, and the log names the sink: each first loss at once, then one a minute. */
class SinkOutcomesTest {

  private static final long SECOND = 1_000_000_000L;

  private final List<String> log = new ArrayList<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          log.add(r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private long now;
  private final SinkOutcomes outcomes = new SinkOutcomes("udp:192.0.2.1:4739", () -> now);

  @BeforeEach
  void listen() {
    Logger.getLogger(SinkOutcomes.class.getName()).addHandler(handler);
  }

  @AfterEach
  void stopListening() {
    Logger.getLogger(SinkOutcomes.class.getName()).removeHandler(handler);
  }

  @Test
  void everyHandedVolumeIsQueuedUntilItsOutcome() {
    outcomes.handed(new Volume(100, 10_000));
    outcomes.delivered(new Volume(60, 6_000));
    outcomes.dropped(new Volume(10, 1_000), "queue full");
    outcomes.failed(new Volume(20, 2_000), "send: refused");
    SinkReport r = outcomes.report();
    assertThat(r.queued()).isEqualTo(new Volume(10, 1_000));
    assertThat(r.addsUp()).isTrue();
    assertThat(r.losses()).isEqualTo(2);
    assertThat(r.lastError()).isEqualTo("send: refused");
  }

  @Test
  void firstDropAndFirstFailureAreLoggedAtOnceTheRestOnceAMinute() {
    outcomes.handed(new Volume(1000, 100_000));
    outcomes.dropped(new Volume(1, 100), "queue full");
    outcomes.failed(new Volume(2, 200), "send: refused");
    assertThat(log).hasSize(2);
    assertThat(log.get(0)).contains("udp:192.0.2.1:4739", "dropped", "queue full");
    assertThat(log.get(1)).contains("udp:192.0.2.1:4739", "failed", "send: refused");

    for (int i = 0; i < 10; i++) {
      now += SECOND;
      outcomes.failed(new Volume(3, 300), "send: refused " + i);
    }
    outcomes.tick();
    assertThat(log).as("less than a minute since the last line").hasSize(2);

    now += 60 * SECOND;
    outcomes.tick(); // nothing follows the burst: the tick reports it
    assertThat(log).hasSize(3);
    assertThat(log.get(2))
        .contains("udp:192.0.2.1:4739", "10 more losses", "30 packets", "refused 9");
    outcomes.tick();
    assertThat(log).as("nothing new to report").hasSize(3);
  }
}
