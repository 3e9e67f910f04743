package dev.flowgate.controlplane;

import dev.flowgate.bpf.BpfMap;
import dev.flowgate.bpf.FlowTable;
import dev.flowgate.controlplane.config.ConfigException;
import dev.flowgate.controlplane.config.ConfigLoader;
import dev.flowgate.controlplane.sweep.SweepResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The counting service of {@code flowgate run} for the sweep benchmark (not a test): the one {@link
 * FlowgateService} the daemon builds, from a config file, with every sweep consumer the daemon
 * subscribes (crash journal and its checkpoints, interval IPC, accounting, metrics recorder, the
 * sinks' tick, loss log, detection, samples), whose sweeps run only when {@link #sweep()} asks
 * instead of on the schedule. Its own pin path, state directory and Arrow directory, named with the
 * pid; {@link #close()} stops it as SIGTERM does (last sweep, finish-all, checkpoint, unpin) and
 * deletes them.
 */
public final class ServiceSweeps implements AutoCloseable {
  private final Path dir;
  private final FlowgateService service;

  private ServiceSweeps(Path dir, FlowgateService service) {
    this.dir = dir;
    this.service = service;
  }

  /**
   * Starts the service with the shipped defaults except: {@code maxFlows}, one IPFIX collector
   * (UDP) at {@code collector}, Arrow files and the state under a fresh directory below {@code
   * base}, one interface entry that matches no interface (nothing is attached: the benchmark fills
   * the table), and {@code activeTimeout} (so that a long run does not end every flow at once).
   */
  public static ServiceSweeps start(
      Path base, int maxFlows, InetSocketAddress collector, String activeTimeout) {
    long pid = ProcessHandle.current().pid();
    try {
      Path dir = Files.createTempDirectory(base, "fg-" + pid + "-sweep");
      String yaml =
          """
          interfaces:
            - name: fg%dnone
              mode: xdp
          flows:
            max-flows: %d
            active-timeout: %s
          dataplane:
            pin-path: /sys/fs/bpf/fg-%d-sweep
            keep-attached: false
          state-directory: %s
          export:
            ipfix:
              - collector: %s:%d
                protocol: ipfix
                transport: udp
            arrow:
              directory: %s
          """
              .formatted(
                  pid % 100000,
                  maxFlows,
                  activeTimeout,
                  pid,
                  dir.resolve("state"),
                  collector.getHostString(),
                  collector.getPort(),
                  dir.resolve("flows"));
      Path file = dir.resolve("flowgate.yaml");
      Files.writeString(file, yaml);
      FlowgateService service = new FlowgateService(ConfigLoader.load(file));
      service.start(false);
      return new ServiceSweeps(dir, service);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ConfigException e) {
      throw new IllegalStateException("the benchmark's config: " + e.getMessage(), e);
    }
  }

  /** The kernel flow table the sweeps drain. */
  public FlowTable table() {
    return service.flowTable();
  }

  /** The programs' per-CPU totals, where a fill from user space counts its flows. */
  public BpfMap totals() {
    return service.kernelTotals();
  }

  /** One sweep, exactly as a scheduled one (swap, drain, journal, merge, IPC, every listener). */
  public SweepResult sweep() {
    return service.sweepNow();
  }

  /** Ends every cached flow now and hands them to the sinks ({@code POST /api/v1/flush}). */
  public long flush() {
    return service.flush();
  }

  /**
   * The service's Arrow memory now and at its peak, per child allocator of its root (flow cache,
   * interval batch, sinks).
   */
  public String arrowMemory() {
    try {
      java.lang.reflect.Field f = FlowgateService.class.getDeclaredField("allocator");
      f.setAccessible(true);
      org.apache.arrow.memory.BufferAllocator root =
          (org.apache.arrow.memory.BufferAllocator) f.get(service);
      StringBuilder out =
          new StringBuilder(
              String.format(
                  "arrow: root %,d B (peak %,d B)",
                  root.getAllocatedMemory(), root.getPeakMemoryAllocation()));
      for (org.apache.arrow.memory.BufferAllocator child : root.getChildAllocators()) {
        out.append(
            String.format(
                "; %s %,d B (peak %,d B)",
                child.getName(), child.getAllocatedMemory(), child.getPeakMemoryAllocation()));
      }
      return out.toString();
    } catch (ReflectiveOperationException e) {
      return "arrow: " + e;
    }
  }

  /**
   * {@code GET /api/v1/flows.arrow}'s stream as the API gets it from the backend: a file, which the
   * caller deletes.
   */
  public java.util.Optional<Path> flowsArrowFile() {
    return service.backend().latestArrowIpcFile();
  }

  /**
   * The way {@code /api/v1/flows.arrow} worked before it streamed (kept here to show it fails under
   * a heap cap): the whole stream serialized into one array on the heap.
   */
  public byte[] flowsArrowOnHeap() {
    try {
      java.lang.reflect.Field f = FlowgateService.class.getDeclaredField("loop");
      f.setAccessible(true);
      dev.flowgate.controlplane.sweep.SweepLoop loop =
          (dev.flowgate.controlplane.sweep.SweepLoop) f.get(service);
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      loop.writeLastInterval(java.nio.channels.Channels.newChannel(out));
      return out.toByteArray();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Bytes under {@code <state>/journal} and the Arrow directory now. */
  public long bytesOnDisk() {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    service.close();
    // the service unpinned everything (keep-attached: false); its pin directories stay, empty
    Path pins = Path.of("/sys/fs/bpf/fg-" + ProcessHandle.current().pid() + "-sweep");
    if (Files.isDirectory(pins)) {
      try (Stream<Path> empty = Files.walk(pins)) {
        empty.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // left for the operator: an empty directory on the bpffs
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
