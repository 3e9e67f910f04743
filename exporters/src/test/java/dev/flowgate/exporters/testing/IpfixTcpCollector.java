package dev.flowgate.exporters.testing;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An IPFIX-over-TCP collector on loopback (RFC 7011 section 10.4) that decodes what it reads:
 * packets (packetDeltaCount, IE 2) per source address (sourceIPv4Address, IE 8), so a test can tell
 * a record that arrived twice from one that arrived once. Reading can be paused, which fills the
 * connection: the exporter's socket stops being acknowledged. A message cut by the end of a
 * connection is not counted.
 */
public final class IpfixTcpCollector implements AutoCloseable {

  private final ServerSocket server;
  private final Thread acceptor;
  private final Map<Long, Long> packetsBySource = new ConcurrentHashMap<>();
  private final AtomicLong packets = new AtomicLong();
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private volatile boolean paused;

  /** Listens on an ephemeral loopback port; reads unless {@code paused}. */
  public IpfixTcpCollector(boolean paused) throws IOException {
    this.paused = paused;
    server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
    server.setReceiveBufferSize(64 << 10);
    acceptor = new Thread(this::acceptLoop, "ipfix-tcp-collector");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Stops or resumes reading every connection. */
  public void paused(boolean p) {
    paused = p;
  }

  /** Flow packets decoded so far. */
  public long packets() {
    return packets.get();
  }

  /** Data records decoded so far. */
  public long records() {
    return records.get();
  }

  public long connections() {
    return connections.get();
  }

  /** Packets decoded per IPv4 source address (as an unsigned int in a long). */
  public Map<Long, Long> packetsBySource() {
    return new HashMap<>(packetsBySource);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        connections.incrementAndGet();
        Thread reader = new Thread(() -> read(s), "ipfix-tcp-collector-read");
        reader.setDaemon(true);
        reader.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void read(Socket s) {
    Map<Integer, int[][]> templates = new HashMap<>(); // id -> {ie, length} per field
    try (s;
        InputStream raw = s.getInputStream()) {
      DataInputStream in = new DataInputStream(raw);
      while (true) {
        while (paused) {
          Thread.sleep(5);
        }
        byte[] head = new byte[16];
        in.readFully(head); // EOFException at a clean end or a cut message
        ByteBuffer h = ByteBuffer.wrap(head);
        int version = h.getShort() & 0xFFFF;
        int length = h.getShort() & 0xFFFF;
        if (version != 10 || length < 16) {
          throw new IOException("not IPFIX: version " + version + ", length " + length);
        }
        byte[] body = new byte[length - 16];
        in.readFully(body);
        decode(ByteBuffer.wrap(body), templates);
      }
    } catch (EOFException e) {
      // the connection ended (a cut message is not counted)
    } catch (IOException e) {
      // reset by the exporter's end
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void decode(ByteBuffer b, Map<Integer, int[][]> templates) {
    while (b.remaining() >= 4) {
      int setId = b.getShort() & 0xFFFF;
      int setLength = b.getShort() & 0xFFFF;
      int end = b.position() + setLength - 4;
      if (setId == 2) {
        while (b.position() + 4 <= end) {
          int id = b.getShort() & 0xFFFF;
          int count = b.getShort() & 0xFFFF;
          int[][] fields = new int[count][];
          for (int i = 0; i < count; i++) {
            int ie = b.getShort() & 0xFFFF;
            int len = b.getShort() & 0xFFFF;
            if ((ie & 0x8000) != 0) {
              b.getInt(); // enterprise number
            }
            fields[i] = new int[] {ie & 0x7FFF, len};
          }
          templates.put(id, fields);
        }
      } else if (setId >= 256 && templates.containsKey(setId)) {
        int[][] fields = templates.get(setId);
        int recordLength = 0;
        for (int[] f : fields) {
          recordLength += f[1];
        }
        while (b.position() + recordLength <= end) {
          long pk = 0;
          long src = -1;
          for (int[] f : fields) {
            if (f[0] == 2) {
              pk = readUnsigned(b, f[1]);
            } else if (f[0] == 8 && f[1] == 4) {
              src = b.getInt() & 0xFFFFFFFFL;
            } else {
              b.position(b.position() + f[1]);
            }
          }
          records.incrementAndGet();
          packets.addAndGet(pk);
          long p = pk;
          packetsBySource.merge(src, p, Long::sum);
        }
      }
      b.position(end); // options templates, options data, padding
    }
  }

  private static long readUnsigned(ByteBuffer b, int len) {
    long v = 0;
    for (int i = 0; i < len; i++) {
      v = (v << 8) | (b.get() & 0xFF);
    }
    return v;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
