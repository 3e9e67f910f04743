package dev.flowgate.controlplane.bench;

import dev.flowgate.bpf.BpfObject;
import dev.flowgate.bpf.FlowTable;
import dev.flowgate.bpf.Layout;
import dev.flowgate.bpf.NativeBpf;
import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.cache.FlowCacheOptions;
import dev.flowgate.controlplane.sweep.IntervalBatchBuilder;
import dev.flowgate.controlplane.sweep.MonotonicClock;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The whole sweep with the kernel in it (not a test; needs root): a real flowgate object whose flow
 * table holds {@code flows} flows in its idle half, drained by {@link FlowTable#drain} in chunks
 * (through the mmap), each chunk turned into the Arrow interval batch and merged into the flow
 * cache, on this one thread, as the sweeper does. The first sweep inserts every flow into the
 * cache, the later ones update them.
 *
 * <p>Baseline in the same run: the same flows in a kernel HASH map (the half's spill map, sized to
 * hold them all) drained by the same call, which for a hash map is {@code
 * BPF_MAP_LOOKUP_AND_DELETE_BATCH}: what the LRU flow maps of earlier versions (and the widely used
 * eBPF agents' batch drains) cost. The maps are filled from user space before each sweep, not
 * timed. Prints flows/s (wall and this thread's CPU time), the drain's share, and the process's
 * memory: VmRSS, split into RssAnon (the JVM's own) and RssFile (the flow table's pages mapped from
 * the kernel, memory the kernel holds whether or not it is mapped). Arguments: {@code [flows
 * [sweeps [chunkEntries]]]}, default 1,000,000 6 65,536.
 */
public final class KernelSweepBenchmark {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private KernelSweepBenchmark() {}

  /** Per-sweep figures of one phase. */
  private record Rates(double[] wall, double[] cpu, double[] drainShare) {
    Rates(int sweeps) {
      this(new double[sweeps], new double[sweeps], new double[sweeps]);
    }

    double steady(double[] v) {
      double[] s = Arrays.copyOfRange(v, 1, v.length);
      Arrays.sort(s);
      return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
  }

  public static void main(String[] args) throws IOException {
    int flows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int sweeps = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    int chunk = args.length > 2 ? Integer.parseInt(args[2]) : 65_536;
    int cpus = NativeBpf.nrPossibleCpus();
    int perCpu = (flows + cpus - 1) / cpus;
    System.out.printf(
        "kernel sweep benchmark: %,d flows, %d sweeps, chunks of %,d, %d possible cpus%n",
        flows, sweeps, chunk, cpus);
    try (BpfObject object = BpfObject.openDefault()) {
      FlowTable.configure(object, perCpu);
      for (String spill : FlowTable.SPILL_MAPS) {
        object.setMaxEntries(spill, flows);
      }
      object.load();
      try (FlowTable table = FlowTable.open(object)) {
        System.out.printf(
            "table: %,d slots per half (%d x %,d), spill maps of %,d; %s%n",
            table.halfSlots(), table.cpus(), table.slotsPerCpu(), table.spillEntries(), memory());
        SyntheticDrain gen = new SyntheticDrain(flows, chunk);
        run("warm-up table", table, gen, 2, chunk, false, false);
        Rates ours = run("table", table, gen, sweeps, chunk, false, true);
        String oursMemory = memory();
        System.out.printf("  after the table phase: %s%n", oursMemory);
        Rates hash = run("hash+batch", table, gen, sweeps, chunk, true, true);
        System.out.printf("  after the hash phase: %s%n", memory());

        System.out.printf(
            "%nRESULT table update sweeps (median): %,.0f flows/s wall, %,.0f flows/cpu-s,"
                + " drain %.0f%% of wall; insert sweep %,.0f flows/s wall%n",
            ours.steady(ours.wall()),
            ours.steady(ours.cpu()),
            100 * ours.steady(ours.drainShare()),
            ours.wall()[0]);
        System.out.printf(
            "RESULT hash+batch baseline update sweeps (median): %,.0f flows/s wall, %,.0f"
                + " flows/cpu-s, drain %.0f%% of wall; insert sweep %,.0f flows/s wall%n",
            hash.steady(hash.wall()),
            hash.steady(hash.cpu()),
            100 * hash.steady(hash.drainShare()),
            hash.wall()[0]);
        System.out.printf(
            "RESULT ratio table / hash+batch: update %.2fx (wall) %.2fx (cpu)%n",
            ours.steady(ours.wall()) / hash.steady(hash.wall()),
            ours.steady(ours.cpu()) / hash.steady(hash.cpu()));
        System.out.printf("RESULT memory with %,d active flows: %s%n", flows, oursMemory);
      }
    }
  }

  private static Rates run(
      String name,
      FlowTable table,
      SyntheticDrain gen,
      int sweeps,
      int chunk,
      boolean viaHash,
      boolean print) {
    Rates rates = new Rates(sweeps);
    ByteBuffer keys =
        ByteBuffer.allocateDirect(chunk * Layout.FLOW_KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer values =
        ByteBuffer.allocateDirect(chunk * Layout.FLOW_STATS_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    try (BufferAllocator root = new RootAllocator();
        IntervalBatchBuilder batch =
            new IntervalBatchBuilder(root.newChildAllocator("sweep", 0, Long.MAX_VALUE), chunk);
        FlowCache cache =
            new FlowCache(
                root.newChildAllocator("cache", 0, Long.MAX_VALUE),
                new FlowCacheOptions().capacity(Integer.highestOneBit(gen.flows() - 1) << 1),
                finished -> {
                  throw new AssertionError("no flow should finish in this benchmark");
                })) {
      for (int s = 0; s < sweeps; s++) {
        int half = table.current() ^ 1;
        if (viaHash) {
          TableFill.fillSpill(table, half, gen, s);
        } else {
          TableFill.fill(table, half, gen, s);
        }
        long offset = MonotonicClock.epochOffsetNs();
        long drainNs = 0;
        long total = 0;
        long t0 = System.nanoTime();
        long c0 = THREADS.getCurrentThreadCpuTime();
        while (true) {
          keys.clear();
          values.clear();
          long d0 = System.nanoTime();
          int n = table.drain(half, keys, values);
          drainNs += System.nanoTime() - d0;
          if (n == 0) {
            break;
          }
          total += n;
          batch.clear();
          batch.append(keys, values, n, offset);
          cache.merge(batch.root());
        }
        long cpu = THREADS.getCurrentThreadCpuTime() - c0;
        long wall = System.nanoTime() - t0;
        if (total != gen.flows() || cache.activeFlows() != gen.flows()) {
          throw new AssertionError(
              name
                  + ": drained "
                  + total
                  + ", cache "
                  + cache.activeFlows()
                  + " of "
                  + gen.flows());
        }
        rates.wall()[s] = total / (wall / 1e9);
        rates.cpu()[s] = total / (cpu / 1e9);
        rates.drainShare()[s] = (double) drainNs / wall;
        if (print) {
          System.out.printf(
              "  %-10s sweep %d (%s): %,11.0f flows/s wall, %,11.0f flows/cpu-s, drain %,.0f"
                  + " ns/flow%n",
              name,
              s + 1,
              s == 0 ? "insert" : "update",
              rates.wall()[s],
              rates.cpu()[s],
              (double) drainNs / total);
        }
      }
    }
    return rates;
  }

  /** VmRSS (peak), RssAnon, RssFile from /proc/self/status, and the Java heap in use. */
  private static String memory() {
    StringBuilder out = new StringBuilder();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        for (String field : new String[] {"VmRSS:", "VmHWM:", "RssAnon:", "RssFile:"}) {
          if (line.startsWith(field)) {
            out.append(field).append(' ').append(line.substring(field.length()).trim());
            out.append(", ");
          }
        }
      }
    } catch (IOException e) {
      out.append("status unreadable: ").append(e).append(", ");
    }
    Runtime rt = Runtime.getRuntime();
    return out.append(String.format("heap used %,d MB", (rt.totalMemory() - rt.freeMemory()) >> 20))
        .toString();
  }
}
