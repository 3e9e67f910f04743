package dev.flowgate.bpf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

/**
 * The length of the kernel's tick (one jiffy): from CONFIG_HZ in the running kernel's config
 * ({@code /proc/config.gz} or {@code /boot/config-<release>}), else measured from two clock pairs
 * 300 ms apart and rounded to the nearest HZ kernels are built with.
 */
final class KernelTick {
  private static final int[] COMMON_HZ = {100, 250, 300, 1000};

  private KernelTick() {}

  /** Nanoseconds per jiffy, rounded as the kernel's TICK_NSEC. */
  static long tickNs(Supplier<JiffiesClock> clock) {
    int hz = configuredHz();
    if (hz <= 0) {
      hz = measuredHz(clock);
    }
    return tickNsOf(hz);
  }

  /** TICK_NSEC of a kernel built with {@code hz}. */
  static long tickNsOf(int hz) {
    return (1_000_000_000L + hz / 2) / hz;
  }

  /** CONFIG_HZ of the running kernel, or 0 when its config cannot be read. */
  static int configuredHz() {
    Path proc = Path.of("/proc/config.gz");
    Path boot = Path.of("/boot/config-" + System.getProperty("os.version"));
    try {
      if (Files.isReadable(proc)) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(proc))) {
          return hzOf(in);
        }
      }
      if (Files.isReadable(boot)) {
        try (InputStream in = Files.newInputStream(boot)) {
          return hzOf(in);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  /** The value of the line {@code CONFIG_HZ=N} of a kernel config, or 0. */
  static int hzOf(InputStream config) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(config, StandardCharsets.US_ASCII));
    for (String line; (line = r.readLine()) != null; ) {
      if (line.startsWith("CONFIG_HZ=")) {
        return Integer.parseInt(line.substring("CONFIG_HZ=".length()).trim());
      }
    }
    return 0;
  }

  /** HZ from how far jiffies advance in 300 ms, rounded to the nearest common value. */
  static int measuredHz(Supplier<JiffiesClock> clock) {
    JiffiesClock a = clock.get();
    try {
      Thread.sleep(300);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    JiffiesClock b = clock.get();
    return nearestCommonHz((b.jiffies() - a.jiffies()) * 1e9 / (b.monoNs() - a.monoNs()));
  }

  static int nearestCommonHz(double hz) {
    int best = COMMON_HZ[0];
    for (int candidate : COMMON_HZ) {
      if (Math.abs(hz - candidate) < Math.abs(hz - best)) {
        best = candidate;
      }
    }
    return best;
  }
}
