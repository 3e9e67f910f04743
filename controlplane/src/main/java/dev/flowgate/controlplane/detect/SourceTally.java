package dev.flowgate.controlplane.detect;

import dev.flowgate.controlplane.config.Cidr;
import dev.flowgate.exporters.FlowSchema;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Who sent what to the hosts under suspicion, from the rows of one sweep's interval batch (the
 * drained flow table): per target, packets per source address, source port and destination port,
 * and the packets of allow-listed sources per counter of {@link HostCounters}. The targets are
 * chosen before the drain (from the per-host counters), so the rows of every other host are skipped
 * with one hash lookup.
 *
 * <p>What the flow table could not take (a flood that filled it) is in the per-host counters but in
 * no row: it is attributed to no source, so it is never taken for allow-listed traffic. Not
 * thread-safe (the sweeper's thread).
 */
public final class SourceTally {

  /** Distinct sources kept per target: 4,096 (a random-source flood has far more). */
  public static final int MAX_SOURCES = 4096;

  private static final int TOP = 5;
  private static final int TCP_SYN = 0x02;
  private static final int TCP_ACK = 0x10;

  private record Source(long hi, long lo) {}

  /** The tally of one target. */
  static final class Tally {
    final Map<Source, long[]> sources = new HashMap<>();
    final Map<Integer, long[]> srcPorts = new HashMap<>();
    final Map<Integer, long[]> dstPorts = new HashMap<>();
    final long[] allowed = new long[HostCounters.COUNTERS];
    long packets;
    long distinct;

    Fingerprint fingerprint(long[] counts) {
      long p = counts[HostCounters.PACKETS];
      Map<String, Long> protocols = new java.util.LinkedHashMap<>();
      protocols.put("tcp", counts[HostCounters.TCP]);
      protocols.put("tcp-syn", counts[HostCounters.SYN]);
      protocols.put("udp", counts[HostCounters.UDP]);
      protocols.put("icmp", counts[HostCounters.ICMP]);
      protocols.put("fragments", counts[HostCounters.FRAGMENTS]);
      protocols.put("amplification", counts[HostCounters.AMP]);
      return new Fingerprint(
          p,
          counts[HostCounters.BYTES],
          p == 0 ? 0 : counts[HostCounters.BYTES] / p,
          protocols,
          counts[HostCounters.FLOWS],
          top(sources, s -> HostKey.text(s.hi(), s.lo())),
          top(srcPorts, String::valueOf),
          top(dstPorts, String::valueOf),
          packets,
          distinct,
          null);
    }
  }

  private final List<Cidr> allow;
  private final BitSet ampPorts;
  private Map<HostKey, Tally> tallies = Map.of();

  public SourceTally(List<Cidr> allow, BitSet ampPorts) {
    this.allow = List.copyOf(allow);
    this.ampPorts = ampPorts;
  }

  /** Starts an interval: tally the flows towards these targets only. */
  public void begin(Set<HostKey> targets) {
    tallies = new HashMap<>();
    for (HostKey k : targets) {
      tallies.put(k, new Tally());
    }
  }

  /** The tally of {@code key} this interval, or null when it was not a target. */
  Tally of(HostKey key) {
    return tallies.get(key);
  }

  /** Adds rows {@code from .. from+count-1} of an interval batch (an append listener). */
  public void add(VectorSchemaRoot batch, int from, int count) {
    if (tallies.isEmpty()) {
      return;
    }
    ArrowBuf src = batch.getVector(FlowSchema.SRC_ADDR_INDEX).getDataBuffer();
    ArrowBuf dst = batch.getVector(FlowSchema.DST_ADDR_INDEX).getDataBuffer();
    ArrowBuf srcPort = batch.getVector(FlowSchema.SRC_PORT_INDEX).getDataBuffer();
    ArrowBuf dstPort = batch.getVector(FlowSchema.DST_PORT_INDEX).getDataBuffer();
    ArrowBuf protocol = batch.getVector(FlowSchema.PROTOCOL_INDEX).getDataBuffer();
    ArrowBuf direction = batch.getVector(FlowSchema.DIRECTION_INDEX).getDataBuffer();
    ArrowBuf flags = batch.getVector(FlowSchema.TCP_FLAGS_INDEX).getDataBuffer();
    ArrowBuf packets = batch.getVector(FlowSchema.PACKETS_INDEX).getDataBuffer();
    ArrowBuf bytes = batch.getVector(FlowSchema.BYTES_INDEX).getDataBuffer();
    for (int i = from; i < from + count; i++) {
      long at = (long) i * 16;
      HostKey target =
          new HostKey(
              Long.reverseBytes(dst.getLong(at)),
              Long.reverseBytes(dst.getLong(at + 8)),
              direction.getByte(i) & 0xFF);
      Tally t = tallies.get(target);
      if (t == null) {
        continue;
      }
      long p = packets.getLong((long) i * 8);
      long sHi = Long.reverseBytes(src.getLong(at));
      long sLo = Long.reverseBytes(src.getLong(at + 8));
      int sp = srcPort.getShort((long) i * 2) & 0xFFFF;
      int dp = dstPort.getShort((long) i * 2) & 0xFFFF;
      int proto = protocol.getByte(i) & 0xFF;
      t.packets += p;
      Source s = new Source(sHi, sLo);
      long[] sc = t.sources.get(s);
      if (sc == null) {
        t.distinct++;
        if (t.sources.size() < MAX_SOURCES) {
          t.sources.put(s, new long[] {p});
        }
      } else {
        sc[0] += p;
      }
      if (proto == 6 || proto == 17) {
        t.srcPorts.computeIfAbsent(sp, k -> new long[1])[0] += p;
        t.dstPorts.computeIfAbsent(dp, k -> new long[1])[0] += p;
      }
      if (!allow.isEmpty() && allowed(sHi, sLo)) {
        long[] a = t.allowed;
        a[HostCounters.PACKETS] += p;
        a[HostCounters.BYTES] += bytes.getLong((long) i * 8);
        a[HostCounters.FLOWS] += 1;
        if (proto == 6) {
          a[HostCounters.TCP] += p;
          int f = flags.getByte(i) & 0xFF;
          if ((f & TCP_SYN) != 0) {
            // a flow's flags are OR'ed: a pure SYN flow counts all its packets, a connection
            // that went on (ACK seen) its opening SYN
            a[HostCounters.SYN] += (f & TCP_ACK) == 0 ? p : 1;
          }
        } else if (proto == 17) {
          a[HostCounters.UDP] += p;
          if (ampPorts.get(sp)) {
            a[HostCounters.AMP] += p;
            a[HostCounters.AMP_BYTES] += bytes.getLong((long) i * 8);
          }
        } else if (proto == 1 || proto == 58) {
          a[HostCounters.ICMP] += p;
        }
      }
    }
  }

  private boolean allowed(long hi, long lo) {
    for (Cidr c : allow) {
      if (c.contains(hi, lo)) {
        return true;
      }
    }
    return false;
  }

  private static <K> List<Fingerprint.Top> top(
      Map<K, long[]> counts, java.util.function.Function<K, String> name) {
    List<Map.Entry<K, long[]>> all = new ArrayList<>(counts.entrySet());
    all.sort(Comparator.comparingLong((Map.Entry<K, long[]> e) -> e.getValue()[0]).reversed());
    List<Fingerprint.Top> out = new ArrayList<>();
    for (int i = 0; i < Math.min(TOP, all.size()); i++) {
      out.add(new Fingerprint.Top(name.apply(all.get(i).getKey()), all.get(i).getValue()[0]));
    }
    return out;
  }
}
