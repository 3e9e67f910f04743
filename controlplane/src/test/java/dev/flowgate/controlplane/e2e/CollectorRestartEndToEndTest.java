package dev.flowgate.controlplane.e2e;

import static dev.flowgate.controlplane.e2e.CollectorEndToEndTest.allExporters;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.controlplane.testing.FlowgateProcess;
import dev.flowgate.exporters.testing.ExpectedFlows;
import dev.flowgate.exporters.testing.Nfcapd;
import dev.flowgate.exporters.testing.Processes;
import dev.flowgate.exporters.testing.TestFlow;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.LabExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Collectors restart while the flowgate process exports to them (IPFIX and NetFlow v9 to nfcapd).
 * Once while flows are exported into the gap (sends fail, the queue stays empty, nothing crashes),
 * once between two messages (nothing tells flowgate). Either way the new collector decodes every
 * flow exactly from the next template refresh on: with {@code template-refresh-packets: N}, at most
 * N data messages go out before templates, so every round of traffic from the (N+1)-th after the
 * restart must be decoded; earlier rounds are decoded exactly or not at all. Without the
 * collectors' spools ({@code spool-limit: 0}): what was sent into the gap is counted failed, not
 * retried (with a spool it waits and is re-sent: {@code SpoolEndToEndTest}).
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(120)
class CollectorRestartEndToEndTest {

  private static final String[] PROTOCOLS = {"ipfix", "netflow-v9"};
  private static final int REFRESH_PACKETS = 3;
  private static final int ROUNDS_AFTER_RESTART = REFRESH_PACKETS + 2;

  @RegisterExtension final LabExtension lab = new LabExtension();
  private final List<TestFlow> sent = new ArrayList<>();
  private int round;
  private long sentPackets;

  @Test
  void newCollectorDecodesEveryFlowFromTheNextTemplateRefreshOn() throws Exception {
    int[] ports = {Processes.freeUdpPort(), Processes.freeUdpPort()};
    Nfcapd[] first = startCollectors(ports);
    int api = FlowgateProcess.freePort();
    Path arrowDir = lab.dir().resolve("flows");
    List<List<TestFlow>> beforeGap = new ArrayList<>();
    List<List<TestFlow>> afterGap = new ArrayList<>();
    List<List<TestFlow>> afterQuickRestart = new ArrayList<>();
    Nfcapd[] second;
    Nfcapd[] third;
    try (FlowgateProcess fg =
        FlowgateProcess.start(config(api, arrowDir, ports), api, lab.dir().resolve("fg.log"))) {
      beforeGap.add(sendRound(fg));
      stop(first);

      // collectors down: flows keep coming; sends fail (ICMP port unreachable) and are counted
      List<List<TestFlow>> intoTheGap = new ArrayList<>();
      JsonNode down = null;
      while (down == null || !allExporters(down, e -> e.get("sendErrors").asLong() > 0)) {
        intoTheGap.add(sendRound(fg));
        down = fg.json("/api/v1/status");
      }
      for (JsonNode e : down.get("exporters")) {
        assertThat(e.get("queueDepth").asInt())
            .as("%s", e)
            .isLessThanOrEqualTo(e.get("queueCapacity").asInt());
        assertThat(e.get("lastError").asText()).as("%s", e).contains("PortUnreachable");
      }

      second = startCollectors(ports);
      for (int i = 0; i < ROUNDS_AFTER_RESTART; i++) {
        afterGap.add(sendRound(fg));
      }
      // a restart between two messages: flowgate cannot know, only the refresh helps
      stop(second);
      third = startCollectors(ports);
      for (int i = 0; i < ROUNDS_AFTER_RESTART; i++) {
        afterQuickRestart.add(sendRound(fg));
      }
      JsonNode end = fg.json("/api/v1/status");
      for (JsonNode e : end.get("exporters")) {
        assertThat(e.get("messagesDropped").asLong()).as("%s", e).isZero();
      }
      // a message sent into the gap failed once and was not retried: delivered + failed = handed
      for (JsonNode k : collectorSinks(end)) {
        assertThat(k.get("dropped").get("packets").asLong()).as("%s", k).isZero();
        assertThat(k.get("failed").get("packets").asLong()).as("%s", k).isPositive();
        assertThat(
                k.get("delivered").get("packets").asLong()
                    + k.get("failed").get("packets").asLong())
            .as("%s", k)
            .isEqualTo(sentPackets);
      }
      assertThat(fg.stop()).as(fg.log()).isZero();
      assertThat(fg.log()).doesNotContain("SEVERE");
    }
    stop(third);

    List<TestFlow> exported = ArrowFlowFiles.read(arrowDir);
    CollectorEndToEndTest.assertSameFlows(exported, sent);
    Map<String, TestFlow> byKey =
        exported.stream().collect(Collectors.toMap(ExpectedFlows::key, Function.identity()));
    for (int c = 0; c < PROTOCOLS.length; c++) {
      String what = PROTOCOLS[c];
      first[c].assertDecoded(withTimes(beforeGap.get(0), byKey), true, true, what + " first");
      assertDecodedFromRefreshOn(second[c], afterGap, byKey, what + " after the gap");
      assertDecodedFromRefreshOn(third[c], afterQuickRestart, byKey, what + " after a restart");
    }
  }

