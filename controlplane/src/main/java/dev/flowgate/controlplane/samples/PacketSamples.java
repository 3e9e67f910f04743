package dev.flowgate.controlplane.samples;

import dev.flowgate.controlplane.api.ApiException;
import dev.flowgate.controlplane.dataplane.Dataplane;
import dev.flowgate.controlplane.dataplane.KernelCounters;
import dev.flowgate.controlplane.iface.AttachedInterface;
import dev.flowgate.controlplane.iface.InterfaceManager;
import dev.flowgate.controlplane.metrics.InterfaceSamples;
import dev.flowgate.controlplane.sweep.SweepListener;
import dev.flowgate.controlplane.sweep.SweepResult;
import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.collector.ExporterStats;
import dev.flowgate.exporters.collector.PsampExporter;
import dev.flowgate.exporters.sample.SampleBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Samples, flowgate's second product next to flow records: the {@link SampleReader} over the
 * kernel's ring buffer and its consumers (live captures; PSAMP export). Owns the reader thread;
 * subscribed to the sweeps only to publish its counts for the metrics after each one.
 */
public final class PacketSamples implements SweepListener, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PacketSamples.class.getName());

  /** Samples a PSAMP exporter may hold back before it loses some: 65,536. */
  public static final int PSAMP_QUEUE_SAMPLES = 65_536;

  /** Most samples handed to a PSAMP exporter in one write (one send of many messages): 4,096. */
  public static final int PSAMP_WRITE_SAMPLES = 4_096;

  /** How long closing waits for a PSAMP feed to hand over what it holds: 2 s. */
  static final long PSAMP_CLOSE_WAIT_MILLIS = 2_000;

  /** Captures at once: 8. */
  public static final int MAX_CAPTURES = 8;

  /** Samples a capture may hold back (its client reading slowly) before it loses some: 65,536. */
  public static final int CAPTURE_QUEUE_SAMPLES = 65_536;

  /** Subscriber kind of live captures (metric label {@code subscriber}). */
  public static final String CAPTURE = "capture";

  /** Subscriber kind of the detectors' fingerprints (metric label {@code subscriber}). */
  public static final String DETECT = "detect";

  /** Subscriber kind of PSAMP exporters (metric label {@code subscriber}). */
  public static final String PSAMP = "psamp";

  private final SampleReader reader;
  private final KernelCounters counters;
  private final InterfaceManager interfaces;
  private final int snapLength;
  private final int captureQueue;
  private final Semaphore captures = new Semaphore(MAX_CAPTURES);
  private volatile List<InterfaceSamples> published = List.of();
  private final List<Feed> feeds = new CopyOnWriteArrayList<>();

  /** One PSAMP exporter, its subscription and the thread between them. */
  private record Feed(PsampExporter exporter, SampleSubscription subscription, Thread thread) {}

  /**
   * @param snapLength the snap length the dataplane was loaded with
   * @param captureQueue samples a capture may hold back ({@link #CAPTURE_QUEUE_SAMPLES})
   */
  public PacketSamples(
      Dataplane dataplane,
      KernelCounters counters,
      InterfaceManager interfaces,
      int snapLength,
      int captureQueue) {
    this.reader = new SampleReader(dataplane.samples());
    this.counters = counters;
    this.interfaces = interfaces;
    this.snapLength = snapLength;
    this.captureQueue = captureQueue;
  }

  /** Starts reading the ring buffer. */
  public void start() {
    reader.start();
  }

  /** The reader: its counts, and new subscriptions. */
  public SampleReader reader() {
    return reader;
  }

  /** The snap length the dataplane was loaded with. */
  public int snapLength() {
    return snapLength;
  }

  /**
   * A capture of the request's interface (every attached one when it names none), subscribed from
   * now on; it gives its place back when it ends.
   *
   * @throws ApiException 404 for an interface that is not attached, 503 when {@link #MAX_CAPTURES}
   *     run
   */
  public Capture openCapture(CaptureRequest request) {
    if (request.snapLength() > snapLength) {
      throw ApiException.badRequest(
          "'snaplen' may only shorten the loaded snap length: at most " + snapLength);
    }
    List<AttachedInterface> chosen = interfaces.attached();
    if (request.interfaceName() != null) {
      chosen = chosen.stream().filter(a -> a.name().equals(request.interfaceName())).toList();
      if (chosen.isEmpty()) {
        throw ApiException.notFound(
            "no attached interface is named '" + request.interfaceName() + "'");
      }
    }
    if (chosen.isEmpty()) {
      throw ApiException.notFound("no interface is attached");
    }
    if (!captures.tryAcquire()) {
      throw new ApiException(503, MAX_CAPTURES + " captures are running, the most at once");
    }
    int[] ifindexes = chosen.stream().mapToInt(AttachedInterface::ifindex).toArray();
    SampleSubscription s;
    try {
      s =
          reader.subscribe(
              CAPTURE,
              ifindex -> {
                for (int i : ifindexes) {
                  if (i == ifindex) {
                    return true;
                  }
                }
                return false;
              },
              captureQueue);
    } catch (RuntimeException e) {
      captures.release();
      throw e;
    }
    return new Capture(s, chosen, request, counters::samples, captures::release);
  }

  /** After every sweep: {@link #publish()}, and the PSAMP exporters' summaries of losses. */
  @Override
  public void swept(SweepResult result) {
    publish();
    tick();
  }

  /**
   * Takes the counts of the attached interfaces for the metrics (the kernel's taken and lost, the
   * reader's delivered, the subscribers' lost).
   */
  public void publish() {
    List<InterfaceSamples> rows = new ArrayList<>();
    for (AttachedInterface a : interfaces.attached()) {
      for (int d = 0; d < 2; d++) {
        KernelCounters.SampleCounts k = counters.samples(a.slot(), d);
        rows.add(
            new InterfaceSamples(
                a.name(),
                d == 0 ? "ingress" : "egress",
                k.taken(),
                k.dropped(),
                reader.delivered(a.slot(), d),
                reader.lost(CAPTURE, a.slot(), d),
                reader.lost(PSAMP, a.slot(), d),
                reader.lost(DETECT, a.slot(), d)));
      }
    }
    published = List.copyOf(rows);
  }

  /** What {@link #publish()} took last. */
  public List<InterfaceSamples> published() {
    return published;
  }

  /**
   * Feeds every sample from now on to {@code exporter} on a thread of its own, through a
   * subscription of {@link #PSAMP_QUEUE_SAMPLES}: the thread takes what has queued, up to {@link
   * #PSAMP_WRITE_SAMPLES} samples, and hands it to the exporter in one write (sent in one
   * crossing); a collector slower than the samples makes the subscription lose some, counted.
   * Closed with this.
   */
  public void export(PsampExporter exporter) {
    SampleSubscription s = reader.subscribe(PSAMP, ifindex -> true, PSAMP_QUEUE_SAMPLES);
    Thread t = new Thread(() -> feed(s, exporter), "flowgate-psamp-feed-" + feeds.size());
    t.setDaemon(true);
    feeds.add(new Feed(exporter, s, t));
    t.start();
  }

  private static void feed(SampleSubscription s, PsampExporter exporter) {
    List<SampleBatch> taken = new ArrayList<>();
    try {
      while (true) {
        SampleBatch b = s.take(1, TimeUnit.SECONDS);
        if (b == null) {
          if (s.isClosed()) {
            return;
          }
          continue;
        }
        int n = 0;
        do {
          taken.add(b);
          n += b.size();
        } while (n < PSAMP_WRITE_SAMPLES && (b = s.take(0, TimeUnit.SECONDS)) != null);
        exporter.write(taken);
        taken.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "PSAMP export stopped", e);
    }
  }

  /** What became of the samples each PSAMP exporter was handed, in the order they were added. */
  public List<SinkReport> psampReports() {
    return feeds.stream().map(f -> f.exporter().report()).toList();
  }

  /** Logs each PSAMP exporter's summary of recent losses if one is due. */
  public void tick() {
    feeds.forEach(f -> f.exporter().tick());
  }

  /** The PSAMP exporters' counters, in the order they were added. */
  public List<ExporterStats> psampStats() {
    return feeds.stream().map(f -> f.exporter().stats()).toList();
  }

  /** Each attached interface's ifindex and 1-in-N rate: the PSAMP selectors. */
  public SortedMap<Long, Integer> selectors() {
    SortedMap<Long, Integer> out = new TreeMap<>();
    for (AttachedInterface a : interfaces.attached()) {
      if (a.sampling() > 0) {
        out.put(Integer.toUnsignedLong(a.ifindex()), a.sampling());
      }
    }
    return out;
  }

  /** Captures running now. */
  public int capturesRunning() {
    return MAX_CAPTURES - captures.availablePermits();
  }

  /**
   * Stops the reader, then each PSAMP feed after it handed over what its queue held; the exporters
   * deliver what they can within their close timeout.
   */
  @Override
  public void close() {
    reader.close();
    for (Feed f : feeds) {
      f.subscription().finish();
      try {
        f.thread().join(PSAMP_CLOSE_WAIT_MILLIS);
        // still sending (a collector that stopped reading): closing the exporter cuts it off
        f.exporter().close();
        f.thread().join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      f.subscription().close();
      f.exporter().close();
    }
  }
}
