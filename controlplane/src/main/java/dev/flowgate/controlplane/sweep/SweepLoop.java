package dev.flowgate.controlplane.sweep;

import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.dataplane.KernelCounters;
import dev.flowgate.controlplane.dataplane.KernelReading;
import dev.flowgate.exporters.EndReason;
import java.nio.channels.WritableByteChannel;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sweeper thread: runs a {@link Sweeper} at a fixed delay and publishes each sweep's {@link
 * SweepResult} to its {@link SweepListener}s, in the order they subscribed.
 *
 * <p>Every touch of the flow cache runs on this one thread: the cache is not thread-safe, and the
 * sweep is its only writer. Other work that must not race a sweep (the start's drain, interface
 * changes, reading the cache for the API) runs here through {@link #call}; periodic work through
 * {@link #every}.
 */
public final class SweepLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SweepLoop.class);

  private final Sweeper sweeper;
  private final FlowCache cache;
  private final KernelCounters counters;
  private final Supplier<List<Integer>> slotsInUse;
  private final List<SweepListener> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService thread;
  private volatile SweepResult last;
  private long sweeps;

  /**
   * @param sweeper the product's sweeper (its batch's rows reach the listeners' {@link
   *     SweepListener#drained})
   * @param batch the interval batch {@code sweeper} fills
   * @param cache the flow cache it merges into
   * @param counters the kernel counters, read right after each swap
   * @param slotsInUse the interface slots whose totals each sweep reads
   */
  public SweepLoop(
      Sweeper sweeper,
      IntervalBatchBuilder batch,
      FlowCache cache,
      KernelCounters counters,
      Supplier<List<Integer>> slotsInUse) {
    this.sweeper = sweeper;
    this.cache = cache;
    this.counters = counters;
    this.slotsInUse = slotsInUse;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "flowgate-sweeper");
              t.setDaemon(true);
              return t;
            });
    batch.setAppendListener(this::drained);
  }

  /** Adds a listener; it hears the sweeps (and drained rows) from now on. */
  public void subscribe(SweepListener listener) {
    listeners.add(listener);
  }

  /** Sweeps every {@code everyMs} from now on (the first one {@code everyMs} from now). */
  public void start(long everyMs) {
    thread.scheduleWithFixedDelay(this::sweepOnce, everyMs, everyMs, TimeUnit.MILLISECONDS);
  }

  /** Runs {@code task} on the sweeper thread every {@code everyMs}, between sweeps. */
  public void every(long everyMs, Runnable task) {
    thread.scheduleWithFixedDelay(task, everyMs, everyMs, TimeUnit.MILLISECONDS);
  }

  /**
   * Runs {@code task} on the sweeper thread soon, between sweeps, without waiting (e.g. re-matching
   * interfaces when rtnetlink reports a change); ignored once the loop is stopping.
   */
  public void execute(Runnable task) {
    try {
      thread.execute(task);
    } catch (RejectedExecutionException e) {
      // stopping: nothing more to re-match
    }
  }

  /** Runs a task on the sweeper thread and waits for it; its exception is rethrown here. */
  public <T> T call(Callable<T> task) {
    try {
      return thread.submit(task).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * Sweeps once now on the sweeper thread, exactly as a scheduled sweep (listeners included), and
   * waits for it: for a loop that was not {@link #start}ed on a schedule (the sweep benchmark).
   *
   * @return the sweep's result
   * @throws IllegalStateException if the sweep failed (the listeners heard it)
   */
  public SweepResult sweepNow() {
    return call(
        () -> {
          SweepResult before = last;
          sweepOnce();
          if (last == before) {
            throw new IllegalStateException("the sweep failed (logged)");
          }
          return last;
        });
  }

  /**
   * Writes the last sweep's interval to {@code out} as one Arrow IPC stream, serialized now on the
   * sweeper thread from the entries that sweep drained ({@link Sweeper#writeLastInterval}), one
   * chunk of the interval batch at a time: memory bounded by the batch, not by the flows.
   *
   * @return false, writing nothing, before the first sweep or when the sweeper keeps no interval
   */
  public boolean writeLastInterval(WritableByteChannel out) {
    return call(() -> sweeper.writeLastInterval(out));
  }

  /** The last sweep's result, or null before the first sweep. */
  public SweepResult last() {
    return last;
  }

  /**
   * Stops the thread (the sweep under way ends first, bounded wait), then sweeps once more on the
   * caller's thread without publishing: the stop's last drain. Returns what the kernel's counters
   * read right after its swap.
   */
  public KernelReading stopAndDrain(long nowMs) {
    close();
    KernelReading[] read = {KernelReading.EMPTY};
    List<Integer> slots = slotsInUse.get();
    sweeper.sweep(nowMs, () -> read[0] = counters.read(slots));
    return read[0];
  }

  /** Stops the thread; the sweep under way ends first (waits up to 30 s). */
  @Override
  public void close() {
    thread.shutdown();
    try {
      thread.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void sweepOnce() {
    long started = System.nanoTime();
    try {
      List<Integer> slots = slotsInUse.get();
      for (SweepListener l : listeners) {
        l.beforeSweep(sweeps + 1, System.currentTimeMillis());
      }
      long now = System.currentTimeMillis();
      KernelReading[] read = {KernelReading.EMPTY};
      int n = sweeper.sweep(now, () -> read[0] = counters.read(slots));
      long nanos = System.nanoTime() - started;
      Map<EndReason, Long> finished = new EnumMap<>(EndReason.class);
      for (EndReason r : EndReason.values()) {
        finished.put(r, cache.finishedFlows(r));
      }
      SweepResult result =
          new SweepResult(
              ++sweeps,
              now,
              n,
              nanos,
              read[0],
              Map.copyOf(finished),
              cache);
      for (SweepListener l : listeners) {
        l.swept(result);
      }
      last = result;
    } catch (RuntimeException e) {
      for (SweepListener l : listeners) {
        try {
          l.failed(e);
        } catch (RuntimeException again) {
          e.addSuppressed(again);
        }
      }
      LOG.error("sweep failed", e);
    }
  }

  private void drained(VectorSchemaRoot interval, int fromRow, int count) {
    for (SweepListener l : listeners) {
      l.drained(interval, fromRow, count);
    }
  }
}
