package dev.flowgate.controlplane.e2e;

import dev.flowgate.controlplane.testing.FlowgateProcess;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.controlplane.cli.Main;
import dev.flowgate.exporters.testing.Nfcapd;
import dev.flowgate.exporters.testing.Processes;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.Lab;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGHUP on a running flowgate process applies every key that can change live, names the ones that
 * need a restart, and refuses a bad file whole. One process goes through: a collector's port
 * changed mid-stream (records before the reload at the old collector, after it at the new one, none
 * lost), the token rotated (the old one refused), the timeouts lengthened (a flow the old idle
 * timeout would have ended stays cached), metrics turned off, max-flows changed (reported as
 * restartRequired and in the log), then a bad file (refused, the running config stays, and {@code
 * check-config} exits 2 on it).
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(300)
class ReloadEndToEndTest {
  private static final String TOKEN = "reload-token-0123456789";
  private static final String ROTATED = "rotated-token-9876543210";

  private Lab lab;
  private VethPair veth;
  private Path dir;
  private Path pins;
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @BeforeEach
  void lab() {
    lab = Lab.open();
    veth = lab.quietVeth(Netns.HOST, lab.netns());
    dir = lab.tempDir();
    pins = lab.pinDir();
  }

  @AfterEach
  void cleanup() {
    for (AutoCloseable c : cleanup) {
      try {
        c.close();
      } catch (Exception e) {
        // the lab goes on closing
      }
    }
    lab.close();
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    cleanup.add(0, c);
    return c;
  }

  private Path write(String name, String content) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private String config(
      int api, int collector, int maxFlows, String idle, String active, boolean metrics) {
    return """
        interfaces:
          - {name: %s, mode: xdp, direction: ingress, sampling: 0}
        flows: {max-flows: %d, sweep-interval: 200ms, idle-timeout: %s, active-timeout: %s}
        dataplane: {pin-path: %s, keep-attached: false}
        state-directory: %s
        export:
          ipfix:
            - {collector: "127.0.0.1:%d", protocol: ipfix, transport: udp,
               sequence-counts-options: false}
        api: {listen: "127.0.0.1:%d", token-file: %s}
        metrics: {enabled: %s}
        """
        .formatted(
            veth.a().name(),
            maxFlows,
            idle,
            active,
            pins,
            dir.resolve("state"),
            collector,
            api,
            dir.resolve("token"),
            metrics);
  }

  private static long sum(JsonNode status, String term) {
    long n = 0;
    for (JsonNode row : status.get("accounting")) {
      n += row.get(term).get("packets").asLong();
    }
    return n;
  }

  private static JsonNode exporter(JsonNode status) {
    return status.get("exporters").get(0);
  }

  @Test
  void reloadAppliesLiveKeysReportsRestartKeysAndRefusesABadFile() throws Exception {
    Nfcapd before = closeLater(Nfcapd.start(dir, Processes.freeUdpPort()));
    Nfcapd after = closeLater(Nfcapd.start(dir, Processes.freeUdpPort()));
    int api = FlowgateProcess.freePort();
    write("token", TOKEN + "\n");
    Path config = write("flowgate.yaml", config(api, before.port(), 4096, "2s", "60s", true));
    KnownTraffic first = KnownTraffic.connections(veth.b(), veth.a(), 1);
    KnownTraffic second = KnownTraffic.connections(veth.b(), veth.a(), 2);
    try (FlowgateProcess fg = FlowgateProcess.start(config, api, dir.resolve("fg.log"))) {
      FrameSender.send(veth.b(), first.frames());
      JsonNode s =
          fg.awaitStatus(
              x ->
                  sum(x, "exported") == first.packets()
                      && exporter(x).get("queueDepth").asInt() == 0
                      && exporter(x).get("recordsSent").asLong() == first.flows().size());
      assertThat(exporter(s).get("recordsSent").asLong()).as(fg.log()).isEqualTo(3);
      assertThat(s.get("restartRequired")).isEmpty();
      assertThat(fg.get("/metrics").statusCode()).isEqualTo(200);

      // the collector's port, the token, the timeouts, metrics and max-flows change
      write("token", ROTATED + "\n");
      write("flowgate.yaml", config(api, after.port(), 8192, "1h", "2h", false));
      fg.hangUp();
      s = fg.awaitStatus(x -> x.get("restartRequired").size() > 0);
      assertThat(s.get("restartRequired").toString()).isEqualTo("[\"flows.max-flows\"]");
      assertThat(exporter(s).get("collector").asText()).endsWith(":" + after.port());
      assertThat(fg.log()).contains("keep their running value until a restart: flows.max-flows");
      assertThat(fg.get("/metrics").statusCode()).as("metrics.enabled: false").isEqualTo(404);
      assertThat(fg.send("POST", "/api/v1/flush", null, TOKEN).statusCode())
          .as("the token before rotation")
          .isEqualTo(403);
      assertThat(fg.send("POST", "/api/v1/flush", null, ROTATED).statusCode()).isEqualTo(200);

      FrameSender.send(veth.b(), second.frames());
      // a flow without FIN: the old idle timeout (2 s) would end it within ten sweeps
      FrameSender.send(
          veth.b(),
          List.of(
              Frames.ipv4("10.200.0.1", "10.200.0.2")
                  .macs(veth.b().mac(), veth.a().mac())
                  .udp(5353, 53)
                  .payload(30)
                  .build()
                  .bytes()));
      long kernel = first.packets() + second.packets() + 1;
      s =
          fg.awaitStatus(
              x ->
                  sum(x, "kernel") == kernel
                      && exporter(x).get("recordsSent").asLong() == second.flows().size()
                      && exporter(x).get("queueDepth").asInt() == 0);
      long sweeps = s.get("sweeps").asLong();
      s = fg.awaitStatus(x -> x.get("sweeps").asLong() >= sweeps + 20); // 4 s at 200 ms
      assertThat(sum(s, "inCache")).as("idle-timeout 1h by reload: still cached").isEqualTo(1);

      // a bad file: refused whole, the running config stays; check-config exits 2 on it
      write("flowgate.yaml", config(api, before.port(), 4096, "2s", "60s", true) + "bogus: 1\n");
      StringWriter err = new StringWriter();
      assertThat(
              Main.execute(
                  new PrintWriter(new StringWriter()),
                  new PrintWriter(err),
                  "check-config",
                  config.toString()))
          .isEqualTo(2);
      assertThat(err.toString()).contains("bogus");
      fg.hangUp();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!fg.log().contains("reload refused") && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(fg.log()).contains("reload refused, the running config stays").contains("bogus");
      s = fg.json("/api/v1/status");
      assertThat(exporter(s).get("collector").asText()).endsWith(":" + after.port());
      assertThat(s.get("restartRequired").toString()).isEqualTo("[\"flows.max-flows\"]");
      assertThat(fg.get("/metrics").statusCode()).isEqualTo(404);
      assertThat(fg.stop()).isZero();
    }
    before.stop();
    after.stop();
    // none lost: the first connections at the old collector, the rest (and the stop's) at the new
    assertThat(before.records()).hasSize(first.flows().size());
    assertThat(after.records()).hasSize(second.flows().size() + 1);
    long packets = 0;
    for (Nfcapd c : List.of(before, after)) {
      for (JsonNode r : c.records()) {
        packets += r.get("in_packets").asLong();
      }
    }
    assertThat(packets).isEqualTo(first.packets() + second.packets() + 1);
  }
}
