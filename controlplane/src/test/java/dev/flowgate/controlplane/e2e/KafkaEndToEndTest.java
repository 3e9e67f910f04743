package dev.flowgate.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.controlplane.testing.FlowgateProcess;
import dev.flowgate.exporters.testing.KafkaBroker;
import dev.flowgate.exporters.testing.KafkaFlows;
import dev.flowgate.exporters.testing.TestFlow;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Lab;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Known traffic on a veth lab through a real flowgate process into a real single-node KRaft broker
 * (in the test JVM), read back by a consumer: the flows decoded from the protobuf topic with
 * goflow2's generated classes, and the rows of the Arrow topic, equal the flows sent, packet for
 * packet; both Kafka sinks show every packet delivered (acknowledged by the broker) in {@code
 * /api/v1/status} and in the metrics.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(240)
class KafkaEndToEndTest {

  private static final int MIXES = 3;
  private static final Duration QUIET = Duration.ofSeconds(10);

  private Lab lab;
  private VethPair veth;
  private Path dir;
  private KafkaBroker broker;
  private BufferAllocator allocator;

  @BeforeEach
  void lab() throws Exception {
    lab = Lab.open();
    veth = lab.quietVeth(Netns.HOST, lab.netns());
    dir = lab.tempDir();
    broker = KafkaBroker.start();
    allocator = new RootAllocator();
  }

  @AfterEach
  void cleanup() {
    allocator.close();
    broker.close();
    lab.close();
  }

  @Test
  void everyPacketReachesTheTopicsInProtobufAndArrow() throws Exception {
    broker.createTopic("flows-pb", 3);
    broker.createTopic("flows-arrow", 1);
    List<byte[]> frames = new ArrayList<>();
    List<TestFlow> flows = new ArrayList<>();
    for (int net = 0; net < MIXES; net++) {
      KnownTraffic t = KnownTraffic.mix(veth.b(), veth.a(), net);
      frames.addAll(t.frames());
      flows.addAll(t.flows());
    }
    long sent = flows.stream().mapToLong(TestFlow::packets).sum();
    String pbSink = "kafka:flows-pb@" + broker.bootstrapServers();
    String arrowSink = "kafka:flows-arrow@" + broker.bootstrapServers();

    int api = FlowgateProcess.freePort();
    JsonNode status;
    String metrics;
    try (FlowgateProcess fg = FlowgateProcess.start(config(api), api, dir.resolve("fg.log"))) {
      FrameSender.send(veth.b(), frames);
      status =
          fg.awaitStatus(
              s ->
                  CollectorEndToEndTest.sum(s, "exported") == sent
                      && CollectorEndToEndTest.sum(s, "inCache") == 0
                      && delivered(s, pbSink) == sent
                      && delivered(s, arrowSink) == sent);
      metrics = fg.get("/metrics").body();
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
    assertThat(CollectorEndToEndTest.sum(status, "kernel")).as("%s", status).isEqualTo(sent);
    assertThat(CollectorEndToEndTest.sum(status, "unaccounted")).isZero();
    assertThat(metrics)
        .contains(
            "flowgate_sink_packets_total{outcome=\"delivered\",sink=\"" + pbSink + "\"} " + sent);

    List<TestFlow> expectedPb =
        flows.stream().map(f -> KafkaFlows.canonical(f, false)).toList();
    List<TestFlow> fromPb =
        KafkaFlows.messages(broker.read("flows-pb", Long.MAX_VALUE, QUIET)).stream()
            .map(m -> KafkaFlows.flow(m).withTimes(0, 0))
            .toList();
    assertThat(fromPb).containsExactlyInAnyOrderElementsOf(expectedPb);

    List<TestFlow> expectedArrow = flows.stream().map(f -> KafkaFlows.canonical(f, true)).toList();
    List<TestFlow> fromArrow =
        KafkaFlows.arrowRows(broker.read("flows-arrow", Long.MAX_VALUE, QUIET), allocator).stream()
            .map(f -> f.withTimes(0, 0))
            .toList();
    assertThat(fromArrow).containsExactlyInAnyOrderElementsOf(expectedArrow);
  }

  @Test
  void anUnreachableBootstrapServerLeavesFlowgateRunningAndTheSinkSaysSo() throws Exception {
    int closed = FlowgateProcess.freePort(); // bound and closed: nothing listens
    String nowhere = "127.0.0.1:" + closed;
    KnownTraffic t = KnownTraffic.mix(veth.b(), veth.a(), 0);
    long sent = t.packets();
    String sink = "kafka:flows-pb@" + nowhere;
    int api = FlowgateProcess.freePort();
    Path config = config(api, nowhere, nowhere);
    try (FlowgateProcess fg = FlowgateProcess.start(config, api, dir.resolve("fg.log"))) {
      FrameSender.send(veth.b(), t.frames());
      JsonNode status =
          fg.awaitStatus(
              s ->
                  CollectorEndToEndTest.sum(s, "exported") == sent
                      && fg.log().contains("kafka sink " + sink + ": not delivered yet"));
      JsonNode pb = sinkStatus(status, sink);
      assertThat(pb.get("queued").get("packets").asLong()).as("%s", pb).isEqualTo(sent);
      assertThat(pb.get("delivered").get("packets").asLong()).isZero();
      assertThat(pb.get("sendErrors").asLong()).as("%s", pb).isPositive();
      assertThat(pb.get("lastError").asText()).contains("not present in metadata");
      assertThat(fg.log()).contains("not present in metadata");
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
  }

  private static JsonNode sinkStatus(JsonNode status, String sink) {
    for (JsonNode s : status.get("sinks")) {
      if (s.get("sink").asText().equals(sink)) {
        return s;
      }
    }
    throw new AssertionError("no sink " + sink + " in " + status);
  }

  private static long delivered(JsonNode status, String sink) {
    JsonNode sinks = status.get("sinks");
    if (sinks == null) {
      return -1;
    }
    for (JsonNode s : sinks) {
      if (s.get("sink").asText().equals(sink)) {
        return s.get("delivered").get("packets").asLong();
      }
    }
    return -1;
  }

  private Path config(int api) throws Exception {
    return config(api, broker.bootstrapServers(), broker.bootstrapServers());
  }

  private Path config(int api, String pbServers, String arrowServers) throws Exception {
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
          kafka:
            - bootstrap-servers: [%s]
              topic: flows-pb
              format: protobuf
            - bootstrap-servers: [%s]
              topic: flows-arrow
              format: arrow
              compression: zstd
        api:
          listen: 127.0.0.1:%d
        """
            .formatted(
                veth.a().name(),
                lab.pinDir(),
                dir.resolve("state"),
                pbServers,
                arrowServers,
                api);
    Path file = dir.resolve("flowgate.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
