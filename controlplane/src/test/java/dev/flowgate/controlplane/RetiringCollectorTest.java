package dev.flowgate.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.accounting.Accounting;
import dev.flowgate.controlplane.config.CollectorConfig;
import dev.flowgate.controlplane.config.ConfigLoader;
import dev.flowgate.controlplane.config.ExportConfig;
import dev.flowgate.controlplane.config.FlowgateConfig;
import dev.flowgate.controlplane.config.HostPort;
import dev.flowgate.controlplane.fanout.ExportFanout;
import dev.flowgate.controlplane.sweep.SweepResult;
import dev.flowgate.exporters.FlowSink;
import dev.flowgate.exporters.IfNameSource;
import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.collector.CollectorExporter;
import dev.flowgate.exporters.collector.CollectorOptions;
import dev.flowgate.exporters.collector.ExportProtocol;
import dev.flowgate.exporters.collector.TransportProtocol;
import dev.flowgate.exporters.spool.SinkSpool;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.TestFlow;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collectors leaving the config while their spool still holds records (issue 13): one configured
 * again while its removed twin still delivers takes that twin over; the spool of one removed while
 * flowgate was stopped is delivered by an exporter of its own, or dropped and counted when its time
 * is 0s or it does not say which collector it was for.
 */
@Timeout(60)
class RetiringCollectorTest {

  @TempDir Path tmp;
  private final RootAllocator allocator = new RootAllocator();
  private final IfNameSource names = IfNameSource.of(Map.of());

  @AfterEach
  void close() {
    allocator.close();
  }

  private static int deadPort() throws Exception {
    try (DatagramSocket s = new DatagramSocket(0)) {
      return s.getLocalPort(); // bound and closed: nothing listens
    }
  }

  private static SweepResult sweep(long n) {
    return new SweepResult(n, System.currentTimeMillis(), 0, 0, null, Map.of(), null);
  }

  private static CollectorConfig collector(int port, ExportProtocol protocol) {
    return new CollectorConfig(
        new HostPort("127.0.0.1", port),
        protocol,
        TransportProtocol.UDP,
        Duration.ofSeconds(60),
        20,
        1400,
        1,
        false);
  }

  private static ExportConfig export(CollectorConfig... collectors) {
    return new ExportConfig(
        List.of(collectors), Optional.empty(), SinkSpool.DEFAULT_LIMIT_BYTES, Duration.ofHours(1));
  }

