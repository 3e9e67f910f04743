package dev.flowgate.controlplane.detect;

import dev.flowgate.controlplane.samples.FrameView;
import dev.flowgate.controlplane.samples.PacketSamples;
import dev.flowgate.controlplane.samples.SampleReader;
import dev.flowgate.controlplane.samples.SampleSubscription;
import dev.flowgate.exporters.sample.SampleBatch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The packet samples, for the alerts' fingerprints: a subscription to the sample reader (subscriber
 * kind {@link PacketSamples#DETECT}, every interface) whose batches a thread of its own parses into
 * a ring of the last {@link #RING} IP samples (destination, direction, source, ports, frame length,
 * time). {@link #fingerprint} tallies the ring's samples towards one target since a time: top
 * sources, source and destination ports, and a histogram of frame sizes. Fixed memory; samples the
 * subscription's queue cannot take are counted as this kind's losses by the reader. Interfaces with
 * sampling off give no samples, and an alert there has none in its fingerprint.
 */
public final class SampledTraffic implements AutoCloseable {

  /** Samples kept (the newest): 65,536. */
  public static final int RING = 65_536;

  /** Samples the subscription's queue holds before it loses some: 65,536. */
  public static final int QUEUE = 65_536;

  /** Upper bounds (bytes, inclusive) of the frame-size histogram's bins; the last is open. */
  static final int[] SIZE_BOUNDS = {64, 127, 255, 511, 1023, 1518};

  private static final int TOP = 5;

  private final SampleSubscription subscription;
  private final Thread thread;
  // the ring, guarded by this
  private final long[] dstHi = new long[RING];
  private final long[] dstLo = new long[RING];
  private final long[] srcHi = new long[RING];
  private final long[] srcLo = new long[RING];
  private final long[] timeNs = new long[RING];
  private final int[] srcPort = new int[RING]; // -1 without ports
  private final int[] dstPort = new int[RING];
  private final int[] length = new int[RING];
  private final byte[] direction = new byte[RING];
  private long written;

  /** Subscribes to {@code reader}; {@link #start()} starts taking its batches. */
  public SampledTraffic(SampleReader reader) {
    this.subscription = reader.subscribe(PacketSamples.DETECT, ifindex -> true, QUEUE);
    this.thread = new Thread(this::run, "flowgate-detect-samples");
    thread.setDaemon(true);
  }

  /** Starts the thread that takes the batches. */
  public void start() {
    thread.start();
  }

  private void run() {
    FrameView v = new FrameView();
    try {
      while (!subscription.isClosed()) {
        SampleBatch b = subscription.take(200, TimeUnit.MILLISECONDS);
        if (b != null) {
          add(b, v);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Parses a batch into the ring (its IP samples; others are skipped). */
  synchronized void add(SampleBatch b, FrameView v) {
    byte[] data = b.data();
    for (int i = 0; i < b.size(); i++) {
      v.parse(data, b.frameOffset(i), b.capturedLength(i));
      if (v.ipVersion() == 0) {
        continue;
      }
      int at = (int) (written++ % RING);
      dstHi[at] = v.ipVersion() == 4 ? 0 : v.addressHi(v.dstOffset());
      dstLo[at] = v.ipVersion() == 4 ? mapped(v.v4(v.dstOffset())) : v.addressLo(v.dstOffset());
      srcHi[at] = v.ipVersion() == 4 ? 0 : v.addressHi(v.srcOffset());
      srcLo[at] = v.ipVersion() == 4 ? mapped(v.v4(v.srcOffset())) : v.addressLo(v.srcOffset());
      srcPort[at] = v.hasPorts() ? v.srcPort() : -1;
      dstPort[at] = v.hasPorts() ? v.dstPort() : -1;
      length[at] = b.originalLength(i);
      direction[at] = (byte) b.direction(i);
      timeNs[at] = b.timeNanos(i);
    }
  }

  private static long mapped(int v4) {
    return 0xFFFF_0000_0000L | (v4 & 0xFFFF_FFFFL);
  }

  /**
   * What the samples towards {@code target} since {@code sinceMs} show, or null when there are
   * none (sampling off, or none of its packets sampled).
   */
  public synchronized Fingerprint.Sampled fingerprint(HostKey target, long sinceMs) {
    long since = sinceMs * 1_000_000L;
    Map<String, long[]> sourceKeys = new HashMap<>();
    Map<Integer, long[]> srcPorts = new HashMap<>();
    Map<Integer, long[]> dstPorts = new HashMap<>();
    long[] sizes = new long[SIZE_BOUNDS.length + 1];
    long n = 0;
    long oldest = Math.max(0, written - RING);
    for (long k = written - 1; k >= oldest; k--) {
      int at = (int) (k % RING);
      if (timeNs[at] < since) {
        break; // older ones are older still (the reader keeps the kernel's order)
      }
      if (dstLo[at] != target.lo()
          || dstHi[at] != target.hi()
          || direction[at] != target.direction()) {
        continue;
      }
      n++;
      String src = HostKey.text(srcHi[at], srcLo[at]);
      sourceKeys.computeIfAbsent(src, x -> new long[1])[0]++;
      if (srcPort[at] >= 0) {
        srcPorts.computeIfAbsent(srcPort[at], x -> new long[1])[0]++;
        dstPorts.computeIfAbsent(dstPort[at], x -> new long[1])[0]++;
      }
      int bin = 0;
      while (bin < SIZE_BOUNDS.length && length[at] > SIZE_BOUNDS[bin]) {
        bin++;
      }
      sizes[bin]++;
    }
    if (n == 0) {
      return null;
    }
    List<Fingerprint.Bin> histogram = new ArrayList<>();
    for (int b = 0; b < sizes.length; b++) {
      int low = b == 0 ? 0 : SIZE_BOUNDS[b - 1] + 1;
      String label = b == SIZE_BOUNDS.length ? low + "-" : low + "-" + SIZE_BOUNDS[b];
      histogram.add(new Fingerprint.Bin(label, sizes[b]));
    }
    return new Fingerprint.Sampled(
        n,
        top(sourceKeys, s -> s),
        top(srcPorts, String::valueOf),
        top(dstPorts, String::valueOf),
        histogram);
  }

  private static <K> List<Fingerprint.Top> top(Map<K, long[]> counts, Function<K, String> name) {
    List<Map.Entry<K, long[]>> all = new ArrayList<>(counts.entrySet());
    all.sort(Comparator.comparingLong((Map.Entry<K, long[]> e) -> e.getValue()[0]).reversed());
    List<Fingerprint.Top> out = new ArrayList<>();
    for (int i = 0; i < Math.min(TOP, all.size()); i++) {
      out.add(new Fingerprint.Top(name.apply(all.get(i).getKey()), all.get(i).getValue()[0]));
    }
    return out;
  }

  /** Stops taking samples (the subscription's losses go to the reader's totals). */
  @Override
  public void close() {
    subscription.close();
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
