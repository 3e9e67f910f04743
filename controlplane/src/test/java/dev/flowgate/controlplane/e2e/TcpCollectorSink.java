package dev.flowgate.controlplane.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP collector that accepts IPFIX connections on loopback and reads them to the end (a tshark
 * capture of the port does the decoding). Counts the bytes and connections it saw.
 */
final class TcpCollectorSink implements AutoCloseable {

  private final ServerSocket server;
  private final Thread acceptor;
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong closedConnections = new AtomicLong();

  TcpCollectorSink() throws IOException {
    server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptLoop, "tcp-collector-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Bytes read so far over every connection. */
  long bytes() {
    return bytes.get();
  }

  long connections() {
    return connections.get();
  }

  /** Connections the exporter closed (read to end of stream). */
  long closedConnections() {
    return closedConnections.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        connections.incrementAndGet();
        Thread reader = new Thread(() -> read(s), "tcp-collector-read");
        reader.setDaemon(true);
        reader.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void read(Socket s) {
    try (s;
        InputStream in = s.getInputStream()) {
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) >= 0) {
        bytes.addAndGet(n);
      }
      closedConnections.incrementAndGet();
    } catch (IOException e) {
      // the test closed the sink
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
