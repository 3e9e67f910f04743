package dev.flowgate.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.controlplane.testing.FlowgateProcess;
import dev.flowgate.exporters.testing.Nfcapd;
import dev.flowgate.exporters.testing.Processes;
import dev.flowgate.exporters.testing.Tshark;
import dev.flowgate.lab.Frame;
import dev.flowgate.lab.FrameBuilder;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.GatewayLab;
import dev.flowgate.lab.LabExtension;
import dev.flowgate.lab.MacAddress;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * flowgate on a gateway (LAB.md's client, router, server; {@link GatewayLab}: the router is the
 * host namespace with its own policy routing table, forwarding on its two veths, offloads off),
 * exporting IPFIX to nfcapd (and a tshark capture of the same messages: nfdump 1.7.1 decodes
 * forwardingStatus into a field its output never fills, so tshark's decoding of IE 89 is checked):
 * XDP on the router's client side, TC egress on its server side. Known flows from the client:
 * forwarded via a gateway, forwarded to a directly connected host, to a blackhole route, to an
 * address the kernel has no route for (a policy rule answers "unreachable", the kernel's no-route
 * error), and to the router's own address. nfdump must show for each flow, at each hook that saw
 * it: the exact packets and bytes, ingressInterface = the client side, egressInterface = the server
 * side for forwarded flows (from the FIB at XDP, observed at TC egress) and 0 for the others, the
 * next hop (the gateway, or the destination itself), and the forwarding status: 64 forwarded, 130
 * blackhole, 131 unroutable, 195 consumed. The client side records MACs ({@code record-macs}): they
 * equal the veths' addresses.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(120)
class GatewayRecordsEndToEndTest {

  private static final String DIRECT_HOST = "192.0.2.9"; // 192.0.2.0/26 dev <server side>
  private static final String BLACKHOLED = "192.0.2.70"; // blackhole 192.0.2.64/26
  private static final String UNROUTABLE = "192.0.2.140"; // rule: unreachable
  private static final String VIA_GATEWAY = "203.0.113.5"; // 203.0.113.0/24 via .254
  private static final String GATEWAY = "203.0.113.254";
  private static final String ROUTER_OWN = "198.51.100.254"; // on the router's client side

  @RegisterExtension final LabExtension lab = new LabExtension();

  /** One planned flow and what the records must say. */
  record Planned(
      String dst,
      int sport,
      int dport,
      int packets,
      long bytes,
      int egressIf,
      String nextHop,
      int status) {}

  @Test
  void recordsCarryBothInterfacesNextHopForwardingStatusAndMacs() throws Exception {
    GatewayLab gw = GatewayLab.create(lab.lab());
    VethPair.End rc = gw.routerClientSide();
    VethPair.End rs = gw.routerServerSide();
    String t = String.valueOf(gw.routingTable());
    MacAddress serverMac = gw.serverEnd().mac();
    Netns.HOST.check("ip", "route", "add", "192.0.2.0/26", "dev", rs.name(), "table", t);
    Netns.HOST.check(
        "ip",
        "neigh",
        "replace",
        DIRECT_HOST,
        "lladdr",
        serverMac.toString(),
        "dev",
        rs.name(),
        "nud",
        "permanent");
    Netns.HOST.check("ip", "route", "add", "blackhole", "192.0.2.64/26", "table", t);
    Netns.HOST.check(
        "ip", "rule", "add", "iif", rc.name(), "to", "192.0.2.128/26", "unreachable", "pref", "90");
    lab.lab()
        .onClose(
            "rule unreachable",
            () ->
                Netns.HOST.run(
                    "ip",
                    "rule",
                    "del",
                    "iif",
                    rc.name(),
                    "to",
                    "192.0.2.128/26",
                    "unreachable",
                    "pref",
                    "90"));
    rc.ip("addr", "add", ROUTER_OWN + "/24", "dev", rc.name());
    for (VethPair.End end : List.of(rc, rs, gw.clientEnd(), gw.serverEnd())) {
      end.netns()
          .run("ethtool", "-K", end.name(), "gro", "off", "gso", "off", "tso", "off", "tx", "off");
    }

    MacAddress[] macs = gw.clientFrameMacs();
    List<Planned> plan =
        List.of(
            new Planned(VIA_GATEWAY, 40001, 53, 7, 0, rs.ifindex(), GATEWAY, 64),
            new Planned(DIRECT_HOST, 40002, 443, 5, 0, rs.ifindex(), DIRECT_HOST, 64),
            new Planned(BLACKHOLED, 40003, 80, 3, 0, 0, null, 130),
            new Planned(UNROUTABLE, 40004, 80, 4, 0, 0, null, 131),
            new Planned(ROUTER_OWN, 40005, 9, 2, 0, 0, null, 195));
    List<byte[]> frames = new ArrayList<>();
    List<Planned> expected = new ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      Planned p = plan.get(i);
      long bytes = 0;
      for (int n = 0; n < p.packets(); n++) {
        FrameBuilder b =
            Frames.ipv4(GatewayLab.CLIENT_V4_PREFIX + (10 + i), p.dst())
                .macs(macs[0], macs[1])
                .udp(p.sport(), p.dport())
                .payload(100 + 10 * n);
        Frame f = b.build();
        frames.add(f.bytes());
        bytes += f.ipLength();
      }
      expected.add(
          new Planned(
              p.dst(),
              p.sport(),
              p.dport(),
              p.packets(),
              bytes,
              p.egressIf(),
              p.nextHop(),
              p.status()));
    }

    Nfcapd nfcapd = lab.closeLater(Nfcapd.start(lab.dir(), Processes.freeUdpPort()));
    Tshark tshark = lab.closeLater(Tshark.capture(lab.dir(), "udp port " + nfcapd.port()));
    int api = FlowgateProcess.freePort();
    long sent = expected.stream().mapToLong(Planned::packets).sum();
    long forwarded =
        expected.stream().filter(p -> p.status() == 64).mapToLong(Planned::packets).sum();
    try (FlowgateProcess fg =
        FlowgateProcess.start(
            config(api, rc.name(), rs.name(), nfcapd.port()), api, lab.dir().resolve("fg.log"))) {
      FrameSender.send(gw.clientEnd(), frames);
      JsonNode status =
          fg.awaitStatus(
              s ->
                  kernel(s, rc.name()) >= sent
                      && kernel(s, rs.name()) >= forwarded
                      && CollectorEndToEndTest.sum(s, "inCache") == 0
                      && CollectorEndToEndTest.sum(s, "exported")
                          == CollectorEndToEndTest.sum(s, "kernel")
                      && CollectorEndToEndTest.allExporters(
                          s, e -> e.get("queueDepth").asInt() == 0));
      assertThat(kernel(status, rc.name())).as(fg.log()).isEqualTo(sent);
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
    nfcapd.stop();
    List<JsonNode> records = nfcapd.records();
    long dataRecords = records.size();
    String decoded =
        tshark.stopOnceDecoded(
            "udp.port==" + nfcapd.port() + ",cflow", "\"cflow.forwarding_status\":", dataRecords);
    Map<String, List<Integer>> statusByDst = forwardingStatusByDestination(decoded);

    Map<String, JsonNode> byKey = new HashMap<>();
    for (JsonNode r : records) {
      if (!r.has("src4_addr")) {
        continue; // the router's IPv6 chatter leaving its server side
      }
      byKey.put(
          r.get("dst4_addr").asText() + " " + r.get("src_port").asInt() + " " + direction(r), r);
    }
    SoftAssertions soft = new SoftAssertions();
    for (Planned p : expected) {
      List<Integer> directions = p.status() == 64 ? List.of(0, 1) : List.of(0);
      for (int dir : directions) {
        String key = p.dst() + " " + p.sport() + " " + dir;
        JsonNode r = byKey.remove(key);
        soft.assertThat(r).as("record %s in %s", key, records).isNotNull();
        if (r == null) {
          continue;
        }
        soft.assertThat(r.get("in_packets").asLong()).as("%s packets", key).isEqualTo(p.packets());
        soft.assertThat(r.get("in_bytes").asLong()).as("%s bytes", key).isEqualTo(p.bytes());
        soft.assertThat(r.get("input_snmp").asInt()).as("%s in", key).isEqualTo(rc.ifindex());
        soft.assertThat(r.get("output_snmp").asInt()).as("%s out", key).isEqualTo(p.egressIf());
        String hop = r.has("ip4_next_hop") ? r.get("ip4_next_hop").asText() : "0.0.0.0";
        soft.assertThat(hop)
            .as("%s next hop in %s", key, r)
            .isEqualTo(p.nextHop() == null ? "0.0.0.0" : p.nextHop());
        if (dir == 0) {
          soft.assertThat(r.path("in_src_mac").asText())
              .as("%s source MAC in %s", key, r)
              .isEqualToIgnoringCase(macs[0].toString());
          soft.assertThat(r.path("in_dst_mac").asText())
              .as("%s destination MAC in %s", key, r)
              .isEqualToIgnoringCase(macs[1].toString());
        }
      }
    }
    soft.assertThat(byKey).as("records of no planned flow").isEmpty();
    for (Planned p : expected) {
      List<Integer> want = p.status() == 64 ? List.of(64, 64) : List.of(p.status());
      soft.assertThat(statusByDst.get(p.dst()))
          .as("forwardingStatus of the records to %s (tshark)", p.dst())
          .isEqualTo(want);
    }
    soft.assertAll();
  }

  /**
   * (destination, forwardingStatus) of every flow data record tshark decoded: the status byte back
   * from tshark's status (top two bits) and reason code (low six).
   */
  static Map<String, List<Integer>> forwardingStatusByDestination(String json) {
    Pattern p =
        Pattern.compile(
            "\"cflow\\.dstaddr\": \"([^\"]+)\"|\"cflow\\.forwarding_status\": \"(\\d+)\""
                + "|\"cflow\\.forwarding_status_\\w+_code\": \"(\\d+)\"");
    Map<String, List<Integer>> out = new HashMap<>();
    String dst = null;
    int status = -1;
    Matcher m = p.matcher(json);
    while (m.find()) {
      if (m.group(1) != null) {
        dst = m.group(1);
      } else if (m.group(2) != null) {
        status = Integer.parseInt(m.group(2));
      } else if (dst != null && status >= 0) {
        out.computeIfAbsent(dst, k -> new ArrayList<>())
            .add(status << 6 | Integer.parseInt(m.group(3)));
        dst = null;
        status = -1;
      }
    }
    return out;
  }

  private static int direction(JsonNode r) {
    return r.path("direction").asInt(0);
  }

  private static long kernel(JsonNode status, String ifname) {
    long n = 0;
    for (JsonNode row : status.get("accounting")) {
      if (row.path("interface").asText().equals(ifname)) {
        n += row.get("kernel").get("packets").asLong();
      }
    }
    return n;
  }

  private Path config(int api, String clientSide, String serverSide, int port) throws Exception {
    String yaml =
        """
        interfaces:
          - name: %s
            mode: xdp
            direction: ingress
            record-macs: true
          - name: %s
            mode: tc
            direction: egress
        flows:
          max-flows: 4096
          sweep-interval: 200ms
          idle-timeout: 2s
          active-timeout: 60s
        dataplane:
          pin-path: %s
        state-directory: %s
        export:
          ipfix:
            - collector: 127.0.0.1:%d
              protocol: ipfix
              transport: udp
              template-refresh-packets: 1
              sequence-counts-options: false
        api:
          listen: 127.0.0.1:%d
        """
            .formatted(clientSide, serverSide, lab.pinDir(), lab.dir().resolve("state"), port, api);
    Path file = lab.dir().resolve("flowgate.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
