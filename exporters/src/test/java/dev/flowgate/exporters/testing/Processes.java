package dev.flowgate.exporters.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the lab's command-line tools and waits on them (the tests' @Timeout bounds every wait). */
public final class Processes {

  private Processes() {}

  /** Runs {@code cmd} to completion; returns stdout, throws with stderr if it fails. */
  public static String run(List<String> cmd) throws IOException, InterruptedException {
    Path out = Files.createTempFile("fg-out", ".txt");
    Path err = Files.createTempFile("fg-err", ".txt");
    try {
      Process p =
          new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      int rc = p.waitFor();
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      if (rc != 0) {
        throw new IOException(cmd + " exit " + rc + ": " + Files.readString(err) + stdout);
      }
      return stdout;
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** Sends {@code signal} (e.g. "INT") to the process. */
  public static void signal(Process p, String signal) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor();
  }

  /** Waits for exit; if it does not within {@code seconds}, kills it and throws. */
  public static void awaitExit(Process p, int seconds) throws InterruptedException {
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      kill(p);
      throw new IllegalStateException("process " + p.pid() + " did not stop; killed");
    }
  }

  /** Kills the process if it still runs (teardown). */
  public static void kill(Process p) {
    if (p != null) {
      p.descendants().forEach(ProcessHandle::destroyForcibly); // tshark's dumpcap
    }
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A UDP port on 127.0.0.1 that was free a moment ago. */
  public static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Waits until the UDP socket bound to {@code port} has no datagram left in its receive queue
   * ({@code /proc/net/udp} rx_queue 0): the collector has read everything sent to it, so stopping
   * it now loses nothing.
   */
  public static void awaitUdpDrained(int port) throws IOException, InterruptedException {
    String portHex = String.format(":%04X", port);
    while (true) {
      boolean pending = false;
      for (String line : Files.readAllLines(Path.of("/proc/net/udp"))) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 4 && f[1].endsWith(portHex)) {
          long rx = Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
          pending |= rx != 0;
        }
      }
      if (!pending) {
        return;
      }
      Thread.sleep(10);
    }
  }

  /**
   * Waits until something is bound to UDP {@code port} (the collector is up), read from {@code
   * /proc/net/udp} and {@code udp6}. Probing by binding the port ourselves would race with the
   * collector: a collector that binds while our probe holds the port exits with "address in use".
   */
  public static void awaitUdpBound(int port, Process owner)
      throws InterruptedException, IOException {
    String portHex = String.format(":%04X", port);
    while (true) {
      if (!owner.isAlive()) {
        throw new IllegalStateException("collector exited with " + owner.exitValue());
      }
      for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 2 && f[1].endsWith(portHex)) {
            return;
          }
        }
      }
      Thread.sleep(20);
    }
  }
}
