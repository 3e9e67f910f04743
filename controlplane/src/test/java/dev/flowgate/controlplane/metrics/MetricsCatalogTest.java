package dev.flowgate.controlplane.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The metric catalog is a contract (dashboards and alert rules name these series): every flowgate
 * metric's name, type and help text is listed in {@code metrics/catalog.txt}, so a rename or a new
 * metric is a deliberate change of that file. Also: labels stay bounded (no per-flow or per-address
 * label), and the exposition passes {@code promtool check metrics} in both formats.
 */
@Timeout(60)
class MetricsCatalogTest {

  /**
   * Every label a flowgate metric may carry: all bounded by the configuration (subscriber: capture
   * or psamp).
   */
  static final Set<String> BOUNDED_LABELS =
      Set.of(
          "interface",
          "direction",
          "ip_version",
          "protocol",
          "reason",
          "collector",
          "directory",
          "subscriber",
          "sink", // one per configured collector, plus arrow
          "outcome", // delivered, dropped, failed
          "type", // the detector: syn-flood, ..., flows
          "severity", // warning, critical
          "version");

  private BufferAllocator allocator;
  private FlowgateMetrics metrics;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    metrics = new FlowgateMetrics(new FixedMetricsSource(2, allocator), true);
  }

  @AfterEach
  void tearDown() {
    allocator.close();
  }

  /** The {@code # TYPE} and {@code # HELP} lines of flowgate's own metrics, in the text format. */
  static List<String> catalogOf(String exposition) {
    List<String> out = new ArrayList<>();
    String help = null;
    for (String line : exposition.split("\n")) {
      if (line.startsWith("# HELP flowgate_")) {
        help = line.substring("# HELP ".length());
      } else if (line.startsWith("# TYPE flowgate_")) {
        String[] t = line.substring("# TYPE ".length()).split(" ");
        String h = help.substring(help.indexOf(' ') + 1);
        out.add(t[0] + " " + t[1] + " " + h);
      }
    }
    return out;
  }

  @Test
  void namesTypesAndHelpTextsAreTheCatalog() throws IOException {
    String text = new String(metrics.scrape(null).body(), StandardCharsets.UTF_8);
    List<String> expected;
    try (InputStream in = getClass().getResourceAsStream("/metrics/catalog.txt")) {
      expected =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .filter(l -> !l.isBlank() && !l.startsWith("#"))
              .toList();
    }
    assertThat(catalogOf(text)).containsExactlyElementsOf(expected);
  }

  @Test
  void everyLabelIsBoundedByTheConfiguration() {
    Set<String> labels = new HashSet<>();
    metrics.registry().scrape().stream()
        .filter(s -> s.getMetadata().getName().startsWith("flowgate_"))
        .forEach(
            s ->
                s.getDataPoints()
                    .forEach(d -> d.getLabels().forEach(l -> labels.add(l.getName()))));
    assertThat(BOUNDED_LABELS).containsAll(labels);
  }

  @Test
  void textExpositionPassesPromtoolCheckMetricsWithoutWarnings() throws Exception {
    var scrape = metrics.scrape("text/plain");
    assertThat(scrape.contentType()).startsWith("text/plain; version=0.0.4");
    Promtool.Result r = Promtool.checkMetrics(scrape.body());
    assertThat(r.output()).isEmpty();
    assertThat(r.exitCode()).isZero();
  }

  @Test
  void openMetricsIsServedWhenAccepted() {
    var scrape = metrics.scrape("application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertThat(scrape.contentType()).startsWith("application/openmetrics-text");
    String body = new String(scrape.body(), StandardCharsets.UTF_8);
    assertThat(body).endsWith("# EOF\n").contains("flowgate_interface_packets_total{");
  }

  @Test
  void interfaceTotalsHaveExactlyTheLabelsInterfaceAndDirection() {
    String text = new String(metrics.scrape(null).body(), StandardCharsets.UTF_8);
    assertThat(text)
        .contains(
            "flowgate_interface_packets_total{direction=\"ingress\",interface=\"eth0\"} 1000.0\n",
            "flowgate_interface_bytes_total{direction=\"egress\",interface=\"eth1\"} 128000.0\n",
            "flowgate_traffic_packets_total{direction=\"ingress\",interface=\"eth0\","
                + "ip_version=\"ipv6\",protocol=\"icmp\"} 16.0\n");
  }

  @Test
  void sinkOutcomesArePacketsAndBytesPerSinkAndOutcome() {
    String text = new String(metrics.scrape(null).body(), StandardCharsets.UTF_8);
    assertThat(text)
        .contains(
            "flowgate_sink_packets_total{outcome=\"delivered\",sink=\"udp:127.0.0.1:4739\"}"
                + " 900.0\n",
            "flowgate_sink_packets_total{outcome=\"failed\",sink=\"udp:127.0.0.1:4739\"} 50.0\n",
            "flowgate_sink_bytes_total{outcome=\"dropped\",sink=\"udp:127.0.0.1:4739\"} 3600.0\n",
            "flowgate_sink_packets_total{outcome=\"delivered\",sink=\"arrow\"} 1000.0\n",
            "flowgate_sink_queued_packets{sink=\"udp:127.0.0.1:4739\"} 10.0\n");
  }
}
