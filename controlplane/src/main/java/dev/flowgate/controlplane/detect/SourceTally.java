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

  /** The tally of one target. */
  static final class Tally {
    final PairCounts sources = new PairCounts();
    final PairCounts srcPorts = new PairCounts();
    final PairCounts dstPorts = new PairCounts();
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
          sources.top(HostKey::text),
          srcPorts.top((hi, lo) -> String.valueOf(lo)),
          dstPorts.top((hi, lo) -> String.valueOf(lo)),
          packets,
          distinct,
          null);
    }
  }

  private final List<Cidr> allow;
  private final BitSet ampPorts;
  private Map<HostKey, Tally> tallies = Map.of();

  // the targets again as arrays: a handful are compared in place, no key object per row
  private static final int FEW_TARGETS = 8;
  private long[] targetHi = new long[0];
  private long[] targetLo = new long[0];
  private int[] targetDirection = new int[0];
  private Tally[] targetTally = new Tally[0];

  public SourceTally(List<Cidr> allow, BitSet ampPorts) {
    this.allow = List.copyOf(allow);
    this.ampPorts = ampPorts;
  }

  /** Starts an interval: tally the flows towards these targets only. */
  public void begin(Set<HostKey> targets) {
    tallies = new HashMap<>();
    int n = targets.size();
    targetHi = new long[n];
    targetLo = new long[n];
    targetDirection = new int[n];
    targetTally = new Tally[n];
    int i = 0;
    for (HostKey k : targets) {
      Tally t = new Tally();
      tallies.put(k, t);
      targetHi[i] = k.hi();
      targetLo[i] = k.lo();
      targetDirection[i] = k.direction();
      targetTally[i++] = t;
    }
  }

  /** The tally of the target {@code (hi, lo, direction)}, or null. */
  private Tally target(long hi, long lo, int direction) {
    if (targetTally.length > FEW_TARGETS) {
      return tallies.get(new HostKey(hi, lo, direction));
    }
    for (int i = 0; i < targetTally.length; i++) {
      if (targetLo[i] == lo && targetHi[i] == hi && targetDirection[i] == direction) {
        return targetTally[i];
      }
    }
    return null;
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
      Tally t =
          target(
              Long.reverseBytes(dst.getLong(at)),
              Long.reverseBytes(dst.getLong(at + 8)),
              direction.getByte(i) & 0xFF);
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
      if (!t.sources.add(sHi, sLo, p, MAX_SOURCES)) {
        t.distinct++;
      }
      if (proto == 6 || proto == 17) {
        t.srcPorts.add(0, sp, p, Integer.MAX_VALUE);
        t.dstPorts.add(0, dp, p, Integer.MAX_VALUE);
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

  /** A key of two longs, as a name. */
  interface PairName {
    String of(long hi, long lo);
  }

  /**
   * Counts by a key of two longs (an address; 0 and a port): open addressing over primitive
   * arrays, no object per row. A key not yet held is added while fewer than a cap are held.
   */
  static final class PairCounts {
    private long[] his = new long[32];
    private long[] los = new long[32];
    private long[] counts = new long[32];
    private boolean[] used = new boolean[32];
    private int size;

    /**
     * Adds {@code n} to the count of {@code (hi, lo)}, adding the key if fewer than {@code cap} are
     * held. Returns true if the key was held before.
     */
    boolean add(long hi, long lo, long n, int cap) {
      int mask = used.length - 1;
      long h = (hi * 0x9E3779B97F4A7C15L) ^ (lo * 0xC2B2AE3D27D4EB4FL);
      int i = (int) (h ^ (h >>> 29) ^ (h >>> 41)) & mask;
      while (used[i]) {
        if (los[i] == lo && his[i] == hi) {
          counts[i] += n;
          return true;
        }
        i = (i + 1) & mask;
      }
      if (size >= cap) {
        return false;
      }
      used[i] = true;
      his[i] = hi;
      los[i] = lo;
      counts[i] = n;
      if (++size * 2 > used.length) {
        grow();
      }
      return false;
    }

    int size() {
      return size;
    }

    private void grow() {
      long[] oh = his;
      long[] ol = los;
      long[] oc = counts;
      boolean[] ou = used;
      his = new long[ou.length * 2];
      los = new long[ou.length * 2];
      counts = new long[ou.length * 2];
      used = new boolean[ou.length * 2];
      size = 0;
      for (int i = 0; i < ou.length; i++) {
        if (ou[i]) {
          add(oh[i], ol[i], oc[i], Integer.MAX_VALUE);
        }
      }
    }

    /** The {@value #TOP} largest counts, largest first. */
    List<Fingerprint.Top> top(PairName name) {
      List<Integer> at = new ArrayList<>();
      for (int i = 0; i < used.length; i++) {
        if (used[i]) {
          at.add(i);
        }
      }
      // largest first; ties by key, ascending
      at.sort(
          Comparator.comparingLong((Integer i) -> -counts[i])
              .thenComparingLong(i -> his[i])
              .thenComparingLong(i -> los[i]));
      List<Fingerprint.Top> out = new ArrayList<>();
      for (int k = 0; k < Math.min(TOP, at.size()); k++) {
        int i = at.get(k);
        out.add(new Fingerprint.Top(name.of(his[i], los[i]), counts[i]));
      }
      return out;
    }
  }

}
