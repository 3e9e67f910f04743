package dev.flowgate.controlplane.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.config.AlertLevels;
import dev.flowgate.controlplane.config.Detector;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The alert lifecycle, sweep by sweep, on made-up rates (one sweep = 1,000 ms here). */
@Timeout(30)
class AlertBookTest {
  private static final HostKey HOST = new HostKey(0, 0xFFFF_CB00_710AL, 0); // 203.0.113.10
  private static final AlertLevels LEVELS = new AlertLevels(100, 200);

  private final AlertBook book = new AlertBook(Duration.ofSeconds(3));
  private long sweep;

  /** One sweep in which HOST's syn-flood rate was {@code rate}; returns its events. */
  private List<AlertEvent> sweep(long rate) {
    sweep++;
    long end = sweep * 1000;
    if (rate > 0) {
      book.observe(
          HOST, Detector.SYN_FLOOD, "default", rate, LEVELS, end - 1000, end, sweep, this::print);
    }
    return book.endSweep(end - 1000, end);
  }

  private Fingerprint print() {
    return new Fingerprint(0, 0, 0, java.util.Map.of(), 0, List.of(), List.of(), List.of(), 0, 0, null);
  }

  private static List<String> kinds(List<AlertEvent> events) {
    return events.stream().map(e -> e.kind().label()).toList();
  }

  @Test
  void firesAtTheFirstIntervalAboveAndResolvesAfterTheHoldDown() {
    assertThat(kinds(sweep(50))).isEmpty();
    List<AlertEvent> fired = sweep(150);
    assertThat(kinds(fired)).containsExactly("firing");
    Alert a = fired.get(0).alert();
    assertThat(a.target()).isEqualTo("203.0.113.10");
    assertThat(a.severity()).isEqualTo("warning");
    assertThat(a.threshold()).isEqualTo(100);
    assertThat(a.startedAt()).isEqualTo(1000);
    assertThat(a.detectedAt()).isEqualTo(2000);
    assertThat(a.detectedSweep()).isEqualTo(2);
    assertThat(kinds(sweep(0))).isEmpty(); // calm since 2000
    assertThat(kinds(sweep(0))).isEmpty();
    List<AlertEvent> resolved = sweep(0); // 5000 - 2000 >= 3 s
    assertThat(kinds(resolved)).containsExactly("resolved");
    assertThat(resolved.get(0).alert().resolvedAt()).isEqualTo(5000);
    assertThat(resolved.get(0).alert().id()).isEqualTo(a.id());
    assertThat(book.snapshot()).hasSize(1);
    assertThat(book.totals()).containsEntry(Detector.SYN_FLOOD, 1L);
  }

  @Test
  void aFlappingAttackStaysOneAlertAndItsSeverityOnlyRises() {
    assertThat(kinds(sweep(150))).containsExactly("firing");
    assertThat(kinds(sweep(0))).isEmpty();
    assertThat(kinds(sweep(0))).isEmpty();
    List<AlertEvent> rose = sweep(250); // back within the hold-down, now critical
    assertThat(kinds(rose)).containsExactly("updated");
    assertThat(rose.get(0).alert().severity()).isEqualTo("critical");
    assertThat(rose.get(0).alert().threshold()).isEqualTo(200);
    assertThat(kinds(sweep(150))).isEmpty(); // warning rate: stays critical, no event
    assertThat(book.snapshot()).hasSize(1);
    assertThat(book.snapshot().get(0).severity()).isEqualTo("critical");
    assertThat(book.snapshot().get(0).peakRate()).isEqualTo(250);
    assertThat(book.totals()).containsEntry(Detector.SYN_FLOOD, 1L);
  }

  @Test
  void keepsTheLastThousandResolvedNewestFirst() {
    for (int i = 0; i < AlertBook.RESOLVED_KEPT + 5; i++) {
      sweep(150);
      sweep(0);
      sweep(0);
      sweep(0);
    }
    List<Alert> all = book.snapshot();
    assertThat(all).hasSize(AlertBook.RESOLVED_KEPT);
    assertThat(all.get(0).id()).isEqualTo(AlertBook.RESOLVED_KEPT + 5);
    assertThat(all.get(0).detectedAt()).isGreaterThan(all.get(1).detectedAt());
  }
}
