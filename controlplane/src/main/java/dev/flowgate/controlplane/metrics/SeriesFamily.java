package dev.flowgate.controlplane.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A counter or gauge family whose series are many (per interface, direction, protocol...) and whose
 * values are read from the last sweep at scrape time: the client's callback metrics, less the
 * per-scrape cost of building every label set again.
 *
 * <p>{@code CounterWithCallback} makes a new {@link Labels} for every data point of every scrape
 * (sorting and validating the label names each time), and the snapshot then sorts the data points;
 * with 64 interfaces that was half of a scrape. Here the {@link Source} hands over label sets it
 * built once ({@link InterfaceLabels}), in label order, so the snapshot's sort finds them sorted.
 */
final class SeriesFamily implements Collector {

  /** Receives the data points of one scrape. */
  interface Points {

    /** One series: its value and its label set (with exactly the family's label names). */
    void add(double value, Labels labels);
  }

  /** Emits a family's data points, preferably in label order (as {@link Labels} compare). */
  @FunctionalInterface
  interface Source {
    void emit(Points points);
  }

  private final MetricType type;
  private final MetricMetadata metadata;
  private final Set<String> labelNames;
  private final Source source;

  private SeriesFamily(
      MetricType type, String name, String help, Set<String> labelNames, Source source) {
    this.type = type;
    this.metadata = new MetricMetadata(name, help);
    this.labelNames = labelNames;
    this.source = source;
  }

  /**
   * A counter family.
   *
   * @param name the exposed name, ending in {@code _total}
   */
  static SeriesFamily counter(String name, String help, Source source, String... labelNames) {
    if (!name.endsWith("_total")) {
      throw new IllegalArgumentException("a counter's name ends in _total: " + name);
    }
    String base = name.substring(0, name.length() - "_total".length());
    return new SeriesFamily(MetricType.COUNTER, base, help, Set.of(labelNames), source);
  }

  /** A gauge family. */
  static SeriesFamily gauge(String name, String help, Source source, String... labelNames) {
    return new SeriesFamily(MetricType.GAUGE, name, help, Set.of(labelNames), source);
  }

  @Override
  public MetricSnapshot collect() {
    if (type == MetricType.COUNTER) {
      List<CounterDataPointSnapshot> points = new ArrayList<>(256);
      source.emit(
          (value, labels) -> points.add(new CounterDataPointSnapshot(value, labels, null, 0L)));
      return new CounterSnapshot(metadata, points);
    }
    List<GaugeDataPointSnapshot> points = new ArrayList<>(256);
    source.emit((value, labels) -> points.add(new GaugeDataPointSnapshot(value, labels, null)));
    return new GaugeSnapshot(metadata, points);
  }

  @Override
  public String getPrometheusName() {
    return metadata.getPrometheusName();
  }

  @Override
  public MetricType getMetricType() {
    return type;
  }

  @Override
  public Set<String> getLabelNames() {
    return labelNames;
  }

  @Override
  public MetricMetadata getMetadata() {
    return metadata;
  }
}
