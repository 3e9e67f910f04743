package dev.flowgate.exporters.collector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.sample.SampleBatch;
import dev.flowgate.exporters.testing.Processes;
import dev.flowgate.exporters.testing.Tshark;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
 * delivered ones are on the wire (tshark counts their records on loopback); a TCP collector that
 * refuses connections gets nothing and every sample is dropped. In each, handed = delivered +
 * dropped + failed with nothing left queued.
 */
@Tag("e2e")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
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
