package dev.flowgate.exporters.transport;

import java.time.Duration;

/**
 * Exponential backoff between retries to an unreachable collector: the first pause is {@link
 * #INITIAL}, each failure doubles it up to {@link #MAX}, a success resets it.
 */
public final class Backoff {

  /** First pause after a failure: 50 ms. */
  public static final Duration INITIAL = Duration.ofMillis(50);

  /** Longest pause: 5 s, so a returning collector is found within seconds. */
  public static final Duration MAX = Duration.ofSeconds(5);

  private final long initialNanos;
  private final long maxNanos;
  private long nextNanos;

  /** Backoff from {@link #INITIAL} to {@link #MAX}. */
  public Backoff() {
    this(INITIAL, MAX);
  }

  /** Backoff from {@code initial} doubling up to {@code max}. */
  public Backoff(Duration initial, Duration max) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff needs 0 < initial <= max: " + initial + ", " + max);
    }
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
    this.nextNanos = initialNanos;
  }

  /** The pause to take now, in nanoseconds; the following one will be twice as long. */
  public long nextPauseNanos() {
    long pause = nextNanos;
    nextNanos = Math.min(maxNanos, nextNanos * 2);
    return pause;
  }

  /** After a success: the next failure pauses {@link #INITIAL} again. */
  public void reset() {
    nextNanos = initialNanos;
  }
}
