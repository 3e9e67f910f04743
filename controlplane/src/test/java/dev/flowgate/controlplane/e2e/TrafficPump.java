package dev.flowgate.controlplane.e2e;

import dev.flowgate.lab.Frame;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.VethPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends UDP traffic into a veth from a thread of its own until stopped, batch after batch of new
 * flows (60 flows of 1 to 3 packets each), and counts exactly what left the interface: a batch is
 * counted once {@link FrameSender#send} returned.
 */
final class TrafficPump implements AutoCloseable {
  private final VethPair veth;
  private final Thread thread;
  private final AtomicLong packets = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private volatile boolean stop;
  private volatile RuntimeException failure;
  private int next;

  private TrafficPump(VethPair veth, int firstBatch) {
    this.veth = veth;
    this.next = firstBatch;
    this.thread = new Thread(this::run, "traffic-pump");
    thread.setDaemon(true);
  }

  /** Starts sending; batches are numbered from {@code firstBatch} (so flows differ per pump). */
  static TrafficPump start(VethPair veth, int firstBatch) {
    TrafficPump p = new TrafficPump(veth, firstBatch);
    p.thread.start();
    return p;
  }

  /** Waits until at least {@code n} batches went out. */
  void awaitBatches(long n) throws InterruptedException {
    while (batches.get() < n) {
      if (failure != null) {
        throw failure;
      }
      Thread.sleep(20);
    }
  }

  /** Stops after the batch in progress; returns once it is counted. */
  void stopAndJoin() throws InterruptedException {
    stop = true;
    thread.join(120_000);
    if (failure != null) {
      throw failure;
    }
  }

  /** Batches sent so far. */
  long batches() {
    return batches.get();
  }

  long packets() {
    return packets.get();
  }

  long bytes() {
    return bytes.get();
  }

  private void run() {
    try {
      while (!stop) {
        int b = next++;
        List<byte[]> frames = new ArrayList<>();
        long sum = 0;
        for (int f = 0; f < 60; f++) {
          int n = 1 + (b + f) % 3;
          for (int p = 0; p < n; p++) {
            Frame fr =
                Frames.ipv4(
                        "10." + (b / 250 % 250) + "." + (b % 250) + "." + (f + 1), "203.0.113.9")
                    .macs(veth.b().mac(), veth.a().mac())
                    .udp(1024 + f, 53)
                    .payload(20 + 10 * p)
                    .build();
            frames.add(fr.bytes());
            sum += fr.ipLength();
          }
        }
        FrameSender.send(veth.b(), frames);
        packets.addAndGet(frames.size());
        bytes.addAndGet(sum);
        batches.incrementAndGet();
      }
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.join(120_000);
  }
}
