package dev.flowgate.exporters.netflow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The epoch of NetFlow's sysUptime: when this host booted, as a router's uptime would be, to the
 * whole second. Every flow the kernel measured started after it, so NetFlow v5's sysUptime-relative
 * First/Last never need clamping (until the 32-bit uptime wraps after 49.7 days, a limit of the v5
 * format itself).
 */
public final class SysUptime {

  private SysUptime() {}

  /**
   * ms since the Unix epoch, whole second, at which this host booted by {@code /proc/uptime} read
   * against {@code clock}; {@code clock}'s reading (whole second) if /proc is unreadable.
   */
  public static long bootEpochMillis(Clock clock) {
    long now = clock.millis();
    try {
      String first = Files.readString(Path.of("/proc/uptime")).trim().split("\\s+")[0];
      long uptimeMillis = (long) (Double.parseDouble(first) * 1000);
      return Math.max(0, (now - uptimeMillis)) / 1000 * 1000;
    } catch (IOException | RuntimeException e) {
      return now / 1000 * 1000;
    }
  }
}
