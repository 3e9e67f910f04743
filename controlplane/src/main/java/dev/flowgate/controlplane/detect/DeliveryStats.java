package dev.flowgate.controlplane.detect;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What one alert sink did with what it was given: every request either delivered, or failed (and
 * retried, or dropped after its last try, or dropped because the queue was full). Thread-safe.
 */
public final class DeliveryStats {
  /** Outcomes in the order of the metric's {@code outcome} label values. */
  public static final String[] OUTCOMES = {"delivered", "failed", "retried", "dropped"};

  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong retried = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();

  void countDelivered() {
    delivered.incrementAndGet();
  }

  void countFailed() {
    failed.incrementAndGet();
  }

  void countRetried() {
    retried.incrementAndGet();
  }

  void countDropped() {
    dropped.incrementAndGet();
  }

  /** Count of outcome {@code OUTCOMES[i]}. */
  public long get(int i) {
    return switch (i) {
      case 0 -> delivered.get();
      case 1 -> failed.get();
      case 2 -> retried.get();
      default -> dropped.get();
    };
  }

  /** Requests (or log lines) that reached their receiver. */
  public long delivered() {
    return delivered.get();
  }

  /** Attempts that failed (each retry that fails counts again). */
  public long failures() {
    return failed.get();
  }

  /** Events given up: queue full, or out of retries. */
  public long droppedEvents() {
    return dropped.get();
  }

  @Override
  public String toString() {
    return "delivered="
        + delivered.get()
        + " failed="
        + failed.get()
        + " retried="
        + retried.get()
        + " dropped="
        + dropped.get();
  }
}
