package dev.flowgate.exporters.collector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.exporters.IfNameSource;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.KnownFlows;
import dev.flowgate.exporters.testing.TestFlow;
import dev.flowgate.exporters.testing.Tshark;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Wireshark's NetFlow/IPFIX dissector on a capture of what the exporter sent: nothing malformed.
 */
@Tag("e2e")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TsharkDecodeTest {

  private static final IfNameSource NAMES =
      IfNameSource.of(Map.of(3L, "veth-fg0", 5L, "veth-fg2"));

  @TempDir Path tmp;
  private final RootAllocator allocator = new RootAllocator();
  private Tshark tshark;

  @AfterEach
  void tearDown() {
    if (tshark != null) {
      tshark.close();
    }
    allocator.close();
  }

  @ParameterizedTest
  @EnumSource(ExportProtocol.class)
  void udpExportDecodesWithoutMalformedPackets(ExportProtocol protocol) throws Exception {
    List<TestFlow> flows = KnownFlows.batch(System.currentTimeMillis(), 100);
    try (DatagramSocket sink = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      int port = sink.getLocalPort();
      tshark = Tshark.capture(tmp, "udp port " + port);
      CollectorExporter exporter =
          CollectorExporter.start(
              new CollectorOptions().collector("127.0.0.1", port).protocol(protocol), NAMES);
      try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
        exporter.write(root);
      }
      assertThat(exporter.awaitDelivered(Duration.ofSeconds(60))).isTrue();
      exporter.close();
      ExporterStats stats = exporter.stats();
      String versionField = "\"cflow.version\": \"" + version(protocol) + "\"";
      String json =
          tshark.stopOnceDecoded(
              "udp.port==" + port + ",cflow", versionField, stats.messagesSent());
      assertThat(json).doesNotContain("Malformed").doesNotContain("_ws.malformed");
      assertThat(count(json, versionField)).isEqualTo(stats.messagesSent());
      assertThat(count(json, "\"cflow.protocol\":"))
          .as("flow records")
          .isEqualTo(stats.recordsSent());
    }
  }

  @Test
  void ipfixOverTcpDecodesWithoutMalformedMessages() throws Exception {
    List<TestFlow> flows = KnownFlows.batch(System.currentTimeMillis(), 200);
    try (ServerSocket collector = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = collector.getLocalPort();
      tshark = Tshark.capture(tmp, "tcp port " + port);
      Thread reader =
          new Thread(
              () -> {
                try (Socket s = collector.accept();
                    InputStream in = s.getInputStream()) {
                  in.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (java.io.IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      reader.start();
      CollectorExporter exporter =
          CollectorExporter.start(
              new CollectorOptions().collector("127.0.0.1", port).transport(TransportProtocol.TCP),
              NAMES);
      try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
        exporter.write(root);
      }
      assertThat(exporter.awaitDelivered(Duration.ofSeconds(60))).isTrue();
      exporter.close(); // FIN: the reader sees the end of the stream
      reader.join();
      ExporterStats stats = exporter.stats();
      String json =
          tshark.stopOnceDecoded(
              "tcp.port==" + port + ",cflow", "\"cflow.version\": \"10\"", stats.messagesSent());
      assertThat(json).doesNotContain("Malformed").doesNotContain("_ws.malformed");
      assertThat(count(json, "\"cflow.version\": \"10\"")).isEqualTo(stats.messagesSent());
      assertThat(count(json, "\"cflow.protocol\":")).isEqualTo(flows.size());
      tshark = null;
    }
  }

  private static String version(ExportProtocol p) {
    return switch (p) {
      case IPFIX -> "10";
      case NETFLOW_V9 -> "9";
      case NETFLOW_V5 -> "5";
    };
  }

  private static long count(String text, String needle) {
    return Tshark.count(text, needle);
  }
}
