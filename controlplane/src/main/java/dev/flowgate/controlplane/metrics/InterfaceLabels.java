package dev.flowgate.controlplane.metrics;

import io.prometheus.metrics.model.snapshots.Labels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The label sets of the per-interface series, built once per interface name and laid out in label
 * order for {@link SeriesFamily}: a scrape then makes no {@link Labels} and the snapshot's sort
 * finds its data points sorted.
 *
 * <p>Views are rebuilt when the sweeper publishes new rows (list identity), keeping only the
 * interfaces present then: the label sets kept are bounded by the interfaces configured.
 */
final class InterfaceLabels {

  /** Direction label values in label order ({@code egress} sorts first). */
  static final String[] DIRECTIONS = {"egress", "ingress"};

  /** The breakdown's direction index (0 ingress, 1 egress) of each of {@link #DIRECTIONS}. */
  private static final int[] DIRECTION_CELLS = {1, 0};

  /** Indexes into {@link TrafficBreakdown#PROTOCOLS}, sorted by label value. */
  private static final int[] PROTOCOL_ORDER =
      IntStream.range(0, TrafficBreakdown.PROTOCOLS.length)
          .boxed()
          .sorted(Comparator.comparing(p -> TrafficBreakdown.PROTOCOLS[p]))
          .mapToInt(Integer::intValue)
          .toArray();

  private static final Comparator<InterfaceTraffic> ROW_ORDER =
      Comparator.comparing(InterfaceTraffic::direction)
          .thenComparing(InterfaceTraffic::interfaceName);

  /** Rows of {@link MetricsSource#interfaceTraffic()} in label order, with their label sets. */
  record Rows(List<InterfaceTraffic> rows, Labels[] labels) {}

  /**
   * The breakdown's series in label order: for series {@code i}, the interface's counts, the cell
   * in them, and the label set.
   */
  record Breakdown(TrafficBreakdown.Counts[] counts, int[] cells, Labels[] labels) {}

  private record RowsView(List<InterfaceTraffic> of, Rows rows) {}

  private record BreakdownView(Map<String, TrafficBreakdown.Counts> of, Breakdown breakdown) {}

  private final MetricsSource source;
  private volatile RowsView rows = new RowsView(null, null);
  private volatile BreakdownView breakdown = new BreakdownView(null, null);
  private Map<String, Labels> pairs = new HashMap<>(); // guarded by this
  private Map<String, Labels[]> cells = new HashMap<>(); // guarded by this

  InterfaceLabels(MetricsSource source) {
    this.source = source;
  }

  /** The interface rows of the last sweep, in label order (direction, then interface). */
  Rows rows() {
    List<InterfaceTraffic> now = source.interfaceTraffic();
    RowsView v = rows;
    if (v.of() != now) {
      v = new RowsView(now, rowsOf(now));
      rows = v;
    }
    return v.rows();
  }

  /** The protocol breakdown of the last sweep, in label order. */
  Breakdown breakdown() {
    Map<String, TrafficBreakdown.Counts> now = source.sweeps().breakdown().published();
    BreakdownView v = breakdown;
    if (v.of() != now) {
      v = new BreakdownView(now, breakdownOf(now));
      breakdown = v;
    }
    return v.breakdown();
  }

  private synchronized Rows rowsOf(List<InterfaceTraffic> traffic) {
    List<InterfaceTraffic> sorted = new ArrayList<>(traffic);
    sorted.sort(ROW_ORDER);
    Map<String, Labels> kept = new HashMap<>();
    Labels[] labels = new Labels[sorted.size()];
    for (int i = 0; i < labels.length; i++) {
      InterfaceTraffic t = sorted.get(i);
      String key = t.direction() + '\n' + t.interfaceName();
      Labels l = pairs.get(key);
      if (l == null) {
        l = Labels.of("interface", t.interfaceName(), "direction", t.direction());
      }
      kept.put(key, l);
      labels[i] = l;
    }
    pairs = kept;
    return new Rows(List.copyOf(sorted), labels);
  }

  private synchronized Breakdown breakdownOf(Map<String, TrafficBreakdown.Counts> all) {
    List<String> names = new ArrayList<>(all.keySet());
    names.sort(null);
    int perInterface = TrafficBreakdown.IP_VERSIONS.length * PROTOCOL_ORDER.length;
    int n = names.size() * DIRECTIONS.length * perInterface;
    TrafficBreakdown.Counts[] counts = new TrafficBreakdown.Counts[n];
    int[] cellOf = new int[n];
    Labels[] labels = new Labels[n];
    Map<String, Labels[]> kept = new HashMap<>();
    int i = 0;
    for (int d = 0; d < DIRECTIONS.length; d++) {
      for (String iface : names) {
        Labels[] own =
            kept.computeIfAbsent(
                iface, k -> cells.containsKey(k) ? cells.get(k) : breakdownLabels(k));
        TrafficBreakdown.Counts c = all.get(iface);
        int j = d * perInterface;
        for (int ip = 0; ip < TrafficBreakdown.IP_VERSIONS.length; ip++) {
          for (int p : PROTOCOL_ORDER) {
            counts[i] = c;
            cellOf[i] = TrafficBreakdown.Counts.cell(DIRECTION_CELLS[d], ip, p);
            labels[i] = own[j++];
            i++;
          }
        }
      }
    }
    cells = kept;
    return new Breakdown(counts, cellOf, labels);
  }

  /** One interface's breakdown label sets, in label order (direction, IP version, protocol). */
  private static Labels[] breakdownLabels(String iface) {
    List<Labels> out = new ArrayList<>();
    for (String direction : DIRECTIONS) {
      for (String ip : TrafficBreakdown.IP_VERSIONS) {
        for (int p : PROTOCOL_ORDER) {
          out.add(
              Labels.of(
                  "interface",
                  iface,
                  "direction",
                  direction,
                  "ip_version",
                  ip,
                  "protocol",
                  TrafficBreakdown.PROTOCOLS[p]));
        }
      }
    }
    return out.toArray(Labels[]::new);
  }
}
