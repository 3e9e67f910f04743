package dev.flowgate.controlplane.metrics;

import dev.flowgate.controlplane.api.MetricsScrape;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Scrape cost of /metrics with 64 interfaces configured (both directions, the protocol breakdown,
 * one collector, one Arrow sink, JVM and process metrics): time and bytes per scrape in the text
 * format and in OpenMetrics, against an empty registry's scrape measured in the same run. A plain
 * loop (no JMH): warm-up, then the median and p99 of timed scrapes, wall clock and thread CPU.
 * {@code make bench-metrics}.
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
          "metrics scrape, %d interfaces, %d timed scrapes after %d warm-up%n",
          interfaces, RUNS, WARMUP);
      System.out.printf(
          "%-28s %10s %10s %10s %10s %9s %8s%n",
          "case", "median us", "p99 us", "cpu us", "bytes", "series", "x empty");
      Result base =
          run(
              "empty registry, text",
              () -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                formats.getPrometheusTextFormatWriter().write(out, empty.scrape());
                return out.toByteArray();
              });
      print(base, base);
      print(run("flowgate, text", () -> metrics.scrape(null).body()), base);
      print(run("flowgate only (no jvm_*)", () -> ownOnly.scrape(null).body()), base);
      print(
          run(
              "flowgate, OpenMetrics",
              () -> {
                MetricsScrape s = metrics.scrape("application/openmetrics-text; version=1.0.0");
                return s.body();
              }),
          base);
    }
  }

  private interface Scrape {
    byte[] once() throws Exception;
  }

  private record Result(
      String name, double medianUs, double p99Us, double cpuUs, int bytes, long series) {}

  private static Result run(String name, Scrape scrape) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    byte[] last = null;
    for (int i = 0; i < WARMUP; i++) {
      last = scrape.once();
    }
    long[] wall = new long[RUNS];
    long cpu0 = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < RUNS; i++) {
      long t0 = System.nanoTime();
      last = scrape.once();
      wall[i] = System.nanoTime() - t0;
    }
    long cpu = threads.getCurrentThreadCpuTime() - cpu0;
    java.util.Arrays.sort(wall);
    long series = new String(last).lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).count();
    return new Result(
        name,
        wall[RUNS / 2] / 1e3,
        wall[RUNS * 99 / 100] / 1e3,
        cpu / 1e3 / RUNS,
        last.length,
        series);
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
