package dev.flowgate.controlplane.samples;

import dev.flowgate.bpf.Layout;
import dev.flowgate.controlplane.dataplane.KernelCounters.SampleCounts;
import dev.flowgate.controlplane.iface.AttachedInterface;
import dev.flowgate.exporters.sample.SampleBatch;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One live capture: takes the samples of its interfaces from its {@link SampleSubscription},
 * filters them and writes them as a pcapng stream ({@link PcapngWriter}) to an {@link Output}: a
 * section header and one interface description per interface first (so a reader knows the capture
 * runs), enhanced packets while it runs, and one interface statistics block per interface at the
 * end with the samples taken, lost (in the kernel's full ring buffer and in this capture's queue)
 * and written while it ran. It ends at its count, at its duration, or when the output says the
 * client is gone ({@link #cancel()} too), and always releases its subscription.
 */
public final class Capture {

  /** Writes pcapng bytes to the client. */
  public interface Output {
    /**
     * Writes {@code bytes} (taking ownership), waiting while the client is slow to read.
     *
     * @return false once the client is gone
     */
    boolean write(ByteBuf bytes) throws InterruptedException;
  }

  /** The kernel's sample counts of a slot and direction ({@code KernelCounters::samples}). */
  public interface KernelSamples {
    SampleCounts samples(int slot, int direction);
  }

  /** The longest wait for samples before the capture checks its deadline again: 200 ms. */
  static final long WAIT_MS = 200;

  private static final String APPLICATION = "flowgate";

  private final SampleSubscription subscription;
  private final List<AttachedInterface> interfaces;
  private final int[] ifindexes;
  private final CaptureRequest request;
  private final KernelSamples kernel;
  private final long[] written;
  private final long[] filtered;
  private final Runnable onEnd;
  private volatile boolean cancelled;

  /**
   * @param subscription this capture's samples (of exactly {@code interfaces}); closed at the end
   * @param interfaces the interfaces captured, in the order of their description blocks
   * @param onEnd runs once when the capture ends (gives its place back)
   */
  public Capture(
      SampleSubscription subscription,
      List<AttachedInterface> interfaces,
      CaptureRequest request,
      KernelSamples kernel,
      Runnable onEnd) {
    this.onEnd = onEnd;
    this.subscription = subscription;
    this.interfaces = List.copyOf(interfaces);
    this.ifindexes = interfaces.stream().mapToInt(AttachedInterface::ifindex).toArray();
    this.request = request;
    this.kernel = kernel;
    this.written = new long[ifindexes.length];
    this.filtered = new long[ifindexes.length];
  }

  /** Ends the capture early (the client went away); {@link #run} writes its statistics and ends. */
  public void cancel() {
    cancelled = true;
  }

  /** Packets written so far, over all interfaces. */
  public long written() {
    long n = 0;
    for (long w : written) {
      n += w;
    }
    return n;
  }

  /**
   * Streams the capture to {@code out} on the calling thread until it ends; the subscription is
   * closed and {@code onEnd} has run when this returns, whatever happened. Call once.
   */
  public void run(Output out) throws InterruptedException {
    try {
      stream(out);
    } finally {
      subscription.close();
      onEnd.run();
    }
  }

  private void stream(Output out) throws InterruptedException {
    int n = ifindexes.length;
    SampleCounts[][] start = new SampleCounts[n][Layout.DIR_MAX];
    byte[][] comments = new byte[n][];
    ByteBuf head = Unpooled.buffer(256 * (n + 1));
    PcapngWriter.sectionHeader(head, APPLICATION);
    for (int k = 0; k < n; k++) {
      AttachedInterface a = interfaces.get(k);
      PcapngWriter.interfaceDescription(head, a.name(), request.snapLength());
      comments[k] = ("sampled 1 in " + a.sampling()).getBytes(StandardCharsets.UTF_8);
      for (int d = 0; d < Layout.DIR_MAX; d++) {
        start[k][d] = kernel.samples(a.slot(), d);
      }
    }
    long startNanos = wallNanos();
    if (!out.write(head)) {
      return;
    }
    long total = 0;
    long deadline = System.nanoTime() + request.duration().toNanos();
    CaptureFilter filter = request.filter();
    int snap = request.snapLength();
    while (!cancelled && total < request.count()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      SampleBatch batch =
          subscription.take(
              Math.min(left, TimeUnit.MILLISECONDS.toNanos(WAIT_MS)), TimeUnit.NANOSECONDS);
      if (batch == null) {
        continue;
      }
      ByteBuf buf = Unpooled.buffer(batch.size() * (64 + snap));
      byte[] data = batch.data();
      for (int i = 0; i < batch.size() && total < request.count(); i++) {
        int k = indexOf(batch.ifindex(i));
        if (k < 0) {
          continue;
        }
        int frame = batch.frameOffset(i);
        int cap = batch.capturedLength(i);
        if (!filter.matches(data, frame, cap)) {
          filtered[k]++;
          continue;
        }
        PcapngWriter.enhancedPacket(
            buf,
            k,
            batch.timeNanos(i),
            data,
            frame,
            Math.min(cap, snap),
            batch.originalLength(i),
            batch.direction(i),
            comments[k]);
        written[k]++;
        total++;
      }
      if (buf.isReadable()) {
        if (!out.write(buf)) {
          cancelled = true;
        }
      } else {
        buf.release();
      }
    }
    if (cancelled) {
      return; // nobody reads the statistics
    }
    long endNanos = wallNanos();
    ByteBuf tail = Unpooled.buffer(256 * n);
    for (int k = 0; k < n; k++) {
      AttachedInterface a = interfaces.get(k);
      long taken = 0;
      long kernelLost = 0;
      long queueLost = 0;
      for (int d = 0; d < Layout.DIR_MAX; d++) {
        SampleCounts delta = kernel.samples(a.slot(), d).minus(start[k][d]);
        taken += delta.taken();
        kernelLost += delta.dropped();
        queueLost += subscription.lost(a.slot(), d);
      }
      String comment =
          "sampled 1 in "
              + a.sampling()
              + "; while capturing: "
              + taken
              + " taken, "
              + kernelLost
              + " lost in the kernel (ring buffer full), "
              + queueLost
              + " lost in this capture's queue, "
              + filtered[k]
              + " filtered out, "
              + written[k]
              + " written";
      PcapngWriter.interfaceStatistics(
          tail, k, startNanos, endNanos, taken, kernelLost + queueLost, written[k], comment);
    }
    out.write(tail);
  }

  private int indexOf(int ifindex) {
    for (int k = 0; k < ifindexes.length; k++) {
      if (ifindexes[k] == ifindex) {
        return k;
      }
    }
    return -1;
  }

  private static long wallNanos() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
