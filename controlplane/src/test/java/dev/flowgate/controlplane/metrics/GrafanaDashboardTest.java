package dev.flowgate.controlplane.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * config/grafana/flowgate.json only shows what flowgate exposes: every expression parses (promtool,
 * on a rule file wrapping each one as a recording rule) and every metric name it uses is a sample
 * name of flowgate's exposition (JVM and process metrics included).
 */
@Timeout(60)
class GrafanaDashboardTest {

  @Test
  void everyExpressionParses(@TempDir Path dir) throws Exception {
    GrafanaDashboard dashboard = GrafanaDashboard.load();
    assertThat(dashboard.expressions()).hasSizeGreaterThan(20);
    StringBuilder rules = new StringBuilder("groups:\n  - name: flowgate-dashboard\n    rules:\n");
    int i = 0;
    for (String expr : dashboard.expressions()) {
      rules
          .append("      - record: dashboard:expr")
          .append(i++)
          .append('\n')
          .append("        expr: '")
          .append(expr.replace("'", "''"))
          .append("'\n");
    }
    Path file = dir.resolve("dashboard-rules.yml");
    Files.writeString(file, rules);
    Promtool.Result r = Promtool.run(List.of("check", "rules", file.toString()), new byte[0]);
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS: " + dashboard.expressions().size() + " rules found");
  }

  @Test
  void everyMetricItNamesIsExposed() throws Exception {
    Set<String> exposed;
    try (BufferAllocator allocator = new RootAllocator()) {
      FlowgateMetrics metrics = new FlowgateMetrics(new FixedMetricsSource(1, allocator), true);
      exposed = sampleNames(new String(metrics.scrape(null).body(), StandardCharsets.UTF_8));
    }
    assertThat(exposed).containsAll(GrafanaDashboard.load().metricNames());
  }

  /** The sample names of a text exposition (histograms give _bucket, _count and _sum). */
  static Set<String> sampleNames(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (!line.isEmpty() && !line.startsWith("#")) {
        int end = line.indexOf('{');
        names.add(line.substring(0, end >= 0 ? end : line.indexOf(' ')));
      }
    }
    return names;
  }
}
