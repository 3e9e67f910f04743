package dev.flowgate.exporters.log;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * A warning that may repeat (a collector refusing every message, a ring buffer dropping samples):
 * the first occurrence of each cause is logged at once; later ones are counted and summarised in
 * one line at most once per {@link #DEFAULT_PERIOD} per cause ({@code "... (12 more since the last
 * report)"}), on the next occurrence after the period. Thread-safe. Shared by the sinks (send and
 * write failures) and the control plane (attach failures, lost samples), hence in this module.
 */
public final class RateLimitedLog {
  /** Default period between two lines of one cause: 1 minute. */
  public static final Duration DEFAULT_PERIOD = Duration.ofMinutes(1);

  private final Logger log;
  private final Level level;
  private final long periodNanos;
  private final LongSupplier nanoClock;
  private final Map<String, Cause> causes = new HashMap<>();

  private static final class Cause {
    long lastLoggedNanos;
    long suppressed;
  }

  /** Logs to {@code log} at {@code level}, one line per cause per minute. */
  public RateLimitedLog(Logger log, Level level) {
    this(log, level, DEFAULT_PERIOD, System::nanoTime);
  }

  /**
   * @param nanoClock a monotonic clock in nanoseconds (tests step it)
   */
  public RateLimitedLog(Logger log, Level level, Duration period, LongSupplier nanoClock) {
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be positive, was " + period);
    }
    this.log = log;
    this.level = level;
    this.periodNanos = period.toNanos();
    this.nanoClock = nanoClock;
  }

  /**
   * One occurrence of {@code cause} (a short key such as {@code "send 127.0.0.1:4739"}); {@code
   * message} is logged if this is the first, or the first after the period.
   *
   * @return whether a line was written
   */
  public boolean report(String cause, String message) {
    long now = nanoClock.getAsLong();
    long suppressed;
    synchronized (causes) {
      Cause c = causes.get(cause);
      if (c == null) {
        c = new Cause();
        causes.put(cause, c);
      } else if (now - c.lastLoggedNanos < periodNanos) {
        c.suppressed++;
        return false;
      }
      suppressed = c.suppressed;
      c.suppressed = 0;
      c.lastLoggedNanos = now;
    }
    if (suppressed == 0) {
      log.atLevel(level).log(message);
    } else {
      log.atLevel(level).log("{} ({} more since the last report)", message, suppressed);
    }
    return true;
  }

  /** Forgets {@code cause}: its next occurrence is logged as a first one (it recovered). */
  public void clear(String cause) {
    synchronized (causes) {
      causes.remove(cause);
    }
  }
}
