package dev.flowgate.controlplane.metrics;

import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.FlowSchema;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Packets and bytes per interface, direction, IP version and protocol family, tallied from the
 * sweeper's interval batches (the kernel's totals have no such split).
 *
 * <p>A bounded set: per interface 2 directions x {ipv4, ipv6} x {tcp, udp, icmp, other}. What the
 * kernel could not place in the flow map (the unaccounted term) and non-IP packets are not in it.
 * Tallied on the sweeper's thread, one pass over six columns per drained chunk, read by address
 * ({@link FlowColumns}); {@link
 * #publish()} makes the running totals visible to scrapes.
 */
public final class TrafficBreakdown {

  /** Label values of the IP version dimension, by index. */
  public static final String[] IP_VERSIONS = {"ipv4", "ipv6"};

  /** Label values of the protocol family dimension, by index. */
  public static final String[] PROTOCOLS = {"tcp", "udp", "icmp", "other"};

  /** Cells per interface: direction x IP version x protocol family. */
  static final int CELLS = 2 * IP_VERSIONS.length * PROTOCOLS.length;

  private static final int PROTO_ICMP = 1;
  private static final int PROTO_TCP = 6;
  private static final int PROTO_UDP = 17;
  private static final int PROTO_ICMPV6 = 58;

  /** Counts of one interface: packets and bytes per cell. */
  public record Counts(long[] packets, long[] bytes) {

    /** The cell of a direction (0 ingress, 1 egress), IP version index and protocol index. */
    public static int cell(int direction, int ipVersion, int protocol) {
      return (direction * IP_VERSIONS.length + ipVersion) * PROTOCOLS.length + protocol;
    }
  }

  private final IntFunction<String> interfaceOfIfindex;
  private final Map<Integer, Counts> byIfindex = new LinkedHashMap<>();
  private final Map<Integer, String> names = new LinkedHashMap<>();
  private static final int RECENT = 16;
  private final int[] recentIfindex = new int[RECENT];
  private final Counts[] recentCounts = new Counts[RECENT];
  private volatile Map<String, Counts> published = Map.of();

  /**
   * @param interfaceOfIfindex the interface name of an ifindex, asked once per ifindex seen
   */
  public TrafficBreakdown(IntFunction<String> interfaceOfIfindex) {
    this.interfaceOfIfindex = interfaceOfIfindex;
  }

  /**
   * Adds rows {@code [from, from + count)} of an interval batch (rows of {@link FlowSchema}).
   * Sweeper thread only.
   */
  public void add(VectorSchemaRoot chunk, int from, int count) {
    FlowColumns in = new FlowColumns(chunk);
    int n = from + count;
    int lastIfindex = 0;
    Counts counts = null;
    for (int i = from; i < n; i++) {
      int ix = (int) in.ifindex(i);
      if (ix != lastIfindex || counts == null) {
        counts = counts(ix);
        lastIfindex = ix;
      }
      int dir = in.direction(i) == 0 ? 0 : 1;
      int v = in.ipVersion(i) == 6 ? 1 : 0;
      int c = Counts.cell(dir, v, family(in.protocol(i)));
      counts.packets[c] += in.packets(i);
      counts.bytes[c] += in.bytes(i);
    }
  }

  /**
   * The counts of {@code ifindex}: from a small direct-mapped cache in front of the map, so rows of
   * a few interfaces interleaved in the drain order cost no boxed lookup each.
   */
  private Counts counts(int ifindex) {
    int at = ifindex & (RECENT - 1);
    Counts c = recentCounts[at];
    if (c != null && recentIfindex[at] == ifindex) {
      return c;
    }
    c = byIfindex.computeIfAbsent(ifindex, k -> new Counts(new long[CELLS], new long[CELLS]));
    recentIfindex[at] = ifindex;
    recentCounts[at] = c;
    return c;
  }

  /** Publishes copies of the running totals by interface name. Sweeper thread only. */
  public void publish() {
    Map<String, Counts> out = new LinkedHashMap<>();
    for (Map.Entry<Integer, Counts> e : byIfindex.entrySet()) {
      String name = names.computeIfAbsent(e.getKey(), interfaceOfIfindex::apply);
      Counts c = e.getValue();
      Counts sum = out.computeIfAbsent(name, k -> new Counts(new long[CELLS], new long[CELLS]));
      for (int i = 0; i < CELLS; i++) {
        sum.packets[i] += c.packets[i];
        sum.bytes[i] += c.bytes[i];
      }
    }
    published = Map.copyOf(out);
  }

  /** The totals as of the last {@link #publish()}, by interface name; do not modify. */
  public Map<String, Counts> published() {
    return published;
  }

  static int family(int protocol) {
    return switch (protocol) {
      case PROTO_TCP -> 0;
      case PROTO_UDP -> 1;
      case PROTO_ICMP, PROTO_ICMPV6 -> 2;
      default -> 3;
    };
  }
}
