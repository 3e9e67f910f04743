package dev.flowgate.exporters.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The receive queue of a UDP collector on this host, as the kernel reports it ({@code
 * /proc/net/udp} and {@code udp6}: {@code rx_queue}, the bytes its socket holds unread). A datagram
 * to a local collector never waits in a send buffer: it lands in the collector's receive buffer, or
 * is dropped there when that is full, while the sender's {@code send} succeeds. Reading the queue
 * lets the sender wait for a slow local collector instead of overrunning it: how a burst on
 * loopback reaches nfcapd whole. A collector on another host paces the sender by its own path (a
 * full send buffer blocks the send); this class is then not used.
 */
final class LocalReceiveQueue {

  /** The sender waits while the collector holds more than this unread: 128 KiB. */
  static final long PACE_BYTES = 128 << 10;

  private static final List<Path> TABLES =
      List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));

  private final int port;

  private LocalReceiveQueue(int port) {
    this.port = port;
  }

  /**
   * The queue of the collector at {@code address} if that is an address of this host, else null.
   */
  static LocalReceiveQueue of(InetSocketAddress address) {
    InetAddress a = address.getAddress();
    if (a == null) {
      return null;
    }
    try {
      if (a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null) {
        return new LocalReceiveQueue(address.getPort());
      }
    } catch (SocketException e) {
      return null;
    }
    return null;
  }

  /**
   * The bytes the collector's socket holds unread now (the largest if several sockets hold the
   * port), 0 if no socket does or the tables cannot be read.
   */
  long unread() {
    long max = 0;
    String portHex = String.format(":%04X", port);
    for (Path table : TABLES) {
      List<String> lines;
      try {
        lines = Files.readAllLines(table);
      } catch (IOException e) {
        continue;
      }
      for (int i = 1; i < lines.size(); i++) {
        String[] f = lines.get(i).trim().split("\\s+");
        // sl local_address rem_address st tx_queue:rx_queue ...
        if (f.length > 4 && f[1].endsWith(portHex) && f[2].endsWith(":0000")) {
          String queues = f[4];
          int colon = queues.indexOf(':');
          if (colon > 0) {
            max = Math.max(max, Long.parseLong(queues.substring(colon + 1), 16));
          }
        }
      }
    }
    return max;
  }
}
