package dev.flowgate.controlplane.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.config.Detector;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The watch's sliding window, on made-up reads four per 1 s interval: a flood at twice a threshold
 * that a sweep interval cuts short is seen whole at the read after it filled half a window.
 */
@Timeout(30)
class HostWindowTest {
  private static final HostKey HOST = new HostKey(0, 0xFFFF_CB00_710AL, 0); // 203.0.113.10
  private static final long READ_NS = 250_000_000L;

  private final HostWindow window = new HostWindow(4);

  private void read(long syn) {
    long[] c = new long[HostCounters.COUNTERS];
    c[HostCounters.PACKETS] = syn;
    c[HostCounters.TCP] = syn;
    c[HostCounters.SYN] = syn;
    window.add(READ_NS, syn == 0 ? List.of() : List.of(new HostCounters.Delta(HOST, c)));
  }

  private long synRate() {
    long[] c = window.counts().get(HOST);
    return c == null
        ? 0
        : Detection.rate(Detector.SYN_FLOOD, c, window.elapsedNs() / 1e9);
  }

  @Test
  void aFloodAtTwiceTheThresholdIsSeenWholeTheReadAfterItFilledHalfAWindow() {
    // 2,000 SYN/s from 0.6 s: the sweep interval [0, 1 s] holds 800 of them (under 1,000/s);
    // the window ending at the read of 1.25 s holds 1,300 over 1 s
    read(0);
    read(0);
    read(300); // 0.6 .. 0.75 s
    assertThat(window.complete()).as("three reads are no window").isFalse();
    read(500);
    assertThat(window.complete()).isTrue();
    assertThat(synRate()).isEqualTo(800);
    read(500);
    assertThat(synRate()).isEqualTo(1300);
    assertThat(window.elapsedNs()).isEqualTo(4 * READ_NS);
  }

  @Test
  void oldReadsLeaveTheWindowAndAQuietHostLeavesTheCounts() {
    read(400);
    read(400);
    read(400);
    read(400);
    assertThat(synRate()).isEqualTo(1600);
    read(0);
    read(0);
    assertThat(synRate()).isEqualTo(800);
    read(0);
    read(0);
    assertThat(window.counts()).isEmpty();
    assertThat(window.elapsedNs()).isEqualTo(4 * READ_NS);
  }
}
