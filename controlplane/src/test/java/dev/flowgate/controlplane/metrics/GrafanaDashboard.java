package dev.flowgate.controlplane.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowgate.controlplane.config.RepoFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL of {@code config/grafana/flowgate.json}: every panel target's {@code expr}, with
 * Grafana's variables replaced by values PromQL accepts ({@code $__rate_interval} becomes {@code
 * 5m}; {@code $interface} and {@code $job} only appear inside label matcher strings), and the
 * metric names the dashboard uses, its variable queries ({@code label_values(...)}) included.
 */
public final class GrafanaDashboard {

  /** The dashboard, relative to the repository root. */
  public static final String PATH = "config/grafana/flowgate.json";

  private static final Pattern METRIC = Pattern.compile("\\b((?:flowgate|jvm|process)_[a-z0-9_]+)");

  private final List<String> expressions = new ArrayList<>();
  private final Set<String> metricNames = new TreeSet<>();

  private GrafanaDashboard(JsonNode root) {
    collect(root);
  }

  /** Reads the repository's dashboard. */
  public static GrafanaDashboard load() throws IOException {
    return new GrafanaDashboard(new ObjectMapper().readTree(RepoFiles.find(PATH).toFile()));
  }

  /** Every panel expression, ready for a PromQL parser. */
  public List<String> expressions() {
    return expressions;
  }

  /** Every metric (sample) name the dashboard names, panels and variables. */
  public Set<String> metricNames() {
    return metricNames;
  }

  private void collect(JsonNode node) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              e -> {
                if (e.getKey().equals("expr") && e.getValue().isTextual()) {
                  String expr = e.getValue().asText().replace("$__rate_interval", "5m");
                  expressions.add(expr);
                  names(expr);
                } else if (e.getKey().equals("definition") && e.getValue().isTextual()) {
                  names(e.getValue().asText());
                } else {
                  collect(e.getValue());
                }
              });
    } else if (node.isArray()) {
      node.forEach(this::collect);
    }
  }

  private void names(String text) {
    Matcher m = METRIC.matcher(text);
    while (m.find()) {
      metricNames.add(m.group(1));
    }
  }
}
