package dev.flowgate.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.controlplane.testing.FlowgateProcess;
import dev.flowgate.exporters.testing.ExpectedFlows;
import dev.flowgate.exporters.testing.Nfacctd;
import dev.flowgate.exporters.testing.Nfcapd;
import dev.flowgate.exporters.testing.Processes;
import dev.flowgate.exporters.testing.TestFlow;
import dev.flowgate.exporters.testing.Tshark;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.LabExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The flowgate process exports known traffic from a veth to real collectors at once: nfcapd for
 * IPFIX, NetFlow v9 and v5, nfacctd for the same three, IPFIX over TCP to a plain socket, and a
 * tshark capture of all of it on loopback. Each collector's records must equal the sent traffic per
 * flow, exactly (packets, bytes, ports, ICMP type and code, TCP flags, ToS, VLAN where the format
 * has it, and the times flowgate's own Arrow files give); nfdump sees no sequence error; tshark
 * decodes every message with nothing malformed. NetFlow v5 cannot carry IPv6: those flows are
 * absent from it and counted by its exporter.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(120)
class CollectorEndToEndTest {

  private static final String[] PROTOCOLS = {"ipfix", "netflow-v9", "netflow-v5"};

  @RegisterExtension final LabExtension lab = new LabExtension();

  @Test
  void everyCollectorDecodesTheSentTrafficExactlyPerFlow() throws Exception {
    KnownTraffic traffic = KnownTraffic.mix(lab.veth().b(), lab.veth().a(), 0);
    Map<String, Nfcapd> nfcapd = new HashMap<>();
    Map<String, Nfacctd> nfacctd = new HashMap<>();
    Map<String, Integer> nfacctdPort = new HashMap<>();
    for (String p : PROTOCOLS) {
      nfcapd.put(p, lab.closeLater(Nfcapd.start(lab.dir(), Processes.freeUdpPort())));
      nfacctdPort.put(p, Processes.freeUdpPort());
      nfacctd.put(p, lab.closeLater(Nfacctd.start(lab.dir(), nfacctdPort.get(p))));
    }
    TcpCollectorSink tcp = lab.closeLater(new TcpCollectorSink());
    List<String> filter = new ArrayList<>();
    StringBuilder collectors = new StringBuilder();
    for (String p : PROTOCOLS) {
      for (int port : List.of(nfcapd.get(p).port(), nfacctdPort.get(p))) {
        collectors.append(collector(port, p, "udp"));
        filter.add("udp port " + port);
      }
    }
    collectors.append(collector(tcp.port(), "ipfix", "tcp"));
    filter.add("tcp port " + tcp.port());
    Tshark tshark = lab.closeLater(Tshark.capture(lab.dir(), String.join(" or ", filter)));

    int api = FlowgateProcess.freePort();
    Path arrowDir = lab.dir().resolve("flows");
    JsonNode status;
    try (FlowgateProcess fg =
        FlowgateProcess.start(
            config(api, arrowDir, collectors.toString()), api, lab.dir().resolve("fg.log"))) {
      FrameSender.send(lab.veth().b(), traffic.frames());
      // every flow ends (FIN/RST at once, the rest by idle timeout) and every exporter sent it
      int flows = traffic.flows().size();
      long v6 = traffic.ipv6Flows();
      status =
          fg.awaitStatus(
              s ->
                  sum(s, "kernel") == traffic.packets()
                      && sum(s, "exported") == traffic.packets()
                      && sum(s, "inCache") == 0
                      && allExporters(
                          s,
                          e ->
                              e.get("queueDepth").asInt() == 0
                                  && e.get("recordsSent").asLong()
                                          + e.get("ipv6FlowsNotExportable").asLong()
                                      == flows));
      assertThat(sum(status, "exported")).as(fg.log()).isEqualTo(traffic.packets());
      assertThat(sum(status, "unaccounted")).isZero();
      for (JsonNode e : status.get("exporters")) {
        boolean v5 = e.get("protocol").asText().equals("netflow-v5");
        assertThat(e.get("recordsSent").asLong()).as("%s", e).isEqualTo(v5 ? flows - v6 : flows);
        assertThat(e.get("ipv6FlowsNotExportable").asLong()).as("%s", e).isEqualTo(v5 ? v6 : 0);
        assertThat(e.get("sendErrors").asLong()).as("%s", e).isZero();
        assertThat(e.get("messagesDropped").asLong()).as("%s", e).isZero();
      }
      assertThat(fg.stop()).as(fg.log()).isZero();
      assertThat(fg.log()).doesNotContain("SEVERE").doesNotContain("Exception");
    }

    // flowgate's own records equal the sent traffic; they also give the times to expect
    List<TestFlow> exported = ArrowFlowFiles.read(arrowDir);
    assertSameFlows(exported, traffic.flows());

    for (String p : PROTOCOLS) {
      boolean v5 = p.equals("netflow-v5");
      Nfcapd n = nfcapd.get(p);
      n.stop();
      n.assertDecoded(exported, !v5, !v5, p + " " + exporter(status, n.port()));
      assertThat(n.log()).as(p).contains("Sequence Errors: 0");
      assertThat(n.exporterInfo()).as(p).contains("Sequence failures: 0");

      Nfacctd a = nfacctd.get(p);
      List<TestFlow> expected = exported.stream().filter(f -> f.ipv4() || !v5).toList();
      awaitNfacctdPackets(a, expected.stream().mapToLong(TestFlow::packets).sum());
      a.stop();
      assertNfacctd(a.records(), expected, p);
    }

    // tshark: every message of every exporter decoded, none malformed
    Map<String, Long> messages = new HashMap<>();
    Map<String, Long> records = new HashMap<>();
    for (JsonNode e : status.get("exporters")) {
      String port = e.get("collector").asText().replaceAll(".*:", "");
      String decodeAs =
          (port.equals(Integer.toString(tcp.port())) ? "tcp" : "udp") + ".port==" + port + ",cflow";
      messages.put(decodeAs, e.get("messagesSent").asLong());
      records.put(decodeAs, e.get("recordsSent").asLong());
    }
    Map<String, String> decoded = awaitTsharkMessages(tshark, messages);
    for (Map.Entry<String, String> d : decoded.entrySet()) {
      String json = d.getValue();
      assertThat(json).as(d.getKey()).doesNotContain("Malformed").doesNotContain("_ws.malformed");
      assertThat(Tshark.count(json, "\"cflow.version\":"))
          .as(d.getKey())
          .isEqualTo(messages.get(d.getKey()));
      assertThat(Tshark.count(json, "\"cflow.protocol\":"))
          .as("flow records " + d.getKey())
          .isEqualTo(records.get(d.getKey()));
    }
    assertThat(tcp.connections()).isEqualTo(1);
  }

  private Path config(int api, Path arrowDir, String collectors) throws Exception {
    String yaml =
        """
        interfaces:
          - name: %s
            mode: xdp
            direction: ingress
        flows:
          max-flows: 4096
          sweep-interval: 200ms
          idle-timeout: 2s
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
                collectors.stripTrailing(),
                api);
    Path file = lab.dir().resolve("flowgate.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  /**
   * A collector entry. Templates and options records go out before every data message, and with
   * sequence-counts-options false (nfdump counts flow records only) nfdump must still find no
   * sequence error.
   */
  private static String collector(int port, String protocol, String transport) {
    return ("      - collector: 127.0.0.1:%d\n        protocol: %s\n        transport: %s\n"
            + "        template-refresh-packets: 1\n        sequence-counts-options: false\n")
        .formatted(port, protocol, transport);
  }

  /** The records flowgate exported equal the sent flows, one record per flow. */
  static void assertSameFlows(List<TestFlow> exported, List<TestFlow> sent) {
    Map<String, TestFlow> byKey =
        exported.stream().collect(Collectors.toMap(ExpectedFlows::key, f -> f));
    assertThat(byKey.keySet())
        .as("flows exported")
        .containsExactlyInAnyOrderElementsOf(sent.stream().map(ExpectedFlows::key).toList());
    for (TestFlow s : sent) {
      TestFlow e = byKey.get(ExpectedFlows.key(s));
      assertThat(e.withTimes(0, 0)).as("flow %s", ExpectedFlows.key(s)).isEqualTo(s);
      assertThat(e.endMillis()).isGreaterThanOrEqualTo(e.startMillis());
    }
  }

  /** nfacctd's aggregates (by addresses and ports) equal the flows' packets and bytes. */
  private static void assertNfacctd(List<JsonNode> rows, List<TestFlow> flows, String protocol) {
    Map<String, long[]> decoded = new HashMap<>();
    for (JsonNode r : rows) {
      String key =
          ExpectedFlows.canonical(r.get("ip_src").asText())
              + " "
              + ExpectedFlows.canonical(r.get("ip_dst").asText())
              + " "
              + r.get("port_src").asInt()
              + " "
              + r.get("ip_proto").asText();
      long[] s = decoded.computeIfAbsent(key, k -> new long[2]);
      s[0] += r.get("packets").asLong();
      s[1] += r.get("bytes").asLong();
    }
    Map<String, long[]> expected = new HashMap<>();
    for (TestFlow f : flows) {
      String key =
          ExpectedFlows.canonical(f.src())
              + " "
              + ExpectedFlows.canonical(f.dst())
              + " "
              + (f.icmp() ? 0 : f.srcPort())
              + " "
              + protoName(f.protocol());
      expected.put(key, new long[] {f.packets(), f.bytes()});
    }
    assertThat(decoded.keySet())
        .as("nfacctd %s flows in %s", protocol, rows)
        .containsExactlyInAnyOrderElementsOf(expected.keySet());
    expected.forEach(
        (k, v) ->
            assertThat(decoded.get(k))
                .as("nfacctd %s %s", protocol, k)
                .containsExactly(v[0], v[1]));
  }

  private static String protoName(int protocol) {
    return switch (protocol) {
      case TestFlow.TCP -> "tcp";
      case TestFlow.UDP -> "udp";
      case TestFlow.ICMP -> "icmp";
      case TestFlow.ICMPV6 -> "ipv6-icmp";
      default -> Integer.toString(protocol);
    };
  }

  /** nfacctd hands records to its print plugin asynchronously: wait until they add up. */
  private static void awaitNfacctdPackets(Nfacctd n, long packets) throws Exception {
    while (true) {
      long sum = n.records().stream().mapToLong(r -> r.get("packets").asLong()).sum();
      if (sum >= packets) {
        return;
      }
      Thread.sleep(100);
    }
  }

  /**
   * Decodes the capture until each port shows its exporter's message count (dumpcap writes with a
   * delay), then stops the capture and returns the final decoding per port.
   */
  private static Map<String, String> awaitTsharkMessages(Tshark tshark, Map<String, Long> messages)
      throws Exception {
    for (Map.Entry<String, Long> m : messages.entrySet()) {
      while (true) {
        try {
          if (Tshark.count(tshark.decodeJson(m.getKey()), "\"cflow.version\":") >= m.getValue()) {
            break;
          }
        } catch (java.io.IOException e) {
          // the last packet in the file may be cut short while dumpcap writes: read it again
        }
        Thread.sleep(200);
      }
    }
    tshark.stop();
    Map<String, String> decoded = new HashMap<>();
    for (String decodeAs : messages.keySet()) {
      decoded.put(decodeAs, tshark.decodeJson(decodeAs));
    }
    return decoded;
  }

  static boolean allExporters(JsonNode status, java.util.function.Predicate<JsonNode> test) {
    for (JsonNode e : status.get("exporters")) {
      if (!test.test(e)) {
        return false;
      }
    }
    return true;
  }

  static JsonNode exporter(JsonNode status, int port) {
    for (JsonNode e : status.get("exporters")) {
      if (e.get("collector").asText().endsWith(":" + port)) {
        return e;
      }
    }
    throw new AssertionError("no exporter to port " + port + " in " + status);
  }

  static long sum(JsonNode s, String term) {
    long n = 0;
    for (JsonNode row : s.get("accounting")) {
      n += row.get(term).get("packets").asLong();
    }
    return n;
  }
}
