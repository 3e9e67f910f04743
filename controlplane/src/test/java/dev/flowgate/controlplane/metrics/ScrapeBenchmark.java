package dev.flowgate.controlplane.metrics;

import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Scrape cost of /metrics with 64 interfaces configured (both directions, the protocol breakdown,
 * one collector, one Arrow sink, JVM and process metrics): time and bytes per scrape in the text
 * format and in OpenMetrics, against an empty registry's scrape measured in the same run. A plain
 * loop (no JMH): warm-up, then the median and p99 of timed scrapes, wall clock and thread CPU, the
 * cases interleaved round-robin. {@code make bench-metrics}.
 */
public final class ScrapeBenchmark {

  private static final int INTERFACES = 64;
  private static final int WARMUP = 2_000;
  private static final int RUNS = 2_000;

  private ScrapeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int interfaces = args.length > 0 ? Integer.parseInt(args[0]) : INTERFACES;
    try (BufferAllocator allocator = new RootAllocator()) {
      FixedMetricsSource source = new FixedMetricsSource(interfaces, allocator);
      FlowgateMetrics metrics = new FlowgateMetrics(source, true);
      FlowgateMetrics ownOnly = new FlowgateMetrics(source, false);
      PrometheusRegistry empty = new PrometheusRegistry();
      ExpositionFormats formats = ExpositionFormats.init();
      System.out.printf(
          "metrics scrape, %d interfaces, %d timed scrapes per case after %d warm-up,"
              + " cases interleaved%n",
          interfaces, RUNS, WARMUP);
      System.out.printf(
          "%-28s %10s %10s %10s %10s %9s %8s%n",
          "case", "median us", "p99 us", "cpu us", "bytes", "series", "x empty");
      List<Case> cases =
          List.of(
              new Case(
                  "empty registry, text",
                  () -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    formats.getPrometheusTextFormatWriter().write(out, empty.scrape());
                    return out.toByteArray();
                  }),
              new Case("flowgate, text", () -> metrics.scrape(null).body()),
              new Case("flowgate only (no jvm_*)", () -> ownOnly.scrape(null).body()),
              new Case(
                  "flowgate, OpenMetrics",
                  () -> metrics.scrape("application/openmetrics-text; version=1.0.0").body()));
      List<Result> results = run(cases);
      for (Result r : results) {
        print(r, results.get(0));
      }
    }
  }

  private interface Scrape {
    byte[] once() throws Exception;
  }

  private record Case(String name, Scrape scrape) {}

  private record Result(
      String name, double medianUs, double p99Us, double cpuUs, int bytes, long series) {}

  /** Runs the cases round-robin, so a noisy neighbour or a late JIT compile hits all alike. */
  private static List<Result> run(List<Case> cases) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    int n = cases.size();
    byte[][] last = new byte[n][];
    for (int i = 0; i < WARMUP; i++) {
      for (int c = 0; c < n; c++) {
        last[c] = cases.get(c).scrape().once();
      }
    }
    long[][] wall = new long[n][RUNS];
    long[] cpu = new long[n];
    for (int i = 0; i < RUNS; i++) {
      for (int c = 0; c < n; c++) {
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        last[c] = cases.get(c).scrape().once();
        wall[c][i] = System.nanoTime() - t0;
        cpu[c] += threads.getCurrentThreadCpuTime() - cpu0;
      }
    }
    List<Result> out = new ArrayList<>();
    for (int c = 0; c < n; c++) {
      Arrays.sort(wall[c]);
      long series =
          new String(last[c], StandardCharsets.UTF_8)
              .lines()
              .filter(l -> !l.isEmpty() && !l.startsWith("#"))
              .count();
      out.add(
          new Result(
              cases.get(c).name(),
              wall[c][RUNS / 2] / 1e3,
              wall[c][RUNS * 99 / 100] / 1e3,
              cpu[c] / 1e3 / RUNS,
              last[c].length,
              series));
    }
    return out;
  }

  private static void print(Result r, Result base) {
    System.out.printf(
        "%-28s %10.1f %10.1f %10.1f %10d %9d %8.1f%n",
        r.name(),
        r.medianUs(),
        r.p99Us(),
        r.cpuUs(),
        r.bytes(),
        r.series(),
        r.medianUs() / base.medianUs());
  }
}
