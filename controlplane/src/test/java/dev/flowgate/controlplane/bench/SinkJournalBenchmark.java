package dev.flowgate.controlplane.bench;

import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.cache.FlowCacheOptions;
import dev.flowgate.controlplane.sweep.IntervalBatchBuilder;
import dev.flowgate.exporters.FlowSink;
import dev.flowgate.exporters.IfNameSource;
import dev.flowgate.exporters.arrow.ArrowFileSink;
import dev.flowgate.exporters.arrow.ArrowFileSinkOptions;
import dev.flowgate.exporters.collector.CollectorExporter;
import dev.flowgate.exporters.collector.CollectorOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The per-sink journal's cost on the sweep (issue 13), an option of {@link SweepBenchmark} ({@code
 * SWEEP_SINKS=1 make bench-sweep}): each round merges every flow into a fresh cache and ends them
 * all at once ({@code finishAll}, the burst of a sweep that expires everything), handing the
 * finished batches to one UDP collector (a local socket that reads and discards) and the Arrow
 * files, as the sweep thread does; rounds alternate between the collector with its spool and
 * without (the in-memory queue), interleaved in one run. Prints the sweep thread's flows/s (wall
 * and CPU) for merge + finish + hand-over, per round and as medians, and the ratio.
 */
final class SinkJournalBenchmark {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private SinkJournalBenchmark() {}

  static void run(SyntheticDrain drain, int rounds) throws IOException {
    System.out.printf(
        "%nper-sink journal A/B: %,d flows finished at once per round, %d rounds each,"
            + " interleaved%n",
        drain.flows(), rounds);
    double[][] wall = new double[2][rounds];
    double[][] cpu = new double[2][rounds];
    oneRound(drain, true); // warm-up, both paths
    oneRound(drain, false);
    for (int r = 0; r < 2 * rounds; r++) {
      boolean spool = (r % 2 == 0) == (r / 2 % 2 == 0); // ABBA order
      double[] w = oneRound(drain, spool);
      int arm = spool ? 0 : 1;
      int i = (int) Arrays.stream(wall[arm]).filter(v -> v > 0).count();
      wall[arm][i] = w[0];
      cpu[arm][i] = w[1];
      System.out.printf(
          "  round %2d %-10s %,11.0f flows/s wall, %,11.0f flows/cpu-s (sweep thread)%n",
          r + 1, spool ? "spool" : "no spool", w[0], w[1]);
    }
    System.out.printf(
        "RESULT sweep with per-sink journal (median): %,.0f flows/s wall, %,.0f flows/cpu-s%n",
        median(wall[0]), median(cpu[0]));
    System.out.printf(
        "RESULT sweep without (in-memory queue) (median): %,.0f flows/s wall, %,.0f"
            + " flows/cpu-s%n",
        median(wall[1]), median(cpu[1]));
    System.out.printf(
        "RESULT ratio journal / none: %.2fx (cpu) %.2fx (wall)%n",
        median(cpu[0]) / median(cpu[1]), median(wall[0]) / median(wall[1]));
  }

  /** One round: {wall flows/s, cpu flows/s} of merge + finishAll with the sinks' write calls. */
  private static double[] oneRound(SyntheticDrain drain, boolean spool) throws IOException {
    int flows = drain.flows();
    int chunk = drain.keys.capacity() / SyntheticDrain.KEY_SIZE;
    Path dir = Files.createTempDirectory("fg-bench-journal");
    try (DatagramChannel collector = DatagramChannel.open()) {
      collector.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = ((InetSocketAddress) collector.getLocalAddress()).getPort();
      Thread reader = new Thread(() -> discard(collector), "bench-collector");
      reader.setDaemon(true);
      reader.start();
      CollectorOptions options = new CollectorOptions().collector("127.0.0.1:" + port);
      if (spool) {
        options.spoolDirectory(dir.resolve("spool"));
      }
      try (BufferAllocator root = new RootAllocator();
          BufferAllocator sweepAlloc = root.newChildAllocator("sweep", 0, Long.MAX_VALUE);
          BufferAllocator cacheAlloc = root.newChildAllocator("cache", 0, Long.MAX_VALUE);
          BufferAllocator arrowAlloc = root.newChildAllocator("arrow", 0, Long.MAX_VALUE);
          IntervalBatchBuilder batch = new IntervalBatchBuilder(sweepAlloc, chunk)) {
        CollectorExporter exporter = CollectorExporter.start(options, IfNameSource.of(Map.of()));
        ArrowFileSink arrow =
            new ArrowFileSink(
                new ArrowFileSinkOptions().directory(dir.resolve("arrow")), arrowAlloc);
        List<FlowSink> sinks = List.of(exporter, arrow);
        long[] times = new long[2];
        try (FlowCache cache =
            new FlowCache(
                cacheAlloc,
                new FlowCacheOptions().capacity(Integer.highestOneBit(flows - 1) << 1),
                finished -> sinks.forEach(s -> s.write(finished)))) {
          drain.shuffle();
          long t0 = System.nanoTime();
          long c0 = THREADS.getCurrentThreadCpuTime();
          for (int from = 0; from < flows; from += chunk) {
            int n = Math.min(chunk, flows - from);
            drain.fill(from, n, 0);
            batch.clear();
            batch.append(drain.keys, drain.values, n, 0);
            cache.merge(batch.root());
          }
          cache.finishAll();
          times[1] = THREADS.getCurrentThreadCpuTime() - c0;
          times[0] = System.nanoTime() - t0;
        } finally {
          exporter.close();
          arrow.close();
        }
        return new double[] {flows / (times[0] / 1e9), flows / (times[1] / 1e9)};
      }
    } finally {
      deleteTree(dir);
    }
  }

  private static void discard(DatagramChannel c) {
    ByteBuffer buf = ByteBuffer.allocateDirect(65536);
    try {
      while (true) {
        buf.clear();
        c.receive(buf);
      }
    } catch (IOException e) {
      // closed at the end of the round
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
