package dev.flowgate.controlplane.api;

import java.util.function.LongSupplier;

/**
 * A token bucket over every mutating call: {@code burst} calls at once, refilled at {@code
 * perSecond}. Thread-safe.
 */
final class MutationRateLimiter {

  private static final double NANOS_PER_SECOND = 1e9;

  private final double perSecond;
  private final int burst;
  private final LongSupplier nanoClock;
  private double tokens;
  private long lastRefillNanos;

  MutationRateLimiter(double perSecond, int burst, LongSupplier nanoClock) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.nanoClock = nanoClock;
    this.tokens = burst;
    this.lastRefillNanos = nanoClock.getAsLong();
  }

  /** Takes one call from the bucket; returns 0 if it was there, else seconds until one is. */
  synchronized long tryAcquire() {
    long now = nanoClock.getAsLong();
    tokens = Math.min(burst, tokens + (now - lastRefillNanos) / NANOS_PER_SECOND * perSecond);
    lastRefillNanos = now;
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - tokens) / perSecond));
  }
}
