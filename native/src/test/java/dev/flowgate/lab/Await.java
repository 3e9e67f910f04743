package dev.flowgate.lab;

import java.util.function.BooleanSupplier;

/**
 * Waits for a kernel-side condition that becomes true asynchronously (a softirq finishing a
 * backlog, a qdisc emptying). It is a barrier, not a timing assertion: it polls until the condition
 * holds, and gives up only after {@link #LIMIT_MS}, a bound far above any normal wait that only
 * turns a hang into a failure with a message.
 */
public final class Await {
  /** 60 000 ms: how long a condition may take before it counts as never. */
  public static final long LIMIT_MS = 60_000;

  private Await() {}

  /**
   * Polls {@code condition} until it holds; a {@link LabException} naming {@code what} after the
   * limit.
   */
  public static void until(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + LIMIT_MS * 1_000_000;
    long pauseMs = 1;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new LabException("gave up waiting until " + what + " after " + LIMIT_MS + " ms");
      }
      try {
        Thread.sleep(pauseMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LabException("interrupted while waiting until " + what, e);
      }
      pauseMs = Math.min(pauseMs * 2, 50);
    }
  }
}
