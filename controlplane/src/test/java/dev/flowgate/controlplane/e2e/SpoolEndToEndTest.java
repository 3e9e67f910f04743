package dev.flowgate.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.controlplane.testing.FlowgateProcess;
import dev.flowgate.exporters.testing.ExpectedFlows;
import dev.flowgate.exporters.testing.Nfcapd;
import dev.flowgate.exporters.testing.Processes;
import dev.flowgate.exporters.testing.TestFlow;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
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
 * Each collector's spool end to end (issue 13): a UDP collector that is down while known traffic
 * expires keeps its records queued in its spool while the live collector and the Arrow files get
 * everything; after a kill -9 of flowgate, the collector's start and flowgate's restart, nfdump
 * holds every flow exactly. A spool directory on a full disk counts its records dropped, says why
 * in the log, and flowgate runs on.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(300)
class SpoolEndToEndTest {
  @RegisterExtension final LabExtension lab = new LabExtension();

  /** Known traffic mixes (13 flows each, IPv4, IPv6, VLAN). */
  private static final int MIXES = 5;

  private Path config(int api, Path arrowDir, int... collectors) throws Exception {
    StringBuilder ipfix = new StringBuilder();
    for (int port : collectors) {
      ipfix.append(
          ("    - collector: 127.0.0.1:%d\n      protocol: ipfix\n"
                  + "      sequence-counts-options: false\n")
              .formatted(port));
    }
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
                ipfix.toString().stripTrailing(),
                api);
    Path file = lab.dir().resolve("flowgate.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private List<byte[]> frames(List<TestFlow> flows, long[] packets) {
    List<byte[]> frames = new ArrayList<>();
    for (int net = 0; net < MIXES; net++) {
      KnownTraffic t = KnownTraffic.mix(lab.veth().b(), lab.veth().a(), net);
      frames.addAll(t.frames());
      flows.addAll(t.flows());
      packets[0] += t.packets();
    }
    return frames;
  }

