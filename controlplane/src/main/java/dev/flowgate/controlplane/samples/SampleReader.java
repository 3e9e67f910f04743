package dev.flowgate.controlplane.samples;

import dev.flowgate.bpf.BpfMap;
import dev.flowgate.bpf.Layout;
import dev.flowgate.bpf.NativeBpf;
import dev.flowgate.bpf.RingBuffer;
import dev.flowgate.controlplane.sweep.MonotonicClock;
import dev.flowgate.exporters.sample.SampleBatch;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntPredicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The thread that reads the kernel's sample ring buffer: it waits on the ring's epoll fd (inside
 * {@link RingBuffer#poll}: one JNI crossing per batch, no busy loop), packs what arrived into a
 * {@link SampleBatch} with wall-clock times (CLOCK_MONOTONIC + the epoch offset taken per batch),
 * counts it per interface slot and direction ("delivered": out of the kernel), and offers it to
 * every {@link SampleSubscription}. It never waits for a subscriber.
 *
 * <p>The kernel counts samples taken and the ones the full ring refused ({@code fg_sample_counts});
 * at any quiescent point taken = kernel lost + delivered.
 */
public final class SampleReader implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SampleReader.class.getName());

  /** Bytes of the read buffer: about 3,600 records of the largest size per JNI crossing. */
  public static final int READ_BUFFER_BYTES = 1 << 20;

  /**
   * How long one wait on the ring lasts before the thread checks whether it should stop: 200 ms.
   */
  static final int POLL_TIMEOUT_MS = 200;

  private static final int ENTRIES = Layout.MAX_SLOTS * Layout.DIR_MAX;

  private final RingBuffer ring;
  private final ByteBuffer buf = NativeBpf.allocate(READ_BUFFER_BYTES);
  private final SampleBatch.Builder builder = new SampleBatch.Builder(4096, Layout.DEFAULT_SNAP);
  private final List<SampleSubscription> subscriptions = new CopyOnWriteArrayList<>();
  private final AtomicLongArray delivered = new AtomicLongArray(ENTRIES);
  private final long[] batchCounts = new long[ENTRIES];
  private final Map<String, AtomicLongArray> lostByKind = new TreeMap<>(); // of closed ones
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long readErrors;

  /** A reader of the ring buffer map {@code fg_samples}; {@link #start()} starts its thread. */
  public SampleReader(BpfMap samples) {
    this.ring = new RingBuffer(samples);
    this.thread = new Thread(this::run, "flowgate-samples");
    this.thread.setDaemon(true);
  }

  /** Starts the reader thread. */
  public void start() {
    thread.start();
  }

  /**
   * A new consumer of the samples of the interfaces {@code wants} accepts (by ifindex), with a
   * queue of {@code capacity} samples.
   */
  public SampleSubscription subscribe(String kind, IntPredicate wants, int capacity) {
    SampleSubscription s = new SampleSubscription(this, kind, wants, capacity);
    subscriptions.add(s);
    return s;
  }

  void unsubscribe(SampleSubscription s) {
    if (subscriptions.remove(s)) {
      synchronized (lostByKind) {
        AtomicLongArray sum =
            lostByKind.computeIfAbsent(s.kind(), k -> new AtomicLongArray(ENTRIES));
        for (int i = 0; i < ENTRIES; i++) {
          long n = s.lostCounts().get(i);
          if (n != 0) {
            sum.addAndGet(i, n);
          }
        }
      }
    }
  }

  /** Samples of a slot and direction read out of the ring buffer. */
  public long delivered(int slot, int direction) {
    return delivered.get(slot * Layout.DIR_MAX + direction);
  }

  /**
   * Samples of a slot and direction lost by consumers of {@code kind} (their queue was full), the
   * closed ones and the open ones together.
   */
  public long lost(String kind, int slot, int direction) {
    int idx = slot * Layout.DIR_MAX + direction;
    long n = 0;
    synchronized (lostByKind) {
      AtomicLongArray closed = lostByKind.get(kind);
      if (closed != null) {
        n += closed.get(idx);
      }
    }
    for (SampleSubscription s : subscriptions) {
      if (s.kind().equals(kind)) {
        n += s.lostCounts().get(idx);
      }
    }
    return n;
  }

  /** Consumers open now. */
  public int subscribers() {
    return subscriptions.size();
  }

  /** Failed reads of the ring buffer (each logged). */
  public long readErrors() {
    return readErrors;
  }

  /**
   * Reads what the ring holds now into one batch, counted as delivered, without offering it to the
   * subscribers; waits up to {@code timeoutMs} for the first record. For tests and benchmarks that
   * drive the reader without its thread.
   */
  public SampleBatch readOnce(int timeoutMs) {
    int len = ring.poll(buf, timeoutMs);
    if (len == 0) {
      return SampleBatch.EMPTY;
    }
    SampleBatch batch = pack(len);
    countDelivered();
    return batch;
  }

  private void run() {
    while (running) {
      try {
        int len = ring.poll(buf, POLL_TIMEOUT_MS);
        if (len == 0) {
          continue;
        }
        SampleBatch batch = pack(len);
        for (SampleSubscription s : subscriptions) {
          s.offer(batch);
        }
        countDelivered(); // after the offers: a delivered sample is queued or counted lost
      } catch (RuntimeException e) {
        readErrors++;
        LOG.log(Level.WARNING, "reading the sample ring buffer failed", e);
        try {
          Thread.sleep(POLL_TIMEOUT_MS);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /** The {@code len} bytes of records in {@code buf} as a batch, tallied per slot and direction. */
  private SampleBatch pack(int len) {
    long offset = MonotonicClock.epochOffsetNs();
    for (int off = 0; off < len; ) {
      int rl = RingBuffer.recordLength(buf, off);
      int hdr = RingBuffer.recordData(off);
      int slot = Layout.sampleSlot(buf, hdr);
      int dir = Layout.sampleDirection(buf, hdr);
      int cap = Math.min(Layout.sampleCapLen(buf, hdr), rl - Layout.SAMPLE_HDR_SIZE);
      builder.add(
          Layout.sampleTimestampNs(buf, hdr) + offset,
          Layout.sampleIfindex(buf, hdr),
          slot,
          dir,
          Layout.sampleOrigLen(buf, hdr),
          buf,
          hdr + Layout.SAMPLE_HDR_SIZE,
          cap);
      int idx = slot * Layout.DIR_MAX + dir;
      if (idx >= 0 && idx < ENTRIES) {
        batchCounts[idx]++;
      }
      off = RingBuffer.nextRecord(off, rl);
    }
    return builder.build();
  }

  private void countDelivered() {
    for (int i = 0; i < ENTRIES; i++) {
      if (batchCounts[i] != 0) {
        delivered.addAndGet(i, batchCounts[i]);
        batchCounts[i] = 0;
      }
    }
  }

  /** Stops the thread (within {@link #POLL_TIMEOUT_MS}) and frees the ring reader. */
  @Override
  public void close() {
    running = false;
    if (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ring.close();
  }
}
