package dev.flowgate.controlplane.bench;

import dev.flowgate.bpf.BpfObject;
import dev.flowgate.bpf.FlowTable;
import dev.flowgate.bpf.Layout;
import dev.flowgate.bpf.NativeBpf;
import dev.flowgate.controlplane.ServiceSweeps;
import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.cache.FlowCacheOptions;
import dev.flowgate.controlplane.sweep.IntervalBatchBuilder;
import dev.flowgate.controlplane.sweep.MonotonicClock;
import dev.flowgate.controlplane.sweep.SweepResult;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
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
 * the kernel, memory the kernel holds whether or not it is mapped).
 *
 * <p><b>The product's path</b> ({@code product}, the headline): the sweep exactly as {@code flowgate
 * run} performs it, through {@link ServiceSweeps}: the service built from a config file (the shipped
 * defaults but max-flows and the sinks), crash journal on, interval IPC on, the default flow cache,
 * one IPFIX collector on loopback (a socket this process reads) and the Arrow sink, every sweep
 * listener; its table's current half filled with the same flows before each sweep, then one sweep
 * on the service's sweeper thread. Printed next to the {@code table} phase's figures (drain, Arrow
 * batch and merge on this thread: no journal, no IPC, no listeners), with the ratio; then one
 * finish-all of every cached flow to the sinks (the export side). Arguments: {@code [flows [sweeps
 * [chunkEntries]]]}, default 1,000,000 6 65,536; system properties: {@code fg.sweep.phases} picks the
 * phases (default {@code table,product,hash}), {@code fg.sweep.max-flows} the product's max-flows
 * (default: the flows), {@code fg.sweep.dir} where its state goes (default /var/tmp).
 */
public final class KernelSweepBenchmark {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private KernelSweepBenchmark() {}

