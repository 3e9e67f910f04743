package dev.flowgate.controlplane.dataplane;

import dev.flowgate.bpf.FlowTable;
import dev.flowgate.bpf.Layout;
import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.config.FlowgateConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The most memory a config can make flowgate use, by part, computed before anything is loaded: the
 * kernel flow table (allocated whole at load), the sweeper's copy of a half and the flow cache
 * (committed page by page, up to these sizes when the table is full), and the Java heap cap. A
 * start whose total exceeds the memory available to the service is refused.
 *
 * @param kernelTable both halves of the flow table and their spill maps
 * @param sweepBuffers the crash journal's copy of one half (84 bytes a flow)
 * @param flowCache the flow cache at capacity (120 bytes an entry, 8 an index slot)
 * @param heap the Java heap cap ({@code -Xmx})
 */
public record MemoryBudget(long kernelTable, long sweepBuffers, long flowCache, long heap) {

  /** Flow cache capacity for max-flows: four times it, at least 65,536, at most 2^24. */
  public static int cacheCapacity(int maxFlows) {
    return (int) Math.min(1 << 24, Math.max(1 << 16, 4L * maxFlows));
  }

  /** The budget of {@code config} on {@code cpus} possible CPUs with a heap cap of {@code heap}. */
  public static MemoryBudget of(FlowgateConfig config, int cpus, long heap) {
    int maxFlows = config.flows().maxFlows();
    int perCpu = FlowTable.flowsPerCpu(maxFlows, cpus);
    long half = FlowTable.halfCapacity(perCpu, cpus);
    return new MemoryBudget(
        FlowTable.kernelBytes(perCpu, cpus),
        half * (Layout.FLOW_KEY_SIZE + Layout.FLOW_STATS_SIZE),
        FlowCache.bytesAtCapacity(cacheCapacity(maxFlows)),
        heap);
  }

  /** The sum of the parts. */
  public long total() {
    return kernelTable + sweepBuffers + flowCache + heap;
  }

  /** One line per part, then the total, e.g. for {@code check-config --effective}. */
  public List<String> lines() {
    return List.of(
        "kernel flow table " + mib(kernelTable),
        "sweep buffers " + mib(sweepBuffers) + " (committed as flows arrive)",
        "flow cache " + mib(flowCache) + " (committed as flows arrive)",
        "java heap cap " + mib(heap),
        "total at most " + mib(total()));
  }

  /**
   * The memory available to this process: MemAvailable of /proc/meminfo, or what the cgroup's
   * {@code memory.max} leaves when lower (cgroup v2); empty if neither can be read.
   */
  public static OptionalLong available() {
    OptionalLong meminfo = memAvailable(Path.of("/proc/meminfo"));
    OptionalLong cgroup = cgroupRoom();
    if (meminfo.isPresent() && cgroup.isPresent()) {
      return OptionalLong.of(Math.min(meminfo.getAsLong(), cgroup.getAsLong()));
    }
    return meminfo.isPresent() ? meminfo : cgroup;
  }

  /**
   * Refuses a budget above {@code available}: the message names each part and what to change.
   *
   * @throws IllegalStateException if the budget does not fit
   */
  public void check(long available) {
    if (total() > available) {
      throw new IllegalStateException(
          "flows.max-flows needs up to "
              + mib(total())
              + " ("
              + String.join(", ", lines().subList(0, 4))
              + ") but "
              + mib(available)
              + " are available to flowgate (MemAvailable, or the cgroup's memory.max): lower"
              + " flows.max-flows");
    }
  }

  static OptionalLong memAvailable(Path meminfo) {
    try {
      for (String line : Files.readAllLines(meminfo)) {
        if (line.startsWith("MemAvailable:")) {
          return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux, or an odd /proc: no figure
    }
    return OptionalLong.empty();
  }

  private static OptionalLong cgroupRoom() {
    try {
      // cgroup v2: one line "0::/path"
      for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
        if (line.startsWith("0::")) {
          Path dir = Path.of("/sys/fs/cgroup" + line.substring(3));
          String max = Files.readString(dir.resolve("memory.max")).strip();
          if (max.equals("max")) {
            return OptionalLong.empty();
          }
          long current = Long.parseLong(Files.readString(dir.resolve("memory.current")).strip());
          return OptionalLong.of(Math.max(0, Long.parseLong(max) - current));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // no cgroup v2 memory controller here
    }
    return OptionalLong.empty();
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%,d MiB", (bytes + (1 << 20) - 1) >> 20);
  }
}
