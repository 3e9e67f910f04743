package dev.flowgate.controlplane.samples;

import dev.flowgate.bpf.Layout;
import dev.flowgate.exporters.sample.SampleBatch;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntPredicate;

/**
 * One consumer's share of the samples: the {@link SampleReader} offers every batch, the consumer
 * takes them on its own thread. The queue holds at most {@code capacity} samples; a batch that does
 * not fit is lost to this consumer only, counted per interface slot and direction, and the reader
 * goes on at once: a slow consumer never stalls the ring buffer or the other consumers.
 */
public final class SampleSubscription implements AutoCloseable {

  private final String kind;
  private final IntPredicate wants;
  private final int capacity;
  private final SampleReader reader;
  private final ArrayDeque<SampleBatch> queue = new ArrayDeque<>();
  private final AtomicLongArray lost = new AtomicLongArray(Layout.MAX_SLOTS * Layout.DIR_MAX);
  private final AtomicLongArray offered = new AtomicLongArray(Layout.MAX_SLOTS * Layout.DIR_MAX);
  private int[] picked = new int[256]; // reader thread only
  private int queued; // guarded by this
  private boolean closed; // guarded by this

  SampleSubscription(SampleReader reader, String kind, IntPredicate wants, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a subscription's queue must hold 1 sample or more");
    }
    this.reader = reader;
    this.kind = kind;
    this.wants = wants;
    this.capacity = capacity;
  }

  /** What consumes (a metric label): e.g. "capture" or "psamp". */
  public String kind() {
    return kind;
  }

  /** Called by the reader thread: queues the wanted samples of a batch, or counts them lost. */
  void offer(SampleBatch batch) {
    int n = 0;
    int size = batch.size();
    if (picked.length < size) {
      picked = new int[Math.max(size, picked.length * 2)];
    }
    for (int i = 0; i < size; i++) {
      if (wants.test(batch.ifindex(i))) {
        picked[n++] = i;
      }
    }
    if (n == 0) {
      return;
    }
    boolean accepted;
    synchronized (this) {
      accepted = !closed && queued + n <= capacity;
      if (accepted) {
        queue.add(n == size ? batch : batch.select(picked, n));
        queued += n;
        notifyAll();
      }
    }
    for (int k = 0; k < n; k++) {
      int i = picked[k];
      int idx = batch.slot(i) * Layout.DIR_MAX + batch.direction(i);
      if (idx >= 0 && idx < lost.length()) {
        offered.incrementAndGet(idx);
        if (!accepted) {
          lost.incrementAndGet(idx);
        }
      }
    }
  }

  /**
   * The next batch, waiting up to {@code timeout}; null on timeout or once closed and empty.
   *
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public SampleBatch take(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    synchronized (this) {
      while (queue.isEmpty() && !closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      SampleBatch b = queue.poll();
      if (b != null) {
        queued -= b.size();
      }
      return b;
    }
  }

  /** Samples of a slot and direction this consumer lost (its queue was full). */
  public long lost(int slot, int direction) {
    return lost.get(slot * Layout.DIR_MAX + direction);
  }

  /** Samples of a slot and direction offered to this consumer (queued or lost). */
  public long offered(int slot, int direction) {
    return offered.get(slot * Layout.DIR_MAX + direction);
  }

  /**
   * Takes no more batches; those queued are still taken, then {@link #take} returns null at once.
   */
  public void finish() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
  }

  /** Whether {@link #finish()} or {@link #close()} was called. */
  public synchronized boolean isClosed() {
    return closed;
  }

  /** Stops receiving; the reader folds this subscription's losses into its totals. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      queue.clear();
      queued = 0;
      notifyAll();
    }
    reader.unsubscribe(this); // once: the reader forgets it at the first call
  }

  AtomicLongArray lostCounts() {
    return lost;
  }
}