  @Test
  void aCollectorDownThroughAKillGetsEveryFlowAfterTheRestart() throws Exception {
    Nfcapd live = lab.closeLater(Nfcapd.start(lab.dir(), Processes.freeUdpPort()));
    int downPort = Processes.freeUdpPort(); // nfcapd starts there only after the kill
    String downSink = "udp:127.0.0.1:" + downPort;
    String liveSink = "udp:127.0.0.1:" + live.port();
    Path arrowDir = lab.dir().resolve("flows");
    List<TestFlow> flows = new ArrayList<>();
    long[] count = new long[1];
    List<byte[]> frames = frames(flows, count);
    long sent = count[0];
    int api = FlowgateProcess.freePort();
    Path file = config(api, arrowDir, live.port(), downPort);

    try (FlowgateProcess fg = FlowgateProcess.start(file, api, lab.dir().resolve("fg1.log"))) {
      FrameSender.send(lab.veth().b(), frames);
      // the live collector and the Arrow files get everything while the other one is down
      JsonNode s =
          fg.awaitStatus(
              x ->
                  CollectorEndToEndTest.sum(x, "exported") == sent
                      && CollectorEndToEndTest.sum(x, "inCache") == 0
                      && delivered(x, liveSink) == sent
                      && delivered(x, "arrow") == sent
                      && sink(x, downSink).get("sendErrors").asLong() > 0);
      JsonNode down = sink(s, downSink);
      assertThat(down.get("queued").get("packets").asLong()).as("%s", down).isEqualTo(sent);
      assertThat(down.get("failed").get("packets").asLong()).isZero();
      assertThat(down.get("dropped").get("packets").asLong()).isZero();
      assertThat(fg.log()).contains("sink " + downSink + ": cannot reach the collector");
    } // close(): SIGKILL

    Nfcapd back = lab.closeLater(Nfcapd.start(lab.dir(), downPort));
    try (FlowgateProcess fg = FlowgateProcess.start(file, api, lab.dir().resolve("fg2.log"))) {
      JsonNode s = fg.awaitStatus(x -> delivered(x, downSink) == sent);
      JsonNode resumed = sink(s, downSink);
      assertThat(resumed.get("handed").get("packets").asLong()).isEqualTo(sent);
      // nothing reached the collector before the kill: whatever is in doubt arrives once
      long inDoubt = resumed.get("inDoubt").get("packets").asLong();
      assertThat(inDoubt).isBetween(0L, sent);
      assertThat(sink(s, liveSink).get("handed").get("packets").asLong()).as(fg.log()).isZero();
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
    back.stop();
    live.stop();
    // both collectors hold exactly the sent flows, once each, with the same counts
    Map<String, JsonNode> resumedFlows = byKey(back.records());
    Map<String, JsonNode> liveFlows = byKey(live.records());
    assertThat(resumedFlows.keySet())
        .containsExactlyInAnyOrderElementsOf(flows.stream().map(ExpectedFlows::key).toList());
    assertThat(liveFlows.keySet()).isEqualTo(resumedFlows.keySet());
    long packets = 0;
    for (var e : resumedFlows.entrySet()) {
      JsonNode l = liveFlows.get(e.getKey());
      assertThat(e.getValue().get("in_packets").asLong()).isEqualTo(l.get("in_packets").asLong());
      assertThat(e.getValue().get("in_bytes").asLong()).isEqualTo(l.get("in_bytes").asLong());
      packets += e.getValue().get("in_packets").asLong();
    }
    assertThat(packets).isEqualTo(sent);
    assertThat(back.exporterInfo()).contains("Sequence failures: 0");
  }

  /**
   * Issue 13's burst: 1,000,000 packets, each a new flow, reach the lab interface; the flows expire
   * together at one sweep and go to nfcapd on loopback: nfdump reads every flow and every packet
   * flowgate exported, with no sequence error.
   */
  @Test
  @Timeout(900)
  void aMillionFlowsExpiringTogetherReachAHealthyNfcapdWhole() throws Exception {
    int flows = 1_000_000;
    List<byte[]> frames = new ArrayList<>(flows);
    long bytes = 0;
    var srcMac = lab.veth().b().mac();
    var dstMac = lab.veth().a().mac();
    for (int i = 0; i < flows; i++) {
      var f =
          Frames.ipv4(
                  "10." + ((i >> 16) & 0xFF) + "." + ((i >> 8) & 0xFF) + "." + (i & 0xFF),
                  "192.0.2.9")
              .macs(srcMac, dstMac)
              .udp(5000, 53)
              .payload(18)
              .build();
      frames.add(f.bytes());
      bytes += f.ipLength();
    }
    long sent = flows;
    Nfcapd nfcapd = lab.closeLater(Nfcapd.start(lab.dir(), Processes.freeUdpPort()));
    String sink = "udp:127.0.0.1:" + nfcapd.port();
    int api = FlowgateProcess.freePort();
    String yaml =
        """
        interfaces:
          - name: %s
            mode: xdp
            direction: ingress
        flows:
          max-flows: 1048576
          sweep-interval: 1s
          idle-timeout: 5s
          active-timeout: 600s
        dataplane:
          pin-path: %s
        state-directory: %s
        export:
          ipfix:
            - collector: 127.0.0.1:%d
              protocol: ipfix
              sequence-counts-options: false
        api:
          listen: 127.0.0.1:%d
        """
            .formatted(
                lab.veth().a().name(),
                lab.pinDir(),
                lab.dir().resolve("state"),
                nfcapd.port(),
                api);
    Path file = lab.dir().resolve("flowgate.yaml");
    Files.writeString(file, yaml);
    try (FlowgateProcess fg = FlowgateProcess.start(file, api, lab.dir().resolve("fg.log"))) {
      FrameSender.send(lab.veth().b(), frames);
      frames.clear();
      JsonNode s =
          fg.awaitStatus(
              x ->
                  CollectorEndToEndTest.sum(x, "kernel") == sent
                      && CollectorEndToEndTest.sum(x, "exported") == sent
                      && CollectorEndToEndTest.sum(x, "inCache") == 0
                      && delivered(x, sink) == sent);
      JsonNode out = sink(s, sink);
      assertThat(out.get("dropped").get("packets").asLong()).as("%s", out).isZero();
      assertThat(out.get("failed").get("packets").asLong()).isZero();
      assertThat(out.get("delivered").get("bytes").asLong()).isEqualTo(bytes);
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
    nfcapd.stop();
    long[] got = {0, 0, 0};
    for (Path f : nfcapd.files()) {
      var m =
          java.util.regex.Pattern.compile(
                  "Flows:\\s*(\\d+).*?Packets:\\s*(\\d+).*?Bytes:\\s*(\\d+)",
                  java.util.regex.Pattern.DOTALL)
              .matcher(Processes.run(List.of("nfdump", "-I", "-r", f.toString())));
      assertThat(m.find()).isTrue();
      for (int i = 0; i < 3; i++) {
        got[i] += Long.parseLong(m.group(i + 1));
      }
    }
    assertThat(got).as(nfcapd.log()).containsExactly(flows, sent, bytes);
    assertThat(nfcapd.log()).contains("Sequence Errors: 0");
    assertThat(nfcapd.exporterInfo()).contains("Sequence failures: 0");
  }

  @Test
  void aFullDiskUnderTheSpoolCountsDroppedLogsWhyAndFlowgateRunsOn() throws Exception {
    Path spool = Files.createDirectories(lab.dir().resolve("state").resolve("spool"));
    Processes.run(
        List.of("mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", spool.toString()));
    try {
      fullDisk(spool);
    } finally {
      umount(spool);
    }
  }

  private void fullDisk(Path spool) throws Exception {
    int downPort = Processes.freeUdpPort(); // nothing listens: every record stays in the spool
    String downSink = "udp:127.0.0.1:" + downPort;
    Path arrowDir = lab.dir().resolve("flows");
    List<TestFlow> flows = new ArrayList<>();
    long[] count = new long[1];
    List<byte[]> frames = frames(flows, count);
    long sent = count[0];
    int api = FlowgateProcess.freePort();
    Path file = config(api, arrowDir, downPort);
    // fill the tmpfs first, so no frame of the spool finds room
    try (var out = Files.newOutputStream(spool.resolve("filler"))) {
      byte[] page = new byte[4096];
      while (true) {
        out.write(page);
        out.flush();
      }
    } catch (java.io.IOException full) {
      // No space left on device: full
    }
    try (FlowgateProcess fg = FlowgateProcess.start(file, api, lab.dir().resolve("fg.log"))) {
      FrameSender.send(lab.veth().b(), frames);
      JsonNode s =
          fg.awaitStatus(
              x ->
                  CollectorEndToEndTest.sum(x, "exported") == sent
                      && CollectorEndToEndTest.sum(x, "inCache") == 0
                      && sink(x, downSink).get("dropped").get("packets").asLong()
                              + sink(x, downSink).get("queued").get("packets").asLong()
                          == sent);
      JsonNode down = sink(s, downSink);
      assertThat(down.get("dropped").get("packets").asLong()).as("%s", down).isEqualTo(sent);
      assertThat(down.get("lastError").asText()).contains("spool write failed");
      JsonNode arrow = sink(s, "arrow"); // the other sink is not affected
      assertThat(arrow.get("handed").get("packets").asLong()).isEqualTo(sent);
      assertThat(arrow.get("dropped").get("packets").asLong()).isZero();
      assertThat(arrow.get("failed").get("packets").asLong()).isZero();
      assertThat(fg.log()).contains("cannot write").contains("No space left on device");
      assertThat(fg.isAlive()).isTrue();
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
  }

  /** nfdump records by flow key; a key seen twice fails (a record delivered twice). */
  private static Map<String, JsonNode> byKey(List<JsonNode> records) {
    Map<String, JsonNode> out = new HashMap<>();
    for (JsonNode r : records) {
      assertThat(out.put(ExpectedFlows.nfdumpKey(r), r)).as("twice: %s", r).isNull();
    }
    return out;
  }

  private static void umount(Path p) {
    try {
      Processes.run(List.of("umount", p.toString()));
    } catch (Exception e) {
      throw new IllegalStateException("umount " + p, e);
    }
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
