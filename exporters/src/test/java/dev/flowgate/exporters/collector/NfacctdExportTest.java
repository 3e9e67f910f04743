package dev.flowgate.exporters.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.exporters.IfNameSource;
import dev.flowgate.exporters.testing.ExpectedFlows;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.KnownFlows;
import dev.flowgate.exporters.testing.Nfacctd;
import dev.flowgate.exporters.testing.Processes;
import dev.flowgate.exporters.testing.TestFlow;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Exports to pmacct's nfacctd and checks its per-5-tuple totals. */
@Tag("e2e")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NfacctdExportTest {

  @TempDir Path tmp;
  private final RootAllocator allocator = new RootAllocator();
  private Nfacctd nfacctd;
  private CollectorExporter exporter;

  @AfterEach
  void tearDown() {
    if (exporter != null) {
      exporter.close();
    }
    if (nfacctd != null) {
      nfacctd.close();
    }
    allocator.close();
  }

  @ParameterizedTest
  @EnumSource(ExportProtocol.class)
  void everyFlowIsAccountedExactly(ExportProtocol protocol) throws Exception {
    int port = Processes.freeUdpPort();
    nfacctd = Nfacctd.start(tmp, port);
    List<TestFlow> flows = KnownFlows.batch(System.currentTimeMillis(), 100);
    exporter =
        CollectorExporter.start(
            new CollectorOptions().collector("127.0.0.1", port).protocol(protocol),
            IfNameSource.none());
    try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
      exporter.write(root);
    }
    assertThat(exporter.awaitDelivered(Duration.ofSeconds(60))).isTrue();
    exporter.close();
    long packets =
        flows.stream()
            .filter(f -> f.ipv4() || protocol != ExportProtocol.NETFLOW_V5)
            .mapToLong(TestFlow::packets)
            .sum();
    nfacctd.awaitPackets(packets); // the core hands records to the print plugin asynchronously
    nfacctd.stop();

    Map<String, long[]> decoded = new HashMap<>();
    for (JsonNode r : nfacctd.records()) {
      String key =
          ExpectedFlows.canonical(r.get("ip_src").asText())
              + " "
              + ExpectedFlows.canonical(r.get("ip_dst").asText())
              + " "
              + r.get("port_src").asInt();
      long[] sum = decoded.computeIfAbsent(key, k -> new long[2]);
      sum[0] += r.get("packets").asLong();
      sum[1] += r.get("bytes").asLong();
    }
    int expected = 0;
    for (TestFlow f : flows) {
      if (!f.ipv4() && protocol == ExportProtocol.NETFLOW_V5) {
        continue;
      }
      expected++;
      String key =
          ExpectedFlows.canonical(f.src())
              + " "
              + ExpectedFlows.canonical(f.dst())
              + " "
              + (f.icmp() ? 0 : f.srcPort());
      assertThat(decoded).as("%s in %s", key, nfacctd.records()).containsKey(key);
      assertThat(decoded.get(key))
          .as("packets, bytes of %s", key)
          .containsExactly(f.packets(), f.bytes());
    }
    assertThat(decoded).hasSize(expected);
  }
}