  /** 100 flows of 2 packets: 200 packets. */
  private void hand(ExportFanout fanout) {
    List<TestFlow> flows = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      flows.add(TestFlow.of("10.0.0." + (i + 1), "10.0.1.1", 1000 + i, 53, TestFlow.UDP, 2, 200));
    }
    try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
      fanout.accept(root);
    }
  }

  private List<FlowSink> update(ExportConfig running, ExportFanout fanout, ExportConfig fresh) {
    return SinkFactory.update(
        running,
        fanout.sinks(),
        fresh,
        allocator,
        names,
        Optional.of(new SinkFactory.Spools(tmp.resolve("spool"), SinkSpool.DEFAULT_LIMIT_BYTES)),
        fanout::retiringSink);
  }

  @Test
  void aCollectorConfiguredAgainTakesOverItsRetiringTwin() throws Exception {
    int port = deadPort();
    ExportConfig one = export(collector(port, ExportProtocol.IPFIX));
    ExportConfig none = export();
    ExportFanout fanout = new ExportFanout(List.of(), new Accounting());
    fanout.replaceSinks(update(none, fanout, one));
    FlowSink first = fanout.sinks().get(0);
    hand(fanout); // the collector is down: 200 packets wait in the spool

    fanout.replaceSinks(update(one, fanout, none)); // removed: it retires
    assertThat(fanout.sinks()).isEmpty();
    assertThat(fanout.sinkReports()).hasSize(1);

    // configured again while the twin still delivers: the reload succeeds, the twin carries on
    List<FlowSink> again = update(none, fanout, one);
    assertThat(again).containsExactly(first);
    fanout.replaceSinks(again);
    fanout.removedSinkTimeout(Duration.ZERO);
    fanout.swept(sweep(1)); // not retiring any more: nothing is given up
    assertThat(fanout.sinkReports()).hasSize(1);
    hand(fanout);
    SinkReport r = first.report();
    assertThat(r.handed().packets()).isEqualTo(400);
    assertThat(r.queued().packets()).isEqualTo(400);
    assertThat(r.dropped().isZero()).isTrue();

    // removed again, then configured again with other settings: a new exporter takes its spool
    fanout.removedSinkTimeout(Duration.ofHours(1));
    fanout.replaceSinks(update(one, fanout, none));
    ExportConfig v9 = export(collector(port, ExportProtocol.NETFLOW_V9));
    fanout.replaceSinks(update(none, fanout, v9));
    assertThat(fanout.sinkReports()).hasSize(1); // the twin left the retiring list
    FlowSink second = fanout.sinks().get(0);
    assertThat(second).isNotSameAs(first);
    assertThat(second.report().handed().packets()).isEqualTo(400); // resumed from the spool
    assertThat(second.report().queued().packets()).isEqualTo(400);
    assertThat(first.report().dropped().isZero()).isTrue();
    fanout.close();
  }

  private FlowgateConfig config(String export) throws Exception {
    return ConfigLoader.parse(
        """
        interfaces:
          - name: lo
        state-directory: %s
        export:
        %s
        """
            .formatted(tmp.resolve("state"), export.indent(2).stripTrailing()),
        "flowgate.yaml");
  }

  /** A spool left by a stopped run for the collector on {@code port}: 200 packets undelivered. */
  private Path leaveSpool(int port) {
    Path dir = tmp.resolve("state/spool/udp_127.0.0.1_" + port);
    CollectorExporter dead =
        CollectorExporter.start(
            new CollectorOptions()
                .collector("127.0.0.1:" + port)
                .protocol(ExportProtocol.NETFLOW_V9)
                .observationDomainId(9)
                .closeTimeout(Duration.ZERO)
                .spoolDirectory(dir),
            names);
    ExportFanout fanout = new ExportFanout(List.of(dead), new Accounting());
    hand(fanout);
    fanout.close(); // a stop: the spool stays
    return dir;
  }

  @Test
  void aSpoolOfACollectorRemovedWhileStoppedIsDeliveredByItsOwnExporter() throws Exception {
    int port = deadPort();
    Path dir = leaveSpool(port);
    FlowgateConfig config = config("removed-collector-timeout: 1h\n");
    List<FlowSink> left = LeftBehindSpools.find(config, List.of(), names);
    assertThat(left).hasSize(1);
    CollectorExporter e = (CollectorExporter) left.get(0);
    // the settings it was written with, not defaults
    assertThat(e.options().protocol()).isEqualTo(ExportProtocol.NETFLOW_V9);
    assertThat(e.options().observationDomainId()).isEqualTo(9);
    assertThat(e.report().sink()).isEqualTo("udp:127.0.0.1:" + port);
    assertThat(e.report().queued().packets()).isEqualTo(200);

    ExportFanout fanout = new ExportFanout(List.of(), new Accounting());
    fanout.removedSinkTimeout(Duration.ZERO); // the operator gives up on it: dropped, counted
    fanout.retire(e, "left in its spool by a collector no longer in the config");
    assertThat(fanout.sinkReports())
        .extracting(SinkReport::sink)
        .containsExactly(e.report().sink());
    fanout.swept(sweep(1));
    assertThat(fanout.sinkReports()).isEmpty();
    assertThat(e.report().dropped().packets()).isEqualTo(200);
    assertThat(e.report().addsUp()).isTrue();
    assertThat(Files.exists(dir)).isFalse();
    fanout.close();
  }

  @Test
  void aConfiguredCollectorsSpoolIsNotLeftBehind() throws Exception {
    int port = deadPort();
    Path dir = leaveSpool(port);
    FlowgateConfig config =
        config(
            """
            ipfix:
              - collector: 127.0.0.1:%d
            """
                .formatted(port));
    assertThat(LeftBehindSpools.find(config, List.of(), names)).isEmpty();
    assertThat(Files.exists(dir)).isTrue();
  }

  @Test
  void aSpoolThatDoesNotSayWhichCollectorItWasForIsDroppedAndCounted() throws Exception {
    Path dir = leaveSpool(deadPort());
    Files.delete(dir.resolve(SinkSpool.DESCRIPTION_FILE)); // as written before spools said
    assertThat(LeftBehindSpools.find(config("spool-limit: 67108864\n"), List.of(), names))
        .isEmpty();
    assertThat(Files.exists(dir)).isFalse();
  }
}
