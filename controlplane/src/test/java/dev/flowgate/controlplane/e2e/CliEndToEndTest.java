package dev.flowgate.controlplane.e2e;

import dev.flowgate.controlplane.testing.FlowgateProcess;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowgate.controlplane.cli.Main;
import dev.flowgate.exporters.testing.Nfcapd;
import dev.flowgate.exporters.testing.Processes;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Lab;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The CLI's clients against a running flowgate process on a veth lab, reading the API's address
 * and token file from the same config file: {@code status}, {@code top} (ICMP by name), {@code
 * flows} in JSON Lines and CSV (every cached flow, as many as the API's own top-10000 lists), and
 * {@code flush}, after which the collector holds every flow; a wrong token file makes {@code flush}
 * exit 1 with the API's reason.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(300)
class CliEndToEndTest {
  private static final String TOKEN = "cli-token-0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Lab lab;
  private VethPair veth;
  private Path dir;
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @BeforeEach
  void lab() {
    lab = Lab.open();
    veth = lab.quietVeth(Netns.HOST, lab.netns());
    dir = lab.tempDir();
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

  /** Output, error text and exit code of one CLI run. */
  private record Run(int exit, String out, String err) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(exit, out.toString(), err.toString());
  }

  private static long sum(JsonNode status, String term) {
    long n = 0;
    for (JsonNode row : status.get("accounting")) {
      n += row.get(term).get("packets").asLong();
    }
    return n;
  }

  @Test
  void statusTopFlowsAndFlushAgainstARunningLab() throws Exception {
    Nfcapd nfcapd = Nfcapd.start(dir, Processes.freeUdpPort());
    cleanup.add(nfcapd);
    int api = FlowgateProcess.freePort();
    Path token = dir.resolve("token");
    Files.writeString(token, TOKEN + "\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    Path config = dir.resolve("flowgate.yaml");
    Files.writeString(
        config,
        """
        interfaces:
          - {name: %s, mode: xdp, direction: ingress, sampling: 0}
        flows: {max-flows: 4096, sweep-interval: 200ms, idle-timeout: 1h, active-timeout: 2h}
        dataplane: {pin-path: %s, keep-attached: false}
        state-directory: %s
        export:
          ipfix:
            - {collector: "127.0.0.1:%d", protocol: ipfix, sequence-counts-options: false}
        api: {listen: "127.0.0.1:%d", token-file: %s}
        """
            .formatted(
                veth.a().name(), lab.pinDir(), dir.resolve("state"), nfcapd.port(), api, token));
    String cfg = config.toString();
    KnownTraffic traffic = KnownTraffic.mix(veth.b(), veth.a(), 0);
    int flows = traffic.flows().size();
    try (FlowgateProcess fg = FlowgateProcess.start(config, api, dir.resolve("fg.log"))) {
      FrameSender.send(veth.b(), traffic.frames());
      // the connections with FIN or RST are exported; the rest wait for a 1 h idle timeout
      JsonNode s = fg.awaitStatus(x -> sum(x, "kernel") == traffic.packets());
      assertThat(sum(s, "kernel")).as(fg.log()).isEqualTo(traffic.packets());
      int cached = fg.json("/api/v1/flows?top=10000").get("flows").size();
      assertThat(cached).isPositive().isLessThan(flows);

      Run status = cli("status", "--config", cfg);
      assertThat(status.exit()).as(status.err()).isZero();
      assertThat(status.out())
          .contains(veth.a().name() + " (ifindex")
          .contains("xdp")
          .contains("accounting (packets")
          .contains("ipfix 127.0.0.1:" + nfcapd.port())
          .contains("last sweep: ");

      Run top = cli("top", "-n", "5", "--config", cfg);
      assertThat(top.exit()).as(top.err()).isZero();
      assertThat(top.out().lines()).hasSize(1 + 5);

      Run all = cli("top", "-n", "100", "--by", "packets", "-i", veth.a().name(), "-c", cfg);
      assertThat(all.exit()).as(all.err()).isZero();
      assertThat(all.out().lines()).hasSize(1 + cached);
      assertThat(all.out())
          .contains("icmp echo-request")
          .contains("icmp dest-unreach/port-unreach")
          .contains("icmpv6 echo-request")
          .doesNotContain(":2048"); // echo request's type << 8 is no port
      assertThat(cli("top", "--by", "rate", "-c", cfg).exit()).isZero();
      Run noSuch = cli("top", "-i", "fg-no-such0", "-c", cfg);
      assertThat(noSuch.exit()).isEqualTo(1);
      assertThat(noSuch.err()).contains("404").contains("fg-no-such0");

      Run jsonLines = cli("flows", "--format", "json", "--config", cfg);
      assertThat(jsonLines.exit()).as(jsonLines.err()).isZero();
      List<String> lines = jsonLines.out().lines().toList();
      assertThat(lines).hasSize(cached);
      Set<String> keys = new HashSet<>();
      for (String l : lines) {
        JsonNode f = JSON.readTree(l);
        keys.add(
            f.get("sourceAddress").asText()
                + ">"
                + f.get("destinationAddress").asText()
                + ":"
                + f.get("destinationTransportPort").asInt()
                + "/"
                + f.get("vlanId").asInt());
        if (f.get("protocolIdentifier").asInt() == 1) {
          assertThat(f.get("icmp").asText()).isIn("echo-request", "dest-unreach/port-unreach");
        }
      }
      assertThat(keys).as("every flow once").hasSize(cached);

      Run csv = cli("flows", "--format", "csv", "--config", cfg);
      assertThat(csv.exit()).as(csv.err()).isZero();
      List<String> rows = csv.out().lines().toList();
      assertThat(rows).hasSize(1 + cached);
      assertThat(rows.get(0)).startsWith("sourceAddress,destinationAddress,").endsWith(",icmp");
      int columns = rows.get(0).split(",", -1).length; // every row has the header's columns
      assertThat(columns).isGreaterThanOrEqualTo(17);
      assertThat(rows.subList(1, rows.size()))
          .allSatisfy(r -> assertThat(r.split(",", -1)).hasSize(columns));

      Run flush = cli("flush", "--config", cfg);
      assertThat(flush.exit()).as(flush.err()).isZero();
      assertThat(flush.out().strip()).isEqualTo("flushed " + cached + " flows");
      s =
          fg.awaitStatus(
              x ->
                  sum(x, "exported") == traffic.packets()
                      && x.get("exporters").get(0).get("queueDepth").asInt() == 0
                      && x.get("exporters").get(0).get("recordsSent").asLong() == flows);
      assertThat(sum(s, "inCache")).isZero();
      assertThat(s.get("exporters").get(0).get("recordsSent").asLong()).isEqualTo(flows);
      assertThat(cli("flows", "-c", cfg).out()).isEmpty();

      // the token file now holds another token: flush is refused, exit 1 with the reason
      Files.writeString(token, "not-the-token\n");
      Run refused = cli("flush", "--config", cfg);
      assertThat(refused.exit()).isEqualTo(1);
      assertThat(refused.err()).contains("403");
      assertThat(fg.stop()).isZero();
    }
    nfcapd.stop();
    assertThat(nfcapd.records()).hasSize(flows);
    long packets = 0;
    for (JsonNode r : nfcapd.records()) {
      packets += r.get("in_packets").asLong();
    }
    assertThat(packets).isEqualTo(traffic.packets());
  }

  @Test
  void clientCommandsSayWhatIsWrong() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "bogus: 1\n");
    Run r = cli("status", "--config", bad.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("bogus");
    Path nothing = dir.resolve("nothing.yaml");
    Files.writeString(
        nothing, "interfaces: []\napi: {listen: \"127.0.0.1:%d\"}\n".formatted(FlowgateProcess.freePort()));
    Run down = cli("top", "--config", nothing.toString());
    assertThat(down.exit()).isEqualTo(1);
    assertThat(down.err()).contains("cannot reach flowgate's API").contains("is flowgate running?");
  }
}
