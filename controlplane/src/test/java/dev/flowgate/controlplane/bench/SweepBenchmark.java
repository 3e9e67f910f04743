package dev.flowgate.controlplane.bench;

import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.cache.FlowCacheOptions;
import dev.flowgate.controlplane.sweep.IntervalBatchBuilder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Sweep benchmark (not a test): drained kernel entries -> {@link IntervalBatchBuilder} (Arrow
 * interval batch) -> {@link FlowCache#merge}, on one thread, for {@code flows} flows over several
 * sweeps, each sweep draining every flow once in a fresh random order, in chunks as the sweeper
 * does. The first sweep inserts every flow; the later ones update them (the steady state).
 *
 * <p>Prints flows/second per sweep, the process RSS with every flow active, and the same figures
 * for a baseline measured in the same run: a naive {@code HashMap<FlowKeyObject, FlowObject>}
 * merge. Arguments: {@code [flows [sweeps [chunkEntries]]]}, default 1,000,000 6 65,536. See
 * BENCHMARKS.md for the command and flags.
 */
public final class SweepBenchmark {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private SweepBenchmark() {}

  public static void main(String[] args) throws IOException {
    int flows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int sweeps = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    int chunk = args.length > 2 ? Integer.parseInt(args[2]) : 65_536;
    System.out.printf(
        "sweep benchmark: %,d flows, %d sweeps, drain chunks of %,d entries, %d cpus%n",
        flows, sweeps, chunk, Runtime.getRuntime().availableProcessors());
    System.out.println("jvm: " + ManagementFactory.getRuntimeMXBean().getInputArguments());
    System.out.printf("rss at start: %s%n", memory());

    SyntheticDrain drain = new SyntheticDrain(flows, chunk);
    double[] ours = new double[sweeps];
    double[] oursCpu = new double[sweeps];
    double[] oursExpireMs = new double[sweeps];
    String oursRss;
    int active;
    try (BufferAllocator root = new RootAllocator();
        BufferAllocator sweepAlloc = root.newChildAllocator("sweep", 0, Long.MAX_VALUE);
        BufferAllocator cacheAlloc = root.newChildAllocator("cache", 0, Long.MAX_VALUE);
        IntervalBatchBuilder batch = new IntervalBatchBuilder(sweepAlloc, chunk);
        FlowCache cache =
            new FlowCache(
                cacheAlloc,
                new FlowCacheOptions().capacity(Math.max(flows, 1 << 20)),
                finished -> {
                  throw new AssertionError("no flow should finish in this benchmark");
                })) {
      for (int s = 0; s < sweeps; s++) {
        drain.shuffle();
        long ns = 0;
        long cpuBuild = 0;
        long cpuMerge = 0;
        for (int from = 0; from < flows; from += chunk) {
          int n = Math.min(chunk, flows - from);
          drain.fill(from, n, s);
          long t0 = System.nanoTime();
          long c0 = THREADS.getCurrentThreadCpuTime();
          batch.clear();
          batch.append(drain.keys, drain.values, n, 0);
          long c1 = THREADS.getCurrentThreadCpuTime();
          cache.merge(batch.root());
          long c2 = THREADS.getCurrentThreadCpuTime();
          ns += System.nanoTime() - t0;
          cpuBuild += c1 - c0;
          cpuMerge += c2 - c1;
        }
        long t0 = System.nanoTime();
        cache.expire((s + 2) * 1000L);
        oursExpireMs[s] = (System.nanoTime() - t0) / 1e6;
        ours[s] = flows / (ns / 1e9);
        oursCpu[s] = flows / ((cpuBuild + cpuMerge) / 1e9);
        System.out.printf(
            "  flowgate  sweep %d (%s): %,12.0f flows/s wall, %,12.0f flows/cpu-s"
                + " (cpu: build %,d ms, merge %,d ms; expire scan %.1f ms wall)%n",
            s + 1, s == 0 ? "insert" : "update", ours[s], oursCpu[s], cpuBuild / 1_000_000,
            cpuMerge / 1_000_000, oursExpireMs[s]);
      }
      active = cache.activeFlows();
      oursRss = memory();
      System.out.printf("  flowgate: %,d active flows, %s, arrow %,d bytes%n",
          active, oursRss, root.getAllocatedMemory());
      if (active != flows) {
        throw new AssertionError("expected " + flows + " active flows, found " + active);
      }
    }

    double[] naive = new double[sweeps];
    double[] naiveCpu = new double[sweeps];
    NaiveFlowMap map = new NaiveFlowMap();
    for (int s = 0; s < sweeps; s++) {
      drain.shuffle();
      long ns = 0;
      long cpu = 0;
      for (int from = 0; from < flows; from += chunk) {
        int n = Math.min(chunk, flows - from);
        drain.fill(from, n, s);
        long t0 = System.nanoTime();
        long c0 = THREADS.getCurrentThreadCpuTime();
        map.merge(drain.keys, drain.values, n, 0);
        cpu += THREADS.getCurrentThreadCpuTime() - c0;
        ns += System.nanoTime() - t0;
      }
      naive[s] = flows / (ns / 1e9);
      naiveCpu[s] = flows / (cpu / 1e9);
      System.out.printf("  HashMap   sweep %d (%s): %,12.0f flows/s wall, %,12.0f flows/cpu-s%n",
          s + 1, s == 0 ? "insert" : "update", naive[s], naiveCpu[s]);
    }
    String naiveRss = memory();
    System.out.printf("  HashMap: %,d flows, %s (after the flowgate phase, same process)%n",
        map.flows.size(), naiveRss);

    double oursSteady = median(Arrays.copyOfRange(ours, 1, sweeps));
    double naiveSteady = median(Arrays.copyOfRange(naive, 1, sweeps));
    double oursSteadyCpu = median(Arrays.copyOfRange(oursCpu, 1, sweeps));
    double naiveSteadyCpu = median(Arrays.copyOfRange(naiveCpu, 1, sweeps));
    System.out.printf("%nRESULT flowgate update sweeps (median): %,.0f flows/s wall, %,.0f flows/cpu-s;"
        + " insert sweep: %,.0f flows/s wall, %,.0f flows/cpu-s%n",
        oursSteady, oursSteadyCpu, ours[0], oursCpu[0]);
    System.out.printf("RESULT flowgate memory with %,d active flows: %s%n", active, oursRss);
    System.out.printf("RESULT HashMap baseline update sweeps (median): %,.0f flows/s wall, %,.0f"
        + " flows/cpu-s; insert sweep: %,.0f flows/s wall, %,.0f flows/cpu-s%n",
        naiveSteady, naiveSteadyCpu, naive[0], naiveCpu[0]);
    System.out.printf("RESULT ratio flowgate / HashMap (cpu-s): update %.2fx, insert %.2fx;"
        + " (wall): update %.2fx, insert %.2fx%n",
        oursSteadyCpu / naiveSteadyCpu, oursCpu[0] / naiveCpu[0],
        oursSteady / naiveSteady, ours[0] / naive[0]);
  }

  private static double median(double[] v) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** VmRSS and VmHWM from /proc/self/status, plus the Java heap in use. */
  private static String memory() throws IOException {
    String rss = "?";
    String hwm = "?";
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = line.substring(6).trim();
      } else if (line.startsWith("VmHWM:")) {
        hwm = line.substring(6).trim();
      }
    }
    Runtime rt = Runtime.getRuntime();
    return String.format("VmRSS %s (peak %s), heap used %,d MB of %,d MB committed",
        rss, hwm, (rt.totalMemory() - rt.freeMemory()) >> 20, rt.totalMemory() >> 20);
  }
}
