package dev.flowgate.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.controlplane.testing.FlowgateProcess;
import dev.flowgate.exporters.testing.Nfcapd;
import dev.flowgate.exporters.testing.Processes;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Lab;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exact means delivered: the flowgate process exports known traffic to nfcapd on loopback, to a UDP
 * port where nothing listens, and to Arrow files on a tmpfs too small for them. Once every flow
 * expired, each sink's outcomes add up to what it was handed (the accounting's exported, which
 * equals what the kernel counted); nfcapd's delivered packets equal the kernel's count and what
 * nfdump reads; the dead collector keeps its records queued in its spool and counts its send errors
 * (issue 13); the full directory shows failed rows; the log names each failing sink.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(180)
class SinkOutcomesEndToEndTest {

  /** Traffic mixes (13 flows each, IPv4, IPv6, VLAN): enough rows to overflow the tmpfs. */
  private static final int MIXES = 60;

  private Lab lab;
  private VethPair veth;
  private Path dir;
  private Path arrowDir;
  private Nfcapd nfcapd;

  @BeforeEach
  void lab() {
    lab = Lab.open();
    veth = lab.quietVeth(Netns.HOST, lab.netns());
    dir = lab.tempDir();
  }

  @AfterEach
  void cleanup() throws Exception {
    if (nfcapd != null) {
      nfcapd.close();
    }
    if (arrowDir != null) {
      Processes.run(List.of("umount", arrowDir.toString()));
    }
    lab.close();
  }

  @Test
  void eachSinkAccountsForWhatItWasHanded() throws Exception {
    nfcapd = Nfcapd.start(dir, Processes.freeUdpPort());
    int dead = Processes.freeUdpPort(); // bound and closed: nothing listens
    arrowDir = Files.createDirectory(dir.resolve("flows"));
    Processes.run(
        List.of("mount", "-t", "tmpfs", "-o", "size=32k,mode=0755", "tmpfs", arrowDir.toString()));

    List<byte[]> frames = new ArrayList<>();
    long packets = 0;
    for (int net = 0; net < MIXES; net++) {
      KnownTraffic t = KnownTraffic.mix(veth.b(), veth.a(), net);
      frames.addAll(t.frames());
      packets += t.packets();
    }
    long sent = packets;

    int api = FlowgateProcess.freePort();
    String nfcapdSink = "udp:127.0.0.1:" + nfcapd.port();
    String deadSink = "udp:127.0.0.1:" + dead;
    JsonNode status;
    String log;
    try (FlowgateProcess fg =
        FlowgateProcess.start(config(api, dead), api, dir.resolve("fg.log"))) {
      FrameSender.send(veth.b(), frames);
      status =
          fg.awaitStatus(
              s ->
                  CollectorEndToEndTest.sum(s, "kernel") == sent
                      && CollectorEndToEndTest.sum(s, "exported") == sent
                      && CollectorEndToEndTest.sum(s, "inCache") == 0
                      && allSinks(
                          s,
                          k ->
                              k.get("sink").asText().equals(deadSink)
                                  ? k.get("sendErrors").asLong() > 0
                                  : k.get("queued").get("packets").asLong() == 0));
      assertThat(CollectorEndToEndTest.sum(status, "kernel")).as("%s", status).isEqualTo(sent);
      assertThat(CollectorEndToEndTest.sum(status, "exported")).isEqualTo(sent);
      assertThat(CollectorEndToEndTest.sum(status, "unaccounted")).isZero();
      assertThat(fg.stop()).as(fg.log()).isZero();
      log = fg.log();
    }

    assertThat(status.get("sinks")).hasSize(3);
    for (JsonNode s : status.get("sinks")) {
      assertThat(s.get("handed").get("packets").asLong()).as("%s", s).isEqualTo(sent);
      for (String unit : List.of("packets", "bytes")) {
        assertThat(
                s.get("delivered").get(unit).asLong()
                    + s.get("dropped").get(unit).asLong()
                    + s.get("failed").get(unit).asLong()
                    + s.get("queued").get(unit).asLong())
            .as("%s adds up in %s", s, unit)
            .isEqualTo(s.get("handed").get(unit).asLong());
      }
    }

    JsonNode live = sink(status, nfcapdSink);
    nfcapd.stop();
    long read = nfcapd.records().stream().mapToLong(r -> r.get("in_packets").asLong()).sum();
    assertThat(live.get("delivered").get("packets").asLong())
        .as("%s", live)
        .isEqualTo(sent)
        .isEqualTo(read);

    // the dead collector's records wait in its spool: queued, not failed, its send errors counted
    JsonNode down = sink(status, deadSink);
    assertThat(down.get("queued").get("packets").asLong()).as("%s", down).isEqualTo(sent);
    assertThat(down.get("failed").get("packets").asLong()).as("%s", down).isZero();
    assertThat(down.get("sendErrors").asLong()).as("%s", down).isPositive();
    assertThat(down.get("lastError").asText()).contains("PortUnreachable");

    JsonNode files = sink(status, "arrow");
    assertThat(
            files.get("failed").get("packets").asLong()
                + files.get("dropped").get("packets").asLong())
        .as("%s", files)
        .isPositive();

    assertThat(log)
        .contains("sink " + deadSink + ": cannot reach the collector")
        .contains("sink arrow: first loss");
    assertThat(log).doesNotContain("sink " + nfcapdSink);
  }

  private static JsonNode sink(JsonNode status, String name) {
    for (JsonNode s : status.get("sinks")) {
      if (s.get("sink").asText().equals(name)) {
        return s;
      }
    }
    throw new AssertionError("no sink " + name + " in " + status);
  }

  private static boolean allSinks(JsonNode status, java.util.function.Predicate<JsonNode> test) {
    JsonNode sinks = status.get("sinks");
    if (sinks == null || sinks.isEmpty()) {
      return false;
    }
    for (JsonNode s : sinks) {
      if (!test.test(s)) {
        return false;
      }
    }
    return true;
  }

  private Path config(int api, int dead) throws Exception {
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
            - collector: 127.0.0.1:%d
              protocol: ipfix
            - collector: 127.0.0.1:%d
              protocol: ipfix
        api:
          listen: 127.0.0.1:%d
        """
            .formatted(
                veth.a().name(),
                lab.pinDir(),
                dir.resolve("state"),
                arrowDir,
                nfcapd.port(),
                dead,
                api);
    Path file = dir.resolve("flowgate.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
