package dev.flowgate.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.controlplane.metrics.GrafanaDashboard;
import dev.flowgate.controlplane.metrics.PrometheusServer;
import dev.flowgate.controlplane.metrics.Promtool;
import dev.flowgate.controlplane.testing.FlowgateProcess;
import dev.flowgate.lab.Frame;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.LabExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * /metrics of a running flowgate process on a veth lab fed known frames: a real Prometheus scrapes
 * it and its HTTP API answers the exact counts sent; the live exposition passes {@code promtool
 * check metrics} with no warning; every dashboard expression evaluates on that Prometheus.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(300)
class MetricsEndToEndTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @RegisterExtension final LabExtension lab = new LabExtension();

  /** 60 UDP/IPv4, 12 UDP/IPv6, 4 ICMP/IPv4 and 5 TCP/IPv4 packets. */
  private record Traffic(List<byte[]> frames, long bytes) {}

  private Traffic traffic() {
    List<Frame> frames = new ArrayList<>();
    for (int f = 0; f < 20; f++) {
      for (int p = 0; p < 3; p++) {
        frames.add(
            Frames.ipv4("198.51.100." + (1 + f), "203.0.113.9")
                .macs(lab.veth().b().mac(), lab.veth().a().mac())
                .udp(10000 + f, 53)
                .payload(20 + p)
                .build());
      }
    }
    for (int f = 0; f < 6; f++) {
      for (int p = 0; p < 2; p++) {
        frames.add(
            Frames.ipv6("2001:db8:1::" + (f + 1), "2001:db8:2::1")
                .macs(lab.veth().b().mac(), lab.veth().a().mac())
                .udp(20000 + f, 443)
                .payload(100)
                .build());
      }
    }
    for (int p = 0; p < 4; p++) {
      frames.add(
          Frames.ipv4("198.51.100.200", "203.0.113.10")
              .macs(lab.veth().b().mac(), lab.veth().a().mac())
              .icmp(8, 0)
              .payload(56)
              .build());
    }
    for (int flag :
        new int[] {
          Frames.TCP_SYN,
          Frames.TCP_ACK,
          Frames.TCP_ACK | Frames.TCP_PSH,
          Frames.TCP_ACK,
          Frames.TCP_FIN | Frames.TCP_ACK
        }) {
      frames.add(
          Frames.ipv4("198.51.100.201", "203.0.113.11")
              .macs(lab.veth().b().mac(), lab.veth().a().mac())
              .tcp(40000, 443, flag)
              .payload(100)
              .build());
    }
    return new Traffic(
        frames.stream().map(Frame::bytes).toList(),
        frames.stream().mapToLong(Frame::ipLength).sum());
  }

  private Path config(int port) throws Exception {
    Path file = lab.dir().resolve("flowgate.yaml");
    Files.writeString(
        file,
        """
        interfaces:
          - name: %s
            mode: xdp
            direction: ingress
            sampling: 0
        flows:
          max-flows: 4096
          sweep-interval: 200ms
          idle-timeout: 2s
        dataplane:
          pin-path: %s
          keep-attached: false
        state-directory: %s
        api:
          listen: 127.0.0.1:%d
        metrics:
          enabled: true
        """
            .formatted(lab.veth().a().name(), lab.pinDir(), lab.dir().resolve("state"), port));
    return file;
  }

  @Test
  void prometheusReadsTheExactPacketCountSent() throws Exception {
    Traffic t = traffic();
    int port = FlowgateProcess.freePort();
    try (FlowgateProcess fg =
            FlowgateProcess.start(config(port), port, lab.dir().resolve("fg.log"));
        PrometheusServer prom =
            PrometheusServer.start(Files.createDirectory(lab.dir().resolve("prom")), port)) {
      FrameSender.send(lab.veth().b(), t.frames());
      String iface = "{interface=\"" + lab.veth().a().name() + "\",direction=\"ingress\"}";
      long sent = t.frames().size();

      double packets = prom.awaitValue("flowgate_interface_packets_total" + iface, v -> v == sent);
      assertThat(packets).as(fg.log() + prom.log()).isEqualTo(sent);
      assertThat(prom.awaitValue("flowgate_interface_bytes_total" + iface, v -> v == t.bytes()))
          .isEqualTo(t.bytes());
      assertThat(
              prom.awaitValue("sum(flowgate_traffic_packets_total" + iface + ")", v -> v == sent))
          .isEqualTo(sent);
      assertThat(breakdown(prom, iface, "ipv4", "udp")).isEqualTo(60);
      assertThat(breakdown(prom, iface, "ipv6", "udp")).isEqualTo(12);
      assertThat(breakdown(prom, iface, "ipv4", "icmp")).isEqualTo(4);
      assertThat(breakdown(prom, iface, "ipv4", "tcp")).isEqualTo(5);
      assertThat(prom.awaitValue("flowgate_unaccounted_packets_total" + iface, v -> v == 0))
          .isZero();
      // every flow but the TCP one (FIN) ends by idle timeout after 2 s; then all is exported
      assertThat(prom.awaitValue("flowgate_exported_packets_total" + iface, v -> v == sent))
          .isEqualTo(sent);
      assertThat(
              prom.awaitValue("flowgate_flows_finished_total{reason=\"end_of_flow\"}", v -> v == 1))
          .isEqualTo(1);
      assertThat(
              prom.awaitValue(
                  "flowgate_flows_finished_total{reason=\"idle_timeout\"}", v -> v == 20 + 6 + 1))
          .isEqualTo(27);

      for (String expr : GrafanaDashboard.load().expressions()) {
        JsonNode answer = prom.query(expr);
        assertThat(answer.get("status").asText()).as(expr + ": " + answer).isEqualTo("success");
      }
      assertThat(fg.stop()).isZero();
    }
  }

  @Test
  void liveScrapePassesPromtoolAndNegotiatesOpenMetrics() throws Exception {
    Traffic t = traffic();
    int port = FlowgateProcess.freePort();
    try (FlowgateProcess fg =
        FlowgateProcess.start(config(port), port, lab.dir().resolve("fg.log"))) {
      FrameSender.send(lab.veth().b(), t.frames());
      fg.awaitStatus(s -> s.at("/accounting/0/kernel/packets").asLong() == t.frames().size());

      HttpResponse<byte[]> text = scrape(port, null);
      assertThat(text.statusCode()).isEqualTo(200);
      assertThat(text.headers().firstValue("content-type"))
          .hasValueSatisfying(ct -> assertThat(ct).startsWith("text/plain; version=0.0.4"));
      Promtool.Result check = Promtool.checkMetrics(text.body());
      assertThat(check.output()).isEmpty();
      assertThat(check.exitCode()).isZero();
      assertThat(new String(text.body()))
          .contains(
              "flowgate_interface_packets_total{direction="
                  + "\"ingress\",interface=\""
                  + lab.veth().a().name()
                  + "\"} "
                  + t.frames().size()
                  + ".0\n");

      HttpResponse<byte[]> om = scrape(port, "application/openmetrics-text;version=1.0.0");
      assertThat(om.headers().firstValue("content-type"))
          .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/openmetrics-text"));
      assertThat(new String(om.body())).endsWith("# EOF\n");
      assertThat(fg.stop()).isZero();
    }
  }

  private static double breakdown(PrometheusServer prom, String iface, String ip, String proto)
      throws Exception {
    String q =
        "flowgate_traffic_packets_total"
            + iface.replace("}", ",ip_version=\"" + ip + "\",protocol=\"" + proto + "\"}");
    return prom.query(q).at("/data/result/0/value/1").asDouble();
  }

  private static HttpResponse<byte[]> scrape(int port, String accept) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
            .timeout(Duration.ofSeconds(10));
    if (accept != null) {
      b.header("Accept", accept);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }
}
