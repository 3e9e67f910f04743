package dev.flowgate.controlplane.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.Labels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The label sets kept across scrapes: in label order, matching their rows, following the interfaces
 * as the sweeper publishes new rows, and kept only for the interfaces present.
 */
@Timeout(30)
class InterfaceLabelsTest {

  private BufferAllocator allocator;
  private MutableSource source;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    source = new MutableSource(new FixedMetricsSource(3, allocator));
  }

  @AfterEach
  void tearDown() {
    allocator.close();
  }

  @Test
  void rowsComeInLabelOrderWithTheirOwnLabels() {
    InterfaceLabels labels = new InterfaceLabels(source);
    InterfaceLabels.Rows rows = labels.rows();

    assertThat(rows.labels()).hasSize(6);
    Labels[] sorted = rows.labels().clone();
    Arrays.sort(sorted);
    assertThat(rows.labels()).containsExactly(sorted);
    for (int i = 0; i < rows.labels().length; i++) {
      InterfaceTraffic t = rows.rows().get(i);
      assertThat((Object) rows.labels()[i])
          .isEqualTo(Labels.of("interface", t.interfaceName(), "direction", t.direction()));
    }
    assertThat(labels.rows()).isSameAs(rows); // nothing published since: the same view
  }

  @Test
  void newRowsReplaceTheOldOnesAndGoneInterfacesLeaveNoSeries() {
    FlowgateMetrics metrics = new FlowgateMetrics(source, false);
    assertThat(scrape(metrics)).contains("interface=\"eth2\"");

    source.publish(
        List.of(
            new InterfaceTraffic("eth0", "ingress", 7, 700, 0, 0, 7, 700, 0, 0),
            new InterfaceTraffic("wan9", "egress", 5, 500, 0, 0, 0, 0, 5, 500)));
    String text = scrape(metrics);

    assertThat(text)
        .contains("flowgate_interface_packets_total{direction=\"ingress\",interface=\"eth0\"} 7.0")
        .contains("flowgate_cached_bytes{direction=\"egress\",interface=\"wan9\"} 500.0")
        .doesNotContain(
            "flowgate_interface_packets_total{direction=\"ingress\",interface=\"eth2\"}")
        .doesNotContain(
            "flowgate_interface_packets_total{direction=\"egress\",interface=\"eth0\"}");
  }

  @Test
  void breakdownSeriesPointAtTheirOwnCells() {
    InterfaceLabels labels = new InterfaceLabels(source);
    InterfaceLabels.Breakdown b = labels.breakdown();
    Map<String, TrafficBreakdown.Counts> published = source.sweeps().breakdown().published();

    assertThat(b.labels()).hasSize(3 * TrafficBreakdown.CELLS);
    Labels[] sorted = b.labels().clone();
    Arrays.sort(sorted);
    assertThat(b.labels()).containsExactly(sorted);
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < b.labels().length; i++) {
      Labels l = b.labels()[i];
      TrafficBreakdown.Counts c = published.get(l.get("interface"));
      assertThat(b.counts()[i]).isSameAs(c);
      int direction = l.get("direction").equals("ingress") ? 0 : 1;
      int ip = List.of(TrafficBreakdown.IP_VERSIONS).indexOf(l.get("ip_version"));
      int protocol = List.of(TrafficBreakdown.PROTOCOLS).indexOf(l.get("protocol"));
      assertThat(b.cells()[i]).isEqualTo(TrafficBreakdown.Counts.cell(direction, ip, protocol));
      seen.add(l.toString());
    }
    assertThat(seen).doesNotHaveDuplicates();
  }

  private static String scrape(FlowgateMetrics metrics) {
    return new String(metrics.scrape(null).body(), StandardCharsets.UTF_8);
  }

  /** {@link FixedMetricsSource} whose interface rows a test replaces, as a sweep would. */
  private static final class MutableSource implements MetricsSource {

    private final FixedMetricsSource fixed;
    private volatile List<InterfaceTraffic> traffic;

    MutableSource(FixedMetricsSource fixed) {
      this.fixed = fixed;
      this.traffic = List.copyOf(fixed.interfaceTraffic());
    }

    void publish(List<InterfaceTraffic> rows) {
      traffic = List.copyOf(rows);
    }

    @Override
    public String version() {
      return fixed.version();
    }

    @Override
    public List<InterfaceTraffic> interfaceTraffic() {
      return traffic;
    }

    @Override
    public SweepRecorder sweeps() {
      return fixed.sweeps();
    }

    @Override
    public long exportedRecords() {
      return fixed.exportedRecords();
    }

    @Override
    public long sinkFailures() {
      return fixed.sinkFailures();
    }

    @Override
    public List<dev.flowgate.exporters.collector.ExporterStats> collectors() {
      return fixed.collectors();
    }

    @Override
    public List<dev.flowgate.exporters.SinkReport> sinks() {
      return fixed.sinks();
    }

    @Override
    public List<dev.flowgate.exporters.arrow.ArrowFileSinkStats> arrowSinks() {
      return fixed.arrowSinks();
    }
  }
}
