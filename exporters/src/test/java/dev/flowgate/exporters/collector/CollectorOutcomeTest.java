package dev.flowgate.exporters.collector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.exporters.IfNameSource;
import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.ipfix.IpfixConstants;
import dev.flowgate.exporters.ipfix.IpfixTemplates;
import dev.flowgate.exporters.outcome.SinkOutcomes;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.Nfcapd;
import dev.flowgate.exporters.testing.Processes;
import dev.flowgate.exporters.testing.TestFlow;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every outcome of a collector exporter against real sockets, in flow packets: a live nfcapd gets
 * exactly what was delivered; a UDP port where nothing listens shows failed packets (ICMP port
 * unreachable on the connected socket); a TCP collector that stops reading fills the queue
 * (dropped) and then gets exactly what was delivered once it reads again; one that closes
 * mid-stream leaves failed packets. In each, handed = delivered + dropped + failed with nothing
 * left queued.
 */
@Tag("e2e")
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CollectorOutcomeTest {

  /** Packets of every flow these tests send: outcomes count packets, not records. */
  private static final int PACKETS_PER_FLOW = 3;

  private static final IfNameSource NAMES = IfNameSource.none();

  @TempDir Path tmp;
  private BufferAllocator allocator;
  private VectorSchemaRoot root;
  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private final List<String> log = new ArrayList<>();
  private final Handler logHandler =
      new Handler() {
        @Override
        public synchronized void publish(LogRecord r) {
          log.add(r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    root = FlowBatches.build(allocator, List.of());
    Logger.getLogger(SinkOutcomes.class.getName()).addHandler(logHandler);
  }

  @AfterEach
  void tearDown() throws Exception {
    Logger.getLogger(SinkOutcomes.class.getName()).removeHandler(logHandler);
    for (AutoCloseable c : cleanup) {
      c.close();
    }
    root.close();
    allocator.close();
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    cleanup.add(0, c);
    return c;
  }

  @Test
  void nfcapdReadsExactlyTheDeliveredPackets() throws Exception {
    Nfcapd nfcapd = closeLater(Nfcapd.start(tmp, Processes.freeUdpPort()));
    CollectorExporter exporter = closeLater(start(udp(nfcapd.port())));
    long handed = write(exporter, 0, 3000);
    assertThat(exporter.awaitDelivered(Duration.ofSeconds(60))).isTrue();
    exporter.close();
    nfcapd.stop();
    long read = nfcapd.records().stream().mapToLong(r -> r.get("in_packets").asLong()).sum();

    SinkReport r = exporter.report();
    assertAddsUp(r, handed);
    assertThat(r.sink()).isEqualTo("udp:127.0.0.1:" + nfcapd.port());
    assertThat(r.delivered().packets()).isEqualTo(handed).isEqualTo(read);
    assertThat(r.dropped().packets() + r.failed().packets()).isZero();
  }

  @Test
  void udpCollectorThatIsNotListeningShowsFailedPackets() throws Exception {
    int port = Processes.freeUdpPort(); // bound and closed: nothing listens
    CollectorExporter exporter = closeLater(start(udp(port)));
    long handed = 0;
    for (int batch = 0; batch < 10; batch++) {
      handed += write(exporter, batch * 500, 500);
      assertThat(exporter.awaitDelivered(Duration.ofSeconds(60))).isTrue();
    }
    exporter.close();

    SinkReport r = exporter.report();
    assertAddsUp(r, handed);
    assertThat(r.failed().packets()).as("%s %s", r, exporter.stats()).isPositive();
    // a failed message is counted once and not retried: every failure is one send error
    assertThat(r.losses()).isEqualTo(exporter.stats().sendErrors());
    assertThat(r.lastError()).contains("PortUnreachable");
    assertThat(log).anyMatch(l -> l.contains("udp:127.0.0.1:" + port) && l.contains("failed"));
  }

  @Test
  void tcpCollectorThatStopsReadingFillsTheQueueThenGetsExactlyTheDelivered() throws Exception {
    ServerSocket server = closeLater(new ServerSocket());
    server.setReceiveBufferSize(4096);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    CollectorExporter exporter = closeLater(start(tcp(server.getLocalPort()).queueCapacity(4)));
    long handed = write(exporter, 0, 1000); // the exporter connects with its first message
    Socket conn = closeLater(server.accept()); // accepted, and not read: the windows fill up
    for (int batch = 1; exporter.report().dropped().isZero(); batch++) {
      assertThat(batch).as("the queue overflowed").isLessThan(500);
      handed += write(exporter, batch * 1000, 1000);
    }
    SinkReport full = exporter.report();
    assertThat(full.queued().packets()).as("%s", full).isPositive();

    // the collector reads again: everything still queued is delivered, the drops stay drops
    Reader reader = new Reader(conn.getInputStream());
    reader.start();
    assertThat(exporter.awaitDelivered(Duration.ofSeconds(60))).isTrue();
    exporter.close();
    reader.join(60_000);

    SinkReport r = exporter.report();
    assertAddsUp(r, handed);
    assertThat(r.sink()).isEqualTo("tcp:127.0.0.1:" + server.getLocalPort());
    assertThat(r.dropped().packets()).as("%s", r).isPositive();
    assertThat(r.failed().packets()).isZero();
    assertThat(r.delivered().packets()).isEqualTo(reader.records() * PACKETS_PER_FLOW);
    assertThat(log).anyMatch(l -> l.contains(r.sink()) && l.contains("queue full"));
  }

  @Test
  void tcpCollectorThatClosesMidStreamLeavesFailedPackets() throws Exception {
    ServerSocket server = closeLater(new ServerSocket());
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    CollectorExporter exporter = closeLater(start(tcp(server.getLocalPort()).queueCapacity(64)));
    long handed = write(exporter, 0, 200);
    Socket conn = server.accept();
    // read one message, then close with more unread: the kernel answers with a reset
    DataInputStream in = new DataInputStream(conn.getInputStream());
    byte[] header = new byte[4];
    in.readFully(header);
    in.readFully(new byte[(ByteBuffer.wrap(header).getShort(2) & 0xFFFF) - 4]);
    handed += write(exporter, 1000, 2000);
    conn.close();
    server.close(); // no reconnect: what is queued is dropped at close
    for (int batch = 2; exporter.report().failed().isZero(); batch++) {
      assertThat(batch).as("a send failed").isLessThan(500);
      handed += write(exporter, batch * 1000, 1000);
      Thread.sleep(10);
    }
    exporter.close();

    SinkReport r = exporter.report();
    assertAddsUp(r, handed);
    assertThat(r.failed().packets()).as("%s", r).isPositive();
    // delivered = acknowledged by the collector's kernel: at least what the collector read
    assertThat(r.delivered().packets()).isGreaterThanOrEqualTo(PACKETS_PER_FLOW);
    assertThat(log).anyMatch(l -> l.contains(r.sink()) && l.contains("failed"));
  }

  private static void assertAddsUp(SinkReport r, long handedPackets) {
    assertThat(r.handed().packets()).as("%s", r).isEqualTo(handedPackets);
    assertThat(r.queued().isZero()).as("nothing left queued: %s", r).isTrue();
    assertThat(
            r.delivered().packets()
                + r.dropped().packets()
                + r.failed().packets()
                + r.queued().packets())
        .isEqualTo(r.handed().packets());
    assertThat(r.addsUp()).isTrue();
  }

  private CollectorExporter start(CollectorOptions options) {
    return CollectorExporter.start(options, NAMES);
  }

  private static CollectorOptions udp(int port) {
    return new CollectorOptions()
        .collector("127.0.0.1:" + port)
        .closeTimeout(Duration.ofSeconds(2));
  }

  private static CollectorOptions tcp(int port) {
    return udp(port).transport(TransportProtocol.TCP);
  }

  /** Writes {@code n} IPv4 UDP flows of 3 packets each; returns their packets. */
  private long write(CollectorExporter exporter, int first, int n) {
    List<TestFlow> flows = new ArrayList<>();
    for (int i = first; i < first + n; i++) {
      flows.add(
          TestFlow.of(
              "172.16." + (i / 250 % 250) + "." + (i % 250 + 1),
              "172.17.0.1",
              20000 + (i % 40000),
              9,
              TestFlow.UDP,
              PACKETS_PER_FLOW,
              64 * PACKETS_PER_FLOW));
    }
    FlowBatches.fill(root, flows);
    exporter.write(root);
    return (long) n * PACKETS_PER_FLOW;
  }

  /** Reads IPFIX messages off a TCP stream until it ends and counts their IPv4 data records. */
  private static final class Reader extends Thread {
    private final InputStream in;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Reader(InputStream in) {
      this.in = in;
      setDaemon(true);
    }

    @Override
    public void run() {
      byte[] buf = new byte[1 << 16];
      try {
        int n;
        while ((n = in.read(buf)) > 0) {
          bytes.write(buf, 0, n);
        }
      } catch (IOException e) {
        // the stream ended
      }
    }

    long records() {
      ByteBuffer b = ByteBuffer.wrap(bytes.toByteArray());
      long records = 0;
      while (b.remaining() >= 16) {
        int start = b.position();
        int length = b.getShort(start + 2) & 0xFFFF; // 2: message length
        if (b.remaining() < length) {
          break; // a message cut short: not whole, not counted
        }
        for (int set = start + 16; set < start + length; ) {
          int id = b.getShort(set) & 0xFFFF;
          int setLength = b.getShort(set + 2) & 0xFFFF;
          if (id == IpfixConstants.TEMPLATE_IPV4) {
            records += (setLength - 4) / IpfixTemplates.IPV4_RECORD_LENGTH;
          }
          set += setLength;
        }
        b.position(start + length);
      }
      return records;
    }
  }
}
