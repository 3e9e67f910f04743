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

  /**
   * The broker stops while flows are exported and starts again: what waited in the sink's spool
   * through the outage reaches the topic; every flow is there, and the flows read twice are at most
   * the sink's in-doubt packets.
   */
  @Test
  void aBrokerStoppedMidStreamAndRestartedLosesNothing() throws Exception {
    broker.createTopic("flows-pb", 2);
    String sink = "kafka:flows-pb@" + broker.bootstrapServers();
    KnownTraffic before = KnownTraffic.mix(veth.b(), veth.a(), 0);
    KnownTraffic during = KnownTraffic.mix(veth.b(), veth.a(), 1);
    long sent = before.packets() + during.packets();
    int api = FlowgateProcess.freePort();
    JsonNode status;
    try (FlowgateProcess fg =
        FlowgateProcess.start(protobufOnly(api), api, dir.resolve("fg.log"))) {
      FrameSender.send(veth.b(), before.frames());
      fg.awaitStatus(s -> delivered(s, sink) == before.packets());
      broker.stop();
      FrameSender.send(veth.b(), during.frames());
      JsonNode down =
          fg.awaitStatus(
              s ->
                  CollectorEndToEndTest.sum(s, "exported") == sent
                      && sinkStatus(s, sink).get("sendErrors").asLong() > 0);
      JsonNode held = sinkStatus(down, sink);
      assertThat(held.get("queued").get("packets").asLong()).as("%s", held)
          .isEqualTo(during.packets());
      broker.restart();
      status = fg.awaitStatus(s -> delivered(s, sink) == sent);
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
    JsonNode pb = sinkStatus(status, sink);
    assertThat(pb.get("failed").get("packets").asLong()).as("%s", pb).isZero();
    assertThat(pb.get("dropped").get("packets").asLong()).isZero();
    List<TestFlow> expected = new ArrayList<>(before.flows());
    expected.addAll(during.flows());
    assertArrivedWithDuplicatesAtMost(expected, pb.get("inDoubt").get("packets").asLong());
  }

  /**
   * kill -9 of flowgate while the broker is down, then the broker and flowgate start again: the
   * sink resumes its spool and every flow reaches the topic; the flows read twice are at most the
   * packets both runs counted in doubt.
   */
  @Test
  void aKillDuringABrokerOutageThenBothRestartedDeliversEverything() throws Exception {
    broker.createTopic("flows-pb", 2);
    String sink = "kafka:flows-pb@" + broker.bootstrapServers();
    KnownTraffic before = KnownTraffic.mix(veth.b(), veth.a(), 0);
    List<byte[]> frames = new ArrayList<>();
    List<TestFlow> held = new ArrayList<>();
    for (int net = 1; net < MIXES; net++) {
      KnownTraffic t = KnownTraffic.mix(veth.b(), veth.a(), net);
      frames.addAll(t.frames());
      held.addAll(t.flows());
    }
    long heldPackets = held.stream().mapToLong(TestFlow::packets).sum();
    long sent = before.packets() + heldPackets;
    int api = FlowgateProcess.freePort();
    Path config = protobufOnly(api);
    long inDoubtBefore;
    try (FlowgateProcess fg = FlowgateProcess.start(config, api, dir.resolve("fg1.log"))) {
      FrameSender.send(veth.b(), before.frames());
      fg.awaitStatus(s -> delivered(s, sink) == before.packets());
      broker.stop();
      FrameSender.send(veth.b(), frames);
      JsonNode down =
          fg.awaitStatus(
              s ->
                  CollectorEndToEndTest.sum(s, "exported") == sent
                      && CollectorEndToEndTest.sum(s, "inCache") == 0
                      && sinkStatus(s, sink).get("sendErrors").asLong() > 0);
      JsonNode pb = sinkStatus(down, sink);
      assertThat(pb.get("queued").get("packets").asLong()).as("%s", pb).isEqualTo(heldPackets);
      inDoubtBefore = pb.get("inDoubt").get("packets").asLong();
    } // close(): SIGKILL

    broker.restart();
    JsonNode status;
    try (FlowgateProcess fg = FlowgateProcess.start(config, api, dir.resolve("fg2.log"))) {
      status = fg.awaitStatus(s -> delivered(s, sink) == heldPackets);
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
    JsonNode pb = sinkStatus(status, sink);
    assertThat(pb.get("handed").get("packets").asLong()).as("%s", pb).isEqualTo(heldPackets);
    assertThat(pb.get("failed").get("packets").asLong()).isZero();
    assertThat(pb.get("dropped").get("packets").asLong()).isZero();
    long inDoubt = inDoubtBefore + pb.get("inDoubt").get("packets").asLong();
    List<TestFlow> expected = new ArrayList<>(before.flows());
    expected.addAll(held);
    assertArrivedWithDuplicatesAtMost(expected, inDoubt);
  }

  /**
   * Every flow of {@code expected} is in the protobuf topic; the packets of the flows read more
   * than once are at most {@code inDoubtPackets}.
   */
  private void assertArrivedWithDuplicatesAtMost(List<TestFlow> expected, long inDoubtPackets) {
    List<TestFlow> got =
        KafkaFlows.messages(broker.read("flows-pb", Long.MAX_VALUE, QUIET)).stream()
            .map(m -> KafkaFlows.flow(m).withTimes(0, 0))
            .toList();
    List<TestFlow> want = expected.stream().map(f -> KafkaFlows.canonical(f, false)).toList();
    assertThat(new java.util.HashSet<>(got)).containsExactlyInAnyOrderElementsOf(want);
    long twice =
        got.stream().mapToLong(TestFlow::packets).sum()
            - want.stream().mapToLong(TestFlow::packets).sum();
    assertThat(twice).as("packets read twice").isBetween(0L, inDoubtPackets);
  }

  private Path protobufOnly(int api) throws Exception {
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
              delivery-timeout: 2s
        api:
          listen: 127.0.0.1:%d
        """
            .formatted(
                veth.a().name(), lab.pinDir(), dir.resolve("state"), broker.bootstrapServers(), api);
    Path file = dir.resolve("flowgate-pb.yaml");
    Files.writeString(file, yaml);
    return file;
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
