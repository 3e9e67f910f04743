package dev.flowgate.controlplane.e2e;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A collector that leaves the config while its spool holds records (issue 13), with real nfcapd:
 * removed while flowgate was stopped, its spool is delivered to it at the next start (or dropped
 * and counted once removed-collector-timeout passed, if it stays down); configured again by a
 * reload while its removed twin still delivers, the reload succeeds and the twin carries on.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(300)
class RemovedCollectorEndToEndTest {
  @RegisterExtension final LabExtension lab = new LabExtension();

  /** Known traffic mixes (13 flows each, IPv4, IPv6, VLAN). */
  private static final int MIXES = 3;

  private Path config(int api, String export) throws Exception {
    String yaml =
        """
        interfaces:
          - name: %s
            mode: xdp
            direction: ingress
        flows:
          max-flows: 4096
          sweep-interval: 200ms
          idle-timeout: 1s
          active-timeout: 60s
        dataplane:
          pin-path: %s
        state-directory: %s
        export:
          arrow:
            directory: %s
        %s
        api:
          listen: 127.0.0.1:%d
        """
            .formatted(
                lab.veth().a().name(),
                lab.pinDir(),
                lab.dir().resolve("state"),
                lab.dir().resolve("flows"),
                export.indent(2).stripTrailing(),
                api);
    Path file = lab.dir().resolve("flowgate.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private static String collector(int port) {
    return """
           ipfix:
             - collector: 127.0.0.1:%d
               protocol: ipfix
               sequence-counts-options: false
           """
        .formatted(port);
  }

  private Path spoolOf(int port) {
    return lab.dir().resolve("state/spool/udp_127.0.0.1_" + port);
  }

  /** Sends the known mixes; returns their packets. */
  private long send(List<TestFlow> flows) {
    List<byte[]> frames = new ArrayList<>();
    long packets = 0;
    for (int net = 0; net < MIXES; net++) {
      KnownTraffic t = KnownTraffic.mix(lab.veth().b(), lab.veth().a(), net);
      frames.addAll(t.frames());
      flows.addAll(t.flows());
      packets += t.packets();
    }
    FrameSender.send(lab.veth().b(), frames);
    return packets;
  }

  /** A run with the collector on {@code port} down: every record waits in its spool; kill -9. */
  private long leaveSpool(int api, int port, List<TestFlow> flows) throws Exception {
    String sink = "udp:127.0.0.1:" + port;
    Path file = config(api, collector(port));
    try (FlowgateProcess fg = FlowgateProcess.start(file, api, lab.dir().resolve("fg1.log"))) {
      long sent = send(flows);
      JsonNode s =
          fg.awaitStatus(
              x ->
                  CollectorEndToEndTest.sum(x, "exported") == sent
                      && queued(x, sink) == sent
                      && sink(x, sink).get("sendErrors").asLong() > 0);
      assertThat(sink(s, sink).get("dropped").get("packets").asLong()).isZero();
      return sent;
    } // close(): SIGKILL
  }

  @Test
  void aCollectorRemovedWhileStoppedGetsItsSpoolAtTheNextStart() throws Exception {
    int port = Processes.freeUdpPort();
    String sink = "udp:127.0.0.1:" + port;
    int api = FlowgateProcess.freePort();
    List<TestFlow> flows = new ArrayList<>();
    long sent = leaveSpool(api, port, flows);

    Nfcapd back = lab.closeLater(Nfcapd.start(lab.dir(), port));
    Path file = config(api, "removed-collector-timeout: 1h\n"); // no collector any more
    try (FlowgateProcess fg = FlowgateProcess.start(file, api, lab.dir().resolve("fg2.log"))) {
      fg.awaitStatus(x -> sinkOrNull(x, sink) == null && fg.log().contains("delivered all"));
      assertThat(fg.log())
          .contains("sink " + sink + " left in its spool by a collector no longer in the config")
          .contains("removed sink " + sink + " delivered all it held");
      assertThat(Files.exists(spoolOf(port))).as("delivered: its spool is deleted").isFalse();
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
    back.stop();
    assertExactly(back, flows, sent);
  }

  @Test
  void aCollectorRemovedWhileStoppedThatStaysDownIsDroppedAndCountedAfterItsTimeout()
      throws Exception {
    int port = Processes.freeUdpPort(); // nothing ever listens there
    String sink = "udp:127.0.0.1:" + port;
    int api = FlowgateProcess.freePort();
    long sent = leaveSpool(api, port, new ArrayList<>());

    Path file = config(api, "removed-collector-timeout: 30s\n");
    try (FlowgateProcess fg = FlowgateProcess.start(file, api, lab.dir().resolve("fg2.log"))) {
      // shown like a retiring sink while its time runs
      JsonNode s = fg.json("/api/v1/status");
      JsonNode retiring = sink(s, sink);
      assertThat(retiring.get("handed").get("packets").asLong()).as("%s", retiring).isEqualTo(sent);
      assertThat(retiring.get("queued").get("packets").asLong()).isEqualTo(sent);
      String dropped =
          "removed sink "
              + sink
              + ": its time to deliver ran out; dropped the "
              + sent
              + " packets of flow records it still held";
      for (int i = 0; i < 4 && sinkOrNull(s, sink) != null; i++) {
        s = fg.awaitStatus(x -> sinkOrNull(x, sink) == null); // 30 s at most a call
      }
      assertThat(sinkOrNull(s, sink)).as("%s", s).isNull();
      assertThat(fg.log()).contains(dropped);
      assertThat(Files.exists(spoolOf(port))).isFalse();
      assertThat(fg.isAlive()).isTrue();
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
  }

  @Test
  void aCollectorConfiguredAgainWhileItsRemovedTwinDeliversTakesItOver() throws Exception {
    int port = Processes.freeUdpPort(); // nfcapd starts there only after the reloads
    String sink = "udp:127.0.0.1:" + port;
    int api = FlowgateProcess.freePort();
    List<TestFlow> flows = new ArrayList<>();
    Path file = config(api, collector(port));
    Nfcapd back;
    long sent;
    try (FlowgateProcess fg = FlowgateProcess.start(file, api, lab.dir().resolve("fg.log"))) {
      sent = send(flows);
      fg.awaitStatus(x -> queued(x, sink) == sent && sink(x, sink).get("sendErrors").asLong() > 0);

      config(api, "removed-collector-timeout: 1h\n");
      fg.hangUp();
      fg.awaitStatus(x -> fg.log().contains("reloaded "));
      assertThat(fg.log()).contains("sink " + sink + " removed: it delivers the " + sent);
      assertThat(queued(fg.json("/api/v1/status"), sink)).isEqualTo(sent); // retiring, shown

      config(api, collector(port));
      fg.hangUp();
      fg.awaitStatus(x -> fg.log().contains("is configured again"));
      assertThat(fg.log())
          .contains("sink " + sink + " is configured again: it stops retiring")
          .doesNotContain("failed part way")
          .doesNotContain("is in use");

      back = lab.closeLater(Nfcapd.start(lab.dir(), port));
      JsonNode s = fg.awaitStatus(x -> delivered(x, sink) == sent);
      assertThat(sink(s, sink).get("handed").get("packets").asLong()).isEqualTo(sent);
      assertThat(sink(s, sink).get("dropped").get("packets").asLong()).isZero();
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
    back.stop();
    assertExactly(back, flows, sent);
  }

  /** nfdump holds every flow once, with every packet, and saw no sequence failure. */
  private static void assertExactly(Nfcapd nfcapd, List<TestFlow> flows, long sent)
      throws Exception {
    Map<String, JsonNode> got = new HashMap<>();
    long packets = 0;
    for (JsonNode r : nfcapd.records()) {
      assertThat(got.put(ExpectedFlows.nfdumpKey(r), r)).as("twice: %s", r).isNull();
      packets += r.get("in_packets").asLong();
    }
    assertThat(got.keySet())
        .containsExactlyInAnyOrderElementsOf(flows.stream().map(ExpectedFlows::key).toList());
    assertThat(packets).isEqualTo(sent);
    assertThat(nfcapd.exporterInfo()).contains("Sequence failures: 0");
  }

  private static long queued(JsonNode status, String name) {
    JsonNode s = sinkOrNull(status, name);
    return s == null ? -1 : s.get("queued").get("packets").asLong();
  }

  private static long delivered(JsonNode status, String name) {
    JsonNode s = sinkOrNull(status, name);
    return s == null ? -1 : s.get("delivered").get("packets").asLong();
  }

  private static JsonNode sink(JsonNode status, String name) {
    JsonNode s = sinkOrNull(status, name);
    if (s == null) {
      throw new AssertionError("no sink " + name + " in " + status);
    }
    return s;
  }

  private static JsonNode sinkOrNull(JsonNode status, String name) {
    JsonNode sinks = status.get("sinks");
    if (sinks != null) {
      for (JsonNode s : sinks) {
        if (s.get("sink").asText().equals(name)) {
          return s;
        }
      }
    }
    return null;
  }
}