  /**
   * The rounds from index {@link #REFRESH_PACKETS} on are decoded; earlier ones exactly or not at
   * all; nothing else is.
   */
  private static void assertDecodedFromRefreshOn(
      Nfcapd collector, List<List<TestFlow>> rounds, Map<String, TestFlow> exported, String what)
      throws Exception {
    Set<String> decodedKeys =
        collector.records().stream().map(ExpectedFlows::nfdumpKey).collect(Collectors.toSet());
    List<TestFlow> expected = new ArrayList<>();
    for (int r = 0; r < rounds.size(); r++) {
      for (TestFlow f : rounds.get(r)) {
        if (r >= REFRESH_PACKETS || decodedKeys.contains(ExpectedFlows.key(f))) {
          expected.add(exported.get(ExpectedFlows.key(f)));
        }
      }
    }
    collector.assertDecoded(expected, true, true, what);
  }

  private static List<TestFlow> withTimes(List<TestFlow> flows, Map<String, TestFlow> exported) {
    return flows.stream().map(f -> exported.get(ExpectedFlows.key(f))).toList();
  }

  /**
   * Sends a round of connections and waits until every exporter was handed them and each met its
   * outcome (delivered, failed or dropped: nothing queued).
   */
  private List<TestFlow> sendRound(FlowgateProcess fg) throws Exception {
    KnownTraffic t = KnownTraffic.connections(lab.veth().b(), lab.veth().a(), round++);
    FrameSender.send(lab.veth().b(), t.frames());
    sent.addAll(t.flows());
    sentPackets += t.packets();
    long total = sentPackets;
    JsonNode s = fg.awaitStatus(x -> roundDone(x, total));
    assertThat(roundDone(s, total)).as("%s\n%s", s, fg.log()).isTrue();
    return t.flows();
  }

  private static boolean roundDone(JsonNode status, long packets) {
    List<JsonNode> sinks = collectorSinks(status);
    return sinks.size() == PROTOCOLS.length
        && sinks.stream()
            .allMatch(
                k ->
                    k.get("handed").get("packets").asLong() == packets
                        && k.get("queued").get("packets").asLong() == 0);
  }

  private static List<JsonNode> collectorSinks(JsonNode status) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode k : status.get("sinks")) {
      if (k.get("sink").asText().startsWith("udp:")) {
        out.add(k);
      }
    }
    return out;
  }

  private Nfcapd[] startCollectors(int[] ports) throws Exception {
    Nfcapd[] n = new Nfcapd[ports.length];
    for (int i = 0; i < ports.length; i++) {
      n[i] = lab.closeLater(Nfcapd.start(lab.dir(), ports[i]));
    }
    return n;
  }

  private static void stop(Nfcapd[] collectors) throws Exception {
    for (Nfcapd n : collectors) {
      n.stop();
    }
  }

  private Path config(int api, Path arrowDir, int[] ports) throws Exception {
    StringBuilder collectors = new StringBuilder();
    for (int i = 0; i < ports.length; i++) {
      collectors.append(
          """
              - collector: 127.0.0.1:%d
                protocol: %s
                template-refresh: 24h
                template-refresh-packets: %d
          """
              .formatted(ports[i], PROTOCOLS[i], REFRESH_PACKETS));
    }
    String yaml =
        """
        interfaces:
          - name: %s
            mode: tc
            direction: ingress
        flows:
          max-flows: 4096
          sweep-interval: 200ms
          idle-timeout: 60s
          active-timeout: 60s
        dataplane:
          pin-path: %s
        state-directory: %s
        export:
          spool-limit: 0
          arrow:
            directory: %s
          ipfix:
        %s
        api:
          listen: 127.0.0.1:%d
        """
            .formatted(
                lab.veth().a().name(),
                lab.pinDir(),
                lab.dir().resolve("state"),
                arrowDir,
                collectors.toString().stripTrailing(),
                api);
    Path file = lab.dir().resolve("flowgate.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
