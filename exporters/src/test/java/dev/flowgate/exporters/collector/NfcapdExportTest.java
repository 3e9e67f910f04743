package dev.flowgate.exporters.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.exporters.IfNameSource;
import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.testing.ExpectedFlows;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.KnownFlows;
import dev.flowgate.exporters.testing.Nfcapd;
import dev.flowgate.exporters.testing.Processes;
import dev.flowgate.exporters.testing.TestFlow;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Exports to nfdump's nfcapd on loopback and checks what it decoded, flow by flow. */
@Tag("e2e")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NfcapdExportTest {

  private static final IfNameSource NAMES =
      IfNameSource.of(Map.of(3L, "veth-fg0", 4L, "veth-fg1", 5L, "veth-fg2"));

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

  /**
   * nfcapd writes a file even when nothing arrived (it opens a new one at the top of each hour);
   * nfdump prints "[", "No matching flows", "]" for it, which is no flow, not a parse error (a CI
   * run crossing 07:00 failed on it).
   */
  @Test
  void aFileWithoutFlowsReadsAsNoRecords() throws Exception {
    Nfcapd nfcapd = closeLater(Nfcapd.start(tmp, Processes.freeUdpPort()));
    nfcapd.stop();
    assertThat(nfcapd.files()).isNotEmpty();
    assertThat(nfcapd.records()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ExportProtocol.class)
  void everyFlowArrivesExactlyWithNoSequenceErrors(ExportProtocol protocol) throws Exception {
    int port = Processes.freeUdpPort();
    Nfcapd nfcapd = closeLater(Nfcapd.start(tmp, port));
    List<TestFlow> flows = KnownFlows.batch(System.currentTimeMillis(), 300);
    CollectorExporter exporter =
        closeLater(
            CollectorExporter.start(
                new CollectorOptions()
                    .collector("127.0.0.1:" + port)
                    .protocol(protocol)
                    .templateRefreshPackets(5)
                    .optionsRecordsInSequence(false), // nfdump counts flow records only
                NAMES));
    try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
      exporter.write(root);
      // a second batch in the same root, as the flow cache refills it
      FlowBatches.fill(root, flows.subList(0, 0));
      exporter.write(root);
    }
    assertThat(exporter.awaitDelivered(Duration.ofSeconds(60))).isTrue();
    exporter.close();
    nfcapd.stop();

    ExporterStats stats = exporter.stats();
    assertThat(stats.sendErrors()).isZero();
    assertThat(stats.messagesDropped()).isZero();
    boolean v5 = protocol == ExportProtocol.NETFLOW_V5;
    nfcapd.assertDecoded(flows, !v5, !v5, stats);
    long ipv6 = flows.stream().filter(f -> !f.ipv4()).count();
    if (v5) {
      assertThat(stats.ipv6FlowsNotExportable()).isEqualTo(ipv6);
      assertThat(stats.splitRecords()).isEqualTo(1396); // 6e12 bytes need 1397 records of < 2^32
      assertThat(stats.recordsSent()).isEqualTo(flows.size() - ipv6 + 1396);
    } else {
      assertThat(stats.recordsSent()).isEqualTo(flows.size());
      assertThat(stats.templateMessagesSent()).isGreaterThan(1); // refreshed every 5 data messages
    }
    assertThat(nfcapd.log()).contains("Sequence Errors: 0");
    assertThat(nfcapd.exporterInfo())
        .contains("Sequence failures: 0")
        .contains("flows: " + stats.recordsSent())
        .doesNotContain("Sampler");
  }

  @ParameterizedTest
  @EnumSource(
      value = ExportProtocol.class,
      names = {"IPFIX", "NETFLOW_V9"})
  void collectorRestartResumesAfterTheNextTemplateRefresh(ExportProtocol protocol)
      throws Exception {
    int port = Processes.freeUdpPort();
    int refreshPackets = 4;
    int capacity = 8;
    long now = System.currentTimeMillis();
    List<TestFlow> before = KnownFlows.batch(now, 20);
    List<TestFlow> after = renumber(KnownFlows.batch(now, 20));
    Nfcapd first = closeLater(Nfcapd.start(tmp, port));
    CollectorExporter exporter =
        closeLater(
            CollectorExporter.start(
                new CollectorOptions()
                    .collector("127.0.0.1:" + port)
                    .protocol(protocol)
                    .templateRefreshPackets(refreshPackets)
                    .queueCapacity(capacity)
                    .optionsRecordsInSequence(false),
                NAMES));
    long written = 0;
    long writtenPackets = 0;
    try (VectorSchemaRoot root = FlowBatches.build(allocator, before)) {
      exporter.write(root);
      written += before.size();
      writtenPackets += packets(before);
      assertThat(exporter.awaitDelivered(Duration.ofSeconds(60))).isTrue();
      first.stop();
      first.assertDecoded(before, true, true, exporter.stats());

      // collector gone: keep exporting until sends fail; the queue stays bounded
      List<TestFlow> filler = fillers(2000);
      while (exporter.stats().sendErrors() == 0) {
        FlowBatches.fill(root, filler);
        exporter.write(root);
        written += filler.size();
        writtenPackets += packets(filler);
        assertThat(exporter.stats().queueDepth()).isLessThanOrEqualTo(capacity);
        assertThat(exporter.awaitDelivered(Duration.ofSeconds(60))).isTrue();
      }
      FlowBatches.fill(root, filler); // about 80 messages at once into a queue of 8
      exporter.write(root);
      written += filler.size();
      writtenPackets += packets(filler);
      assertThat(exporter.stats().queueDepth()).isLessThanOrEqualTo(capacity);
      assertThat(exporter.awaitDelivered(Duration.ofSeconds(60))).isTrue();
      ExporterStats down = exporter.stats();
      assertThat(down.sendErrors()).isPositive();
      // every record was handed to the socket, dropped from the full queue or failed (a send that
      // met the collector's port unreachable is not retried), and counted
      SinkReport outcomes = exporter.report();
      assertThat(outcomes.handed().packets()).isEqualTo(writtenPackets);
      assertThat(outcomes.queued().isZero()).as("%s", outcomes).isTrue();
      assertThat(outcomes.addsUp()).isTrue();
      assertThat(outcomes.failed().packets()).as("%s", outcomes).isPositive();
      assertThat(down.recordsSent() + down.recordsDropped()).isLessThan(written);

      // collector back: more than refreshPackets data messages guarantee a refresh after its start
      Nfcapd second = closeLater(Nfcapd.start(tmp, port));
      FlowBatches.fill(root, fillers(20 * (refreshPackets + 2)));
      exporter.write(root);
      FlowBatches.fill(root, after);
      exporter.write(root);
      assertThat(exporter.awaitDelivered(Duration.ofSeconds(60))).isTrue();
      exporter.close();
      second.stop();
      Set<String> keys = after.stream().map(ExpectedFlows::key).collect(Collectors.toSet());
      List<JsonNode> decoded =
          second.records().stream().filter(r -> keys.contains(ExpectedFlows.nfdumpKey(r))).toList();
      ExpectedFlows.assertNfdump(decoded, after, true, true);
      assertThat(second.exporterInfo()).contains("Sequence failures: 0");
    }
  }

  @Test
  void ipfixSequenceFollowsRfc7011WhichNfdumpCountsDifferently() throws Exception {
    int port = Processes.freeUdpPort();
    Nfcapd nfcapd = closeLater(Nfcapd.start(tmp, port));
    List<TestFlow> flows = KnownFlows.batch(System.currentTimeMillis(), 300);
    CollectorExporter exporter =
        closeLater(
            CollectorExporter.start(
                new CollectorOptions().collector("127.0.0.1:" + port).templateRefreshPackets(5),
                NAMES));
    try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
      exporter.write(root);
    }
    assertThat(exporter.awaitDelivered(Duration.ofSeconds(60))).isTrue();
    exporter.close();
    nfcapd.stop();
    ExpectedFlows.assertNfdump(nfcapd.records(), flows, true, true);
    // RFC 7011 counts the options data records too; nfdump does not and reports one sequence
    // error per template refresh after the first (it syncs silently before its first data record)
    long refreshes = exporter.stats().templateMessagesSent() - 1;
    assertThat(refreshes).isPositive();
    assertThat(nfcapd.exporterInfo()).contains("Sequence failures: " + refreshes + ",");
  }

  /**
   * The same flows from other source addresses, so they cannot be confused with the first batch.
   */
  private static List<TestFlow> renumber(List<TestFlow> flows) {
    return flows.stream()
        .map(
            f ->
                new TestFlow(
                    f.src().replace("10.", "10.1").replace("2001:db8:", "2001:db9:"),
                    f.dst(),
                    f.srcPort(),
                    f.dstPort(),
                    f.protocol(),
                    f.tos(),
                    f.tcpFlags(),
                    f.packets(),
                    f.bytes(),
                    f.startMillis(),
                    f.endMillis(),
                    f.ifindex(),
                    f.direction(),
                    f.vlanId(),
                    f.endReason()))
        .toList();
  }

  private static List<TestFlow> fillers(int n) {
    List<TestFlow> flows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      flows.add(
          TestFlow.of(
              "172.16." + (i / 250) + "." + (i % 250 + 1),
              "172.17.0.1",
              20000 + (i % 40000),
              9,
              TestFlow.UDP,
              1,
              64));
    }
    return flows;
  }

  private static long packets(List<TestFlow> flows) {
    return flows.stream().mapToLong(TestFlow::packets).sum();
  }
}
