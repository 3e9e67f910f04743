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
 * <p>Prints flows/second per sweep, both per wall-clock second and per second of this thread's CPU
 * time (the figure that means something on a shared machine), the process RSS with every flow
 * active, and the same figures for a baseline measured in the same run: a naive {@code
 * HashMap<FlowKeyObject, FlowObject>} merge. Each is warmed up first (JIT) on a separate 200,000
 * flow run; the baseline runs after the flowgate phase's memory is measured. Arguments: {@code
 * [flows [sweeps [chunkEntries]]]}, default 1,000,000 8 65,536. See BENCHMARKS.md for the command
 * and the JVM flags. With {@code SWEEP_SINKS=1} ({@code only}: nothing else) it first runs {@link
 * SinkJournalBenchmark}, the per-sink journal's cost on a sweep that ends every flow.
 */
public final class SweepBenchmark {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private SweepBenchmark() {}

  /** Per-sweep throughput of one phase. */
  private record Rates(double[] wall, double[] cpu) {
    Rates(int sweeps) {
      this(new double[sweeps], new double[sweeps]);
    }

    double steadyWall() {
      return median(Arrays.copyOfRange(wall, 1, wall.length));
    }

    double steadyCpu() {
      return median(Arrays.copyOfRange(cpu, 1, cpu.length));
    }
  }

  public static void main(String[] args) {
    int flows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int sweeps = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int chunk = args.length > 2 ? Integer.parseInt(args[2]) : 65_536;
    System.out.printf(
        "sweep benchmark: %,d flows, %d sweeps, drain chunks of %,d entries, %d cpus%n",
        flows, sweeps, chunk, Runtime.getRuntime().availableProcessors());
    System.out.println("jvm: " + ManagementFactory.getRuntimeMXBean().getInputArguments());

    SyntheticDrain warm = new SyntheticDrain(200_000, chunk);
    SyntheticDrain drain = new SyntheticDrain(flows, chunk);
    String sinks = System.getenv().getOrDefault("SWEEP_SINKS", ""); // issue 13: journal A/B
    if (!sinks.isEmpty()) {
      try {
        SinkJournalBenchmark.run(drain, sweeps);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      if (sinks.equals("only")) {
        return;
      }
    }
    flowgate(warm, 3, false);
    System.gc();
    System.out.printf("after warm-up: %s%n", memory());
    Rates ours = flowgate(drain, sweeps, true);
    String oursMemory = memory();
    System.out.printf("  flowgate: %,d active flows, %s%n", flows, oursMemory);
    baseline(warm, 3, false);
    System.gc();
    Rates naive = baseline(drain, sweeps, true);
    System.out.printf(
        "  HashMap: %,d flows, %s (after the flowgate phase, same process)%n", flows, memory());

    System.out.printf(
        "%nRESULT flowgate update sweeps (median): %,.0f flows/s wall, %,.0f flows/cpu-s;"
            + " insert sweep: %,.0f flows/s wall, %,.0f flows/cpu-s%n",
        ours.steadyWall(), ours.steadyCpu(), ours.wall[0], ours.cpu[0]);
    System.out.printf("RESULT flowgate memory with %,d active flows: %s%n", flows, oursMemory);
    System.out.printf(
        "RESULT HashMap baseline update sweeps (median): %,.0f flows/s wall, %,.0f flows/cpu-s;"
            + " insert sweep: %,.0f flows/s wall, %,.0f flows/cpu-s%n",
        naive.steadyWall(), naive.steadyCpu(), naive.wall[0], naive.cpu[0]);
    System.out.printf(
        "RESULT ratio flowgate / HashMap: update %.2fx (cpu) %.2fx (wall), insert %.2fx (cpu)"
            + " %.2fx (wall)%n",
        ours.steadyCpu() / naive.steadyCpu(),
        ours.steadyWall() / naive.steadyWall(),
        ours.cpu[0] / naive.cpu[0],
        ours.wall[0] / naive.wall[0]);
  }

  /** Builder + cache merge, one allocator tree as in flowgate: a root, a child per component. */
  private static Rates flowgate(SyntheticDrain drain, int sweeps, boolean print) {
    int flows = drain.flows();
    int chunk = drain.keys.capacity() / SyntheticDrain.KEY_SIZE;
    Rates rates = new Rates(sweeps);
    try (BufferAllocator root = new RootAllocator();
        BufferAllocator sweepAlloc = root.newChildAllocator("sweep", 0, Long.MAX_VALUE);
        BufferAllocator cacheAlloc = root.newChildAllocator("cache", 0, Long.MAX_VALUE);
        IntervalBatchBuilder batch = new IntervalBatchBuilder(sweepAlloc, chunk);
        FlowCache cache =
            new FlowCache(
                cacheAlloc,
                new FlowCacheOptions().capacity(Integer.highestOneBit(flows - 1) << 1),
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
        cache.expire((s + 2) * 1000L); // nothing is due: measures the scan
        double expireMs = (System.nanoTime() - t0) / 1e6;
        rates.wall[s] = flows / (ns / 1e9);
        rates.cpu[s] = flows / ((cpuBuild + cpuMerge) / 1e9);
        if (print) {
          System.out.printf(
              "  flowgate sweep %d (%s): %,11.0f flows/s wall, %,11.0f flows/cpu-s"
                  + " (cpu ms: build %d, merge %d; expire scan %.1f ms wall)%n",
              s + 1,
              s == 0 ? "insert" : "update",
              rates.wall[s],
              rates.cpu[s],
              cpuBuild / 1_000_000,
              cpuMerge / 1_000_000,
              expireMs);
        }
      }
      if (cache.activeFlows() != flows) {
        throw new AssertionError("expected " + flows + " active flows: " + cache.activeFlows());
      }
      if (print) {
        System.out.printf("  flowgate Arrow memory: %,d bytes%n", root.getAllocatedMemory());
      }
    }
    return rates;
  }

  /** The naive HashMap merge over the same drains. */
  private static Rates baseline(SyntheticDrain drain, int sweeps, boolean print) {
    int flows = drain.flows();
    int chunk = drain.keys.capacity() / SyntheticDrain.KEY_SIZE;
    Rates rates = new Rates(sweeps);
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
      rates.wall[s] = flows / (ns / 1e9);
      rates.cpu[s] = flows / (cpu / 1e9);
      if (print) {
        System.out.printf(
            "  HashMap  sweep %d (%s): %,11.0f flows/s wall, %,11.0f flows/cpu-s%n",
            s + 1, s == 0 ? "insert" : "update", rates.wall[s], rates.cpu[s]);
      }
    }
    if (map.flows.size() != flows) {
      throw new AssertionError("expected " + flows + " flows: " + map.flows.size());
    }
    return rates;
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
  private static String memory() {
    String rss = "?";
    String hwm = "?";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = line.substring(6).trim();
        } else if (line.startsWith("VmHWM:")) {
          hwm = line.substring(6).trim();
        }
      }
    } catch (IOException e) {
      rss = "unreadable: " + e;
    }
    Runtime rt = Runtime.getRuntime();
    return String.format(
        "VmRSS %s (peak %s), heap used %,d MB of %,d MB committed",
        rss, hwm, (rt.totalMemory() - rt.freeMemory()) >> 20, rt.totalMemory() >> 20);
  }
}
