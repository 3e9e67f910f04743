package dev.flowgate.exporters.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.exporters.IfNameSource;
import dev.flowgate.exporters.sample.SampleBatch;
import dev.flowgate.exporters.testing.ExpectedFlows;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.KnownFlows;
import dev.flowgate.exporters.testing.Nfcapd;
import dev.flowgate.exporters.testing.Processes;
import dev.flowgate.exporters.testing.TestFlow;
import dev.flowgate.exporters.testing.Tshark;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * PSAMP samples and IPFIX flows to one collector port on loopback: tshark decodes every sample
 * record and the selector options, nothing malformed; nfcapd on that port keeps the flows exact and
 * sees no sequence error (the samples travel under their own observation domain).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PsampExportTest {

  private static final IfNameSource NAMES = IfNameSource.of(Map.of(3L, "veth-fg0"));

  @TempDir Path tmp;
  private final RootAllocator allocator = new RootAllocator();
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : cleanup) {
      c.close();
    }
    allocator.close();
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    cleanup.add(0, c);
    return c;
  }

  private static SampleBatch samples(int n) {
    SampleBatch.Builder b = new SampleBatch.Builder(n, 256);
    long now = System.currentTimeMillis() * 1_000_000L;
    for (int i = 0; i < n; i++) {
      byte[] frame = new byte[i % 3 == 0 ? 256 : 60 + i % 100];
      frame[12] = 0x08; // IPv4 ethertype
      b.add(now + i, 3, 0, i % 2, frame.length + i, frame);
    }
    return b.build();
  }

  @Test
  void tsharkDecodesEverySampleAndNfcapdKeepsExactFlowTotals() throws Exception {
    int port = Processes.freeUdpPort();
    Tshark tshark = closeLater(Tshark.capture(tmp, "udp port " + port));
    Nfcapd nfcapd = closeLater(Nfcapd.start(tmp, port));
    List<TestFlow> flows = KnownFlows.batch(System.currentTimeMillis(), 100);
    CollectorOptions options =
        new CollectorOptions()
            .collector("127.0.0.1:" + port)
            .templateRefreshPackets(5)
            .optionsRecordsInSequence(false); // nfdump counts flow records only
    CollectorExporter flowExporter = closeLater(CollectorExporter.start(options, NAMES));
    TreeMap<Long, Integer> rates = new TreeMap<>(Map.of(3L, 100));
    PsampExporter sampleExporter =
        closeLater(
            PsampExporter.start(
                new CollectorOptions(options).observationDomainId(2),
                () -> rates,
                Clock.systemUTC()));
    int n = 500;
    try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
      flowExporter.write(root);
      sampleExporter.write(samples(n));
    }
    assertThat(flowExporter.awaitDelivered(Duration.ofSeconds(60))).isTrue();
    assertThat(sampleExporter.awaitDelivered(Duration.ofSeconds(60))).isTrue();
    flowExporter.close();
    sampleExporter.close();

    ExporterStats s = sampleExporter.stats();
    assertThat(s.recordsSent()).isEqualTo(n);
    assertThat(s.sendErrors()).isZero();
    assertThat(s.messagesDropped()).isZero();
    String json =
        tshark.stopOnceDecoded(
            "udp.port==" + port + ",cflow", "\"cflow.data_link_frame_section\"", n);
    assertThat(Tshark.count(json, "\"cflow.data_link_frame_section\"")).isEqualTo(n);
    assertThat(json).contains("\"cflow.sampling_packet_interval\": \"1\"");
    assertThat(json).contains("\"cflow.sampling_packet_space\": \"99\"");
    assertThat(json)
        .doesNotContain("Malformed"); // (sequence warnings: nfdump-style sequence numbers)

    nfcapd.stop();
    assertThat(nfcapd.log()).contains("Sequence Errors: 0");
    // nfdump files the samples as records of exporter 2 (their domain): the flows of domain 1 are
    // exact and in sequence
    String exporters = nfcapd.exporterInfo();
    assertThat(exporters).contains("ID:  1, Sequence failures: 0, packets:");
    List<JsonNode> records = nfcapd.records();
    ExpectedFlows.assertNfdump(
        records.stream().filter(r -> r.get("export_sysid").asInt() == sysId(exporters, 1)).toList(),
        flows,
        true,
        true);
    assertThat(records).hasSize(flows.size() + n);
  }

  /** nfdump's SysID of the exporter with observation domain {@code id}, from {@code nfdump -E}. */
  private static int sysId(String exporters, int id) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("SysID: (\\d+), IP: +\\S+, version: 10, ID: +" + id + ",")
            .matcher(exporters);
    assertThat(m.find()).as(exporters).isTrue();
    return Integer.parseInt(m.group(1));
  }
}
