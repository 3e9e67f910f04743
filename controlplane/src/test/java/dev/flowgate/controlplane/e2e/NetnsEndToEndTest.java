package dev.flowgate.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.controlplane.testing.FlowgateProcess;
import dev.flowgate.exporters.testing.TestFlow;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Lab;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * flowgate started inside a network namespace with {@code nsenter --net} sees that namespace's
 * interfaces (rtnetlink), not the host's: it attaches to the namespace's interface and exports a
 * known traffic mix exactly; an entry naming no interface of the namespace (a made-up name, and a
 * name that exists only in the host namespace) is logged and shown as absent; a veth plugged in
 * later under the absent name is attached.
 *
 * <p>Shape: namespace X runs flowgate; Y sends the traffic over the veth Y-X; a management veth
 * host-X carries the API.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(300)
class NetnsEndToEndTest {
  private static final String TOKEN = "netns-e2e-token-0123456789abcdef";
  private Lab lab;
  private Path dir;

  @BeforeEach
  void lab() {
    lab = Lab.open();
    dir = lab.tempDir();
  }

  @AfterEach
  void cleanup() {
    lab.close();
  }

  @Test
  void flowgateInANamespaceCountsItsInterfacesAndNamesTheAbsentOnes() throws Exception {
    Netns x = lab.netns();
    Netns y = lab.netns();
    VethPair data = lab.quietVeth(x, y);
    VethPair mgmt = lab.quietVeth(Netns.HOST, x);
    long pid = ProcessHandle.current().pid();
    String net = "100.64." + (pid / 128) % 256 + ".";
    String hostAddr = net + (pid % 128) * 2;
    String apiAddr = net + ((pid % 128) * 2 + 1);
    mgmt.a().ip("addr", "add", hostAddr + "/31", "dev", mgmt.a().name());
    mgmt.b().ip("addr", "add", apiAddr + "/31", "dev", mgmt.b().name());
    String absent = Lab.uniqueName();
    String hostOnly = mgmt.a().name();

    int port = FlowgateProcess.freePort();
    Path arrowDir = dir.resolve("flows");
    Path config = config(port, apiAddr, arrowDir, data.a().name(), absent, hostOnly);
    KnownTraffic traffic = KnownTraffic.mix(data.b(), data.a(), 1);
    try (FlowgateProcess fg =
        FlowgateProcess.start(x, apiAddr, config, port, dir.resolve("fg.log"), "/healthz", Map.of())
            .readToken(TOKEN)) {
      JsonNode entries = fg.json("/api/v1/interfaces").get("interfaces");
      assertThat(state(entries, data.a().name())).as(fg.log()).isEqualTo("attached");
      assertThat(state(entries, absent)).isEqualTo("absent");
      assertThat(state(entries, hostOnly)).as("a host interface is not X's").isEqualTo("absent");
      assertThat(warnings(fg.log(), absent)).as(fg.log()).isEqualTo(1);
      assertThat(warnings(fg.log(), hostOnly)).as(fg.log()).isEqualTo(1);

      FrameSender.send(data.b(), traffic.frames());
      JsonNode status =
          fg.awaitStatus(
              s ->
                  sum(s, data.a().name(), "kernel") == traffic.packets()
                      && sum(s, data.a().name(), "exported") == traffic.packets()
                      && sum(s, data.a().name(), "inCache") == 0);
      assertThat(sum(status, data.a().name(), "exported"))
          .as(fg.log())
          .isEqualTo(traffic.packets());

      // hot-plug: the absent name appears in X
      String peer = Lab.uniqueName();
      x.check("ip", "link", "add", "name", absent, "type", "veth", "peer", "name", peer);
      lab.onClose("veth " + absent, () -> x.run("ip", "link", "del", "dev", absent));
      JsonNode now = awaitState(fg, absent, "attached");
      assertThat(state(now, absent)).as(fg.log()).isEqualTo("attached");
      assertThat(fg.log()).contains("interface " + absent + " appeared; attached");
      assertThat(warnings(fg.log(), absent)).as("warned once").isEqualTo(1);
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
    List<TestFlow> exported = ArrowFlowFiles.read(arrowDir);
    CollectorEndToEndTest.assertSameFlows(exported, traffic.flows());
  }

  private Path config(
      int port, String apiAddr, Path arrowDir, String data, String absent, String hostOnly)
      throws Exception {
    // the API listens on the management veth, not loopback: a token is required
    Path token = dir.resolve("token");
    Files.writeString(token, TOKEN);
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    String yaml =
        """
        interfaces:
          - name: %s
            mode: xdp
            direction: ingress
          - name: %s
          - name: %s
        flows:
          max-flows: 4096
          sweep-interval: 200ms
          idle-timeout: 2s
          active-timeout: 60s
        dataplane:
          pin-path: %s
          keep-attached: false
        state-directory: %s
        export:
          arrow:
            directory: %s
        api:
          listen: %s:%d
          token-file: %s
        """
            .formatted(
                data,
                absent,
                hostOnly,
                lab.pinDir(),
                dir.resolve("state"),
                arrowDir,
                apiAddr,
                port,
                token);
    Path file = dir.resolve("flowgate.yaml");
    Files.writeString(file, yaml);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private static String state(JsonNode entries, String name) {
    for (JsonNode e : entries) {
      if (e.get("name").asText().equals(name)) {
        return e.get("state").asText();
      }
    }
    throw new AssertionError("no entry " + name + " in " + entries);
  }

  private static JsonNode awaitState(FlowgateProcess fg, String name, String want)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    JsonNode entries = fg.json("/api/v1/interfaces").get("interfaces");
    while (!state(entries, name).equals(want) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      entries = fg.json("/api/v1/interfaces").get("interfaces");
    }
    return entries;
  }

  /** Log lines warning that entry {@code name} has no interface. */
  private static long warnings(String log, String name) {
    return log.lines()
        .filter(l -> l.contains("interface entry " + name + ": no interface " + name))
        .count();
  }

  private static long sum(JsonNode status, String ifname, String field) {
    long n = 0;
    for (JsonNode row : status.get("accounting")) {
      if (row.get("interface").asText().equals(ifname)) {
        n += row.get(field).get("packets").asLong();
      }
    }
    return n;
  }
}
