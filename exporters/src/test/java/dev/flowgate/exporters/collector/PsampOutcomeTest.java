package dev.flowgate.exporters.collector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.sample.SampleBatch;
import dev.flowgate.exporters.testing.Processes;
import dev.flowgate.exporters.testing.Tshark;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What becomes of the samples a PSAMP exporter is handed, in samples, against real sockets: to a
 * UDP port where nothing listens, the kernel refuses some datagrams (the ICMP port unreachable of
 * an earlier one, also in the middle of a sendmmsg) and those samples are failed, while exactly the
 * delivered ones are on the wire (tshark counts their records on loopback); a TCP collector gets
 * exactly the delivered (acknowledged) samples; one that refuses connections gets nothing and every
 * sample is dropped. In each, handed = delivered + dropped + failed with nothing left queued.
 */
@Tag("e2e")
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PsampOutcomeTest {

  private static final String FRAME_SECTION = "\"cflow.data_link_frame_section\"";

  @TempDir Path tmp;
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : cleanup) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    cleanup.add(0, c);
    return c;
  }

  private static SampleBatch samples(int n) {
    SampleBatch.Builder b = new SampleBatch.Builder(n, 128);
    long now = System.currentTimeMillis() * 1_000_000L;
    for (int i = 0; i < n; i++) {
      byte[] frame = new byte[60 + i % 68];
      frame[12] = 0x08; // IPv4 ethertype
      b.add(now + i, 3, 0, i % 2, frame.length, frame);
    }
    return b.build();
  }

  private static PsampExporter start(CollectorOptions options) {
    return PsampExporter.start(options, () -> new TreeMap<>(Map.of(3L, 100)), Clock.systemUTC());
  }

  @Test
  void udpCollectorThatIsNotListeningFailsExactlyTheSamplesNotOnTheWire() throws Exception {
    int port = Processes.freeUdpPort(); // bound and closed: nothing listens, ICMP answers
    Tshark tshark = closeLater(Tshark.capture(tmp, "udp dst port " + port));
    PsampExporter exporter = closeLater(start(new CollectorOptions().collector("127.0.0.1", port)));
    long handed = 0;
    for (int batch = 0; batch < 10; batch++) {
      SampleBatch b = samples(500);
      exporter.write(b);
      handed += b.size();
    }
    assertThat(exporter.awaitDelivered(Duration.ofSeconds(60))).isTrue();
    exporter.close();

    SinkReport r = exporter.report();
    assertThat(r.sink()).isEqualTo("psamp:udp:127.0.0.1:" + port);
    assertThat(r.handed().packets()).isEqualTo(handed);
    assertThat(r.queued().isZero()).as("%s", r).isTrue();
    assertThat(r.addsUp()).as("%s", r).isTrue();
    assertThat(r.dropped().packets()).isZero();
    assertThat(r.failed().packets()).as("%s %s", r, exporter.stats()).isPositive();
    assertThat(r.delivered().packets()).as("%s %s", r, exporter.stats()).isPositive();
    // the refused messages were not sent again: what the wire shows is exactly the delivered
    String json =
        tshark.stopOnceDecoded(
            "udp.port==" + port + ",cflow", FRAME_SECTION, r.delivered().packets());
    assertThat(Tshark.count(json, FRAME_SECTION)).isEqualTo(r.delivered().packets());
    assertThat(exporter.stats().recordsSent()).isEqualTo(r.delivered().packets());
    // each loss is one refused message of samples; refused template messages lose no sample
    assertThat(r.losses()).isPositive().isLessThanOrEqualTo(exporter.stats().sendErrors());
  }

  @Test
  void tcpCollectorGetsExactlyTheSamplesDeliveredOnceAcknowledged() throws Exception {
    ServerSocket server = closeLater(new ServerSocket());
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    PsampExporter exporter =
        closeLater(
            start(
                new CollectorOptions()
                    .collector("127.0.0.1", server.getLocalPort())
                    .transport(TransportProtocol.TCP)));
    long[] read = new long[1];
    Thread reader =
        new Thread(
            () -> {
              try (Socket conn = server.accept()) {
                read[0] = sampleRecords(new DataInputStream(conn.getInputStream()));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    reader.start();
    for (int batch = 0; batch < 8; batch++) {
      exporter.write(samples(700));
    }
    assertThat(exporter.awaitDelivered(Duration.ofSeconds(60))).isTrue();
    exporter.close(); // the collector reads to the end of the stream
    reader.join(60_000);

    SinkReport r = exporter.report();
    assertThat(r.sink()).isEqualTo("psamp:tcp:127.0.0.1:" + server.getLocalPort());
    assertThat(r.handed().packets()).isEqualTo(5600);
    assertThat(r.delivered().packets()).as("%s", r).isEqualTo(5600).isEqualTo(read[0]);
    assertThat(r.addsUp()).isTrue();
  }

  /** Sample records (set 260) in the IPFIX messages of {@code in}, to the end of the stream. */
  private static long sampleRecords(DataInputStream in) throws IOException {
    long n = 0;
    byte[] header = new byte[16];
    while (true) {
      try {
        in.readFully(header);
      } catch (EOFException e) {
        return n;
      }
      ByteBuffer body = ByteBuffer.allocate((ByteBuffer.wrap(header).getShort(2) & 0xFFFF) - 16);
      in.readFully(body.array());
      while (body.hasRemaining()) {
        int set = body.getShort() & 0xFFFF;
        int end = body.position() - 2 + (body.getShort() & 0xFFFF);
        if (set == 260) {
          while (body.position() < end) {
            body.position(body.position() + 27); // the fixed fields
            int len = body.get() & 0xFF;
            if (len == 255) {
              len = body.getShort() & 0xFFFF;
            }
            body.position(body.position() + len);
            n++;
          }
        }
        body.position(end);
      }
    }
  }

  @Test
  void closeCutsOffAWriteStuckOnACollectorThatStoppedReading() throws Exception {
    ServerSocket server = closeLater(new ServerSocket());
    server.setReceiveBufferSize(4096);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    PsampExporter exporter =
        closeLater(
            start(
                new CollectorOptions()
                    .collector("127.0.0.1", server.getLocalPort())
                    .transport(TransportProtocol.TCP)
                    .closeTimeout(Duration.ofMillis(500))));
    SampleBatch huge = samples(100_000); // ~16 MB: more than the socket buffers ever hold
    Thread writer = new Thread(() -> exporter.write(huge));
    writer.setDaemon(true); // if close fails to cut it off, the test fails and the JVM still exits
    writer.start();
    // the write connects, so once accepted it holds the exporter and is writing: a peer that
    // never reads leaves it blocked in the kernel, and close, after its 500 ms, cuts it off
    Socket conn = closeLater(server.accept());
    exporter.close();
    writer.join(30_000);
    assertThat(writer.isAlive()).as("the stuck write was cut off").isFalse();

    SinkReport r = exporter.report();
    assertThat(r.queued().isZero()).as("%s", r).isTrue();
    assertThat(r.addsUp()).as("%s", r).isTrue();
    assertThat(r.dropped().packets() + r.failed().packets()).as("%s", r).isPositive();
    conn.close();
  }

  @Test
  void tcpCollectorThatRefusesConnectionsDropsEverySample() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      port = s.getLocalPort(); // closed: connections are refused
    }
    PsampExporter exporter =
        closeLater(
            start(
                new CollectorOptions()
                    .collector("127.0.0.1", port)
                    .transport(TransportProtocol.TCP)));
    for (int batch = 0; batch < 5; batch++) {
      exporter.write(samples(300));
    }
    exporter.close();

    SinkReport r = exporter.report();
    assertThat(r.sink()).isEqualTo("psamp:tcp:127.0.0.1:" + port);
    assertThat(r.handed().packets()).isEqualTo(1500);
    assertThat(r.dropped().packets()).as("%s", r).isEqualTo(1500);
    assertThat(r.addsUp()).isTrue();
    assertThat(r.lastError()).contains("Connection refused");
    assertThat(exporter.stats().recordsDropped()).isEqualTo(1500);
  }
}