  /** Per-sweep figures of one phase. */
  private record Rates(
      double[] wall, double[] cpu, double[] drainShare, double[] processCpu, double[] gcMs) {
    Rates(int sweeps) {
      this(
          new double[sweeps],
          new double[sweeps],
          new double[sweeps],
          new double[sweeps],
          new double[sweeps]);
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
    List<String> phases =
        List.of(System.getProperty("fg.sweep.phases", "table,product,hash").split(","));
    int cpus = NativeBpf.nrPossibleCpus();
    int perCpu = (flows + cpus - 1) / cpus;
    System.out.printf(
        "kernel sweep benchmark: %,d flows, %d sweeps, chunks of %,d, %d possible cpus, phases %s%n",
        flows, sweeps, chunk, cpus, phases);
    SyntheticDrain gen = new SyntheticDrain(flows, chunk);
    Rates ours = null;
    Rates hash = null;
    Rates product = null;
    String oursMemory = null;
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
        if (phases.contains("table")) {
          run("warm-up table", table, gen, 2, chunk, false, false);
          ours = run("table", table, gen, sweeps, chunk, false, true);
          oursMemory = memory();
          System.out.printf("  after the table phase: %s%n", oursMemory);
        }
        if (phases.contains("product")) {
          product = product(gen, flows, sweeps);
          System.out.printf("  after the product phase: %s%n", memory());
        }
        if (phases.contains("hash")) {
          hash = run("hash+batch", table, gen, sweeps, chunk, true, true);
          System.out.printf("  after the hash phase: %s%n", memory());
        }
      }
    }
    System.out.println();
    if (product != null) {
      System.out.printf(
          "RESULT product path update sweeps (median): %,.0f flows/s wall (the sweep and its listeners),"
              + " %,.0f flows per sweeper-thread CPU-s, %,.0f flows per process CPU-s, GC %.0f ms"
              + " a sweep; insert sweep %,.0f flows/s wall%n",
          product.steady(product.wall()),
          product.steady(product.cpu()),
          product.steady(product.processCpu()),
          product.steady(product.gcMs()),
          product.wall()[0]);
    }
    if (ours != null) {
      System.out.printf(
          "RESULT table (drain only: no journal, no IPC, no listeners) update sweeps (median):"
              + " %,.0f flows/s wall, %,.0f flows/cpu-s, drain %.0f%% of wall; insert sweep %,.0f"
              + " flows/s wall%n",
          ours.steady(ours.wall()),
          ours.steady(ours.cpu()),
          100 * ours.steady(ours.drainShare()),
          ours.wall()[0]);
    }
    if (product != null && ours != null) {
      System.out.printf(
          "RESULT ratio product path / drain only: update %.2fx (wall) %.2fx (thread cpu)%n",
          product.steady(product.wall()) / ours.steady(ours.wall()),
          product.steady(product.cpu()) / ours.steady(ours.cpu()));
    }
    if (hash != null) {
      System.out.printf(
          "RESULT hash+batch baseline update sweeps (median): %,.0f flows/s wall, %,.0f"
              + " flows/cpu-s, drain %.0f%% of wall; insert sweep %,.0f flows/s wall%n",
          hash.steady(hash.wall()),
          hash.steady(hash.cpu()),
          100 * hash.steady(hash.drainShare()),
          hash.wall()[0]);
    }
    if (hash != null && ours != null) {
      System.out.printf(
          "RESULT ratio table / hash+batch: update %.2fx (wall) %.2fx (cpu)%n",
          ours.steady(ours.wall()) / hash.steady(hash.wall()),
          ours.steady(ours.cpu()) / hash.steady(hash.cpu()));
    }
    if (oursMemory != null) {
      System.out.printf("RESULT memory with %,d active flows (table phase): %s%n", flows, oursMemory);
    }
  }

  /**
   * The product's path: {@code flowgate run}'s service ({@link ServiceSweeps}), its sweeps asked
   * for one at a time after the fill. Two warm-up sweeps (the first inserts), then {@code sweeps}
   * measured ones (the first of them also inserts: a fresh service), then a finish-all.
   */
  private static Rates product(SyntheticDrain gen, int flows, int sweeps) throws IOException {
    try (DatagramChannel collector = DatagramChannel.open()) {
      collector.setOption(StandardSocketOptions.SO_RCVBUF, 64 << 20);
      collector.bind(new InetSocketAddress("127.0.0.1", 0));
      AtomicLong datagrams = new AtomicLong();
      AtomicLong bytes = new AtomicLong();
      Thread reader = collectorReader(collector, datagrams, bytes);
      Path base = Path.of(System.getProperty("fg.sweep.dir", "/var/tmp"));
      InetSocketAddress at = (InetSocketAddress) collector.getLocalAddress();
      // flows.max-flows: the run's flows (at least the smallest allowed), or fg.sweep.max-flows
      int maxFlows = Integer.getInteger("fg.sweep.max-flows", Math.max(flows, 1024));
      try (ServiceSweeps warm = ServiceSweeps.start(base, maxFlows, at, "1h")) {
        productSweeps("warm-up product", warm, gen, 2, false);
      }
      System.out.printf("  after the warm-up service closed: %s%n", memory());
      System.out.print(mappings());
      try (ServiceSweeps service = ServiceSweeps.start(base, maxFlows, at, "1h")) {
        Rates rates = productSweeps("product", service, gen, sweeps, true);
        System.out.printf(
            "  product    with %,d active flows (before the finish-all): %s%n", flows, memory());
        System.out.print(mappings());
        System.out.printf("  %s; %s%n", service.arrowMemory(), directBuffers());
        long d0 = datagrams.get();
        long b0 = bytes.get();
        long t0 = System.nanoTime();
        long ended = service.flush();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf(
            "  product    finish-all of %,d flows to the IPFIX collector and the Arrow sink: %,d ms;"
                + " on disk (journal, snapshot, Arrow) %,d B; %s%n",
            ended, ms, service.bytesOnDisk(), memory());
        try {
          Thread.sleep(1000); // the exporter's sender drains its queue
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        System.out.printf(
            "  collector: %,d datagrams (%,d B) since the finish-all%n", datagrams.get() - d0,
            bytes.get() - b0);
        return rates;
      } finally {
        reader.interrupt();
      }
    }
  }

  private static Rates productSweeps(
      String name, ServiceSweeps service, SyntheticDrain gen, int sweeps, boolean print) {
    Rates rates = new Rates(sweeps);
    FlowTable table = service.table();
    Thread sweeper = thread("flowgate-sweeper");
    for (int s = 0; s < sweeps; s++) {
      TableFill.fillAsPrograms(table, service.totals(), table.current(), gen, s);
      long c0 = THREADS.getThreadCpuTime(sweeper.getId());
      long p0 = processCpuNs();
      long g0 = gcMs();
      long t0 = System.nanoTime();
      SweepResult r = service.sweep();
      long wall = System.nanoTime() - t0;
      long cpu = THREADS.getThreadCpuTime(sweeper.getId()) - c0;
      long process = processCpuNs() - p0;
      long gc = gcMs() - g0;
      if (r.drainedEntries() != gen.flows()) {
        throw new AssertionError(name + ": drained " + r.drainedEntries() + " of " + gen.flows());
      }
      rates.wall()[s] = r.drainedEntries() / (wall / 1e9);
      rates.cpu()[s] = r.drainedEntries() / (cpu / 1e9);
      rates.processCpu()[s] = r.drainedEntries() / (process / 1e9);
      rates.gcMs()[s] = gc;
      if (print) {
        System.out.printf(
            "  %-10s sweep %d (%s): %,11.0f flows/s wall, %,11.0f flows per sweeper CPU-s,"
                + " %,11.0f per process CPU-s, GC %d ms%n",
            name,
            s + 1,
            s == 0 ? "insert" : "update",
            rates.wall()[s],
            rates.cpu()[s],
            rates.processCpu()[s],
            gc);
      }
    }
    return rates;
  }

  private static Thread collectorReader(
      DatagramChannel channel, AtomicLong datagrams, AtomicLong bytes) {
    Thread t =
        new Thread(
            () -> {
              ByteBuffer buf = ByteBuffer.allocateDirect(65536);
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  buf.clear();
                  channel.receive(buf);
                  datagrams.incrementAndGet();
                  bytes.addAndGet(buf.position());
                }
              } catch (IOException e) {
                // closed: the run is over
              }
            },
            "bench-collector");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static Thread thread(String name) {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(name)) {
        return t;
      }
    }
    throw new IllegalStateException("no thread " + name);
  }

  private static long processCpuNs() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long gcMs() {
    long ms = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ms += Math.max(0, gc.getCollectionTime());
    }
    return ms;
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

  /**
   * Resident memory by mapping kind (from /proc/self/smaps): the kernel's BPF maps mapped into the
   * process, Java heap, other anonymous memory (the JVM's native memory, direct buffers, Arrow and
   * the flow cache's lazily committed memory), files; with {@code -XX:NativeMemoryTracking} the
   * JVM's own summary (jcmd) after it.
   */
  private static String mappings() {
    java.util.Map<String, Long> kb = new java.util.TreeMap<>();
    StringBuilder large = new StringBuilder();
    try {
      String kind = "?";
      long size = 0;
      for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
        if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
          String[] f = line.trim().split("\\s+", 6);
          String name = f.length > 5 ? f[5] : "";
          String[] range = f[0].split("-");
          size = (Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16)) >> 10;
          kind =
              name.isEmpty() ? "anonymous"
                  : name.startsWith("anon_inode:") ? name
                  : name.startsWith("[") ? name
                  : name.endsWith(".so") || name.contains(".so.") ? "shared libraries"
                  : name.endsWith(".jar") || name.contains("/jvm/") ? "jvm files"
                  : "files";
        } else if (line.startsWith("Rss:")) {
          long rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
          kb.merge(kind, rss, Long::sum);
          if (rss >= 4096 && kind.equals("anonymous")) {
            large.append(String.format(" %,d of %,d kB;", rss, size));
          }
        }
      }
    } catch (IOException e) {
      return "  smaps unreadable: " + e + "\n";
    }
    StringBuilder out = new StringBuilder("  resident by mapping:");
    kb.forEach((k, v) -> out.append(String.format(" %s %,d kB;", k, v)));
    out.append("\n  anonymous mappings of 4 MB or more resident (resident of size):").append(large);
    out.append('\n');
    if (java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .anyMatch(a -> a.startsWith("-XX:NativeMemoryTracking"))) {
      try {
        Process jcmd =
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(ProcessHandle.current().pid()),
                    "VM.native_memory",
                    "summary")
                .redirectErrorStream(true)
                .start();
        for (String line : new String(jcmd.getInputStream().readAllBytes()).split("\n")) {
          if (line.startsWith("-") || line.startsWith("Total") || line.contains("committed=")
              && !line.startsWith(" ")) {
            out.append("  nmt ").append(line.trim()).append('\n');
          }
        }
        jcmd.waitFor();
      } catch (IOException e) {
        out.append("  jcmd failed: ").append(e).append('\n');
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return out.toString();
  }

  /** The JVM's direct and mapped buffer pools (ByteBuffer.allocateDirect, FileChannel.map). */
  private static String directBuffers() {
    StringBuilder out = new StringBuilder("buffer pools:");
    for (java.lang.management.BufferPoolMXBean pool :
        ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
      out.append(String.format(" %s %d, %,d B;", pool.getName(), pool.getCount(), pool.getMemoryUsed()));
    }
    return out.toString();
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
