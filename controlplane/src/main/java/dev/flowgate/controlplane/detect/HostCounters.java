package dev.flowgate.controlplane.detect;

import dev.flowgate.bpf.BpfMap;
import dev.flowgate.bpf.Layout;
import dev.flowgate.bpf.NativeBpf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the kernel's per-host counters (map {@code fg_hosts}) once per sweep and turns them into
 * what each host got since the last read. The kernel's counters are cumulative per CPU; this class
 * adds the CPUs up and subtracts the last read. An entry that went away (the LRU map dropped a
 * quiet host) is forgotten; one whose counters went down was dropped and made anew, so it counts
 * from 0.
 *
 * <p>The first read only takes the baseline: what the kernel counted before (an earlier run, the
 * time flowgate was away) is no one second's rate. One JNI crossing per read (a batch lookup); not
 * thread-safe (the sweeper's thread).
 */
public final class HostCounters {

  /**
   * Index of packets in a counter array (host_counters order, {@link Layout#HOST_COUNTER_NAMES}).
   */
  public static final int PACKETS = 0;

  /** Index of bytes. */
  public static final int BYTES = 1;

  /** Index of flows. */
  public static final int FLOWS = 2;

  /** Index of TCP packets. */
  public static final int TCP = 3;

  /** Index of TCP SYN-without-ACK packets. */
  public static final int SYN = 4;

  /** Index of UDP packets. */
  public static final int UDP = 5;

  /** Index of ICMP/ICMPv6 packets. */
  public static final int ICMP = 6;

  /** Index of non-first fragments. */
  public static final int FRAGMENTS = 7;

  /** Index of UDP packets from amplification ports. */
  public static final int AMP = 8;

  /** Index of their bytes. */
  public static final int AMP_BYTES = 9;

  /** Counters per host. */
  public static final int COUNTERS = 10;

  /** What one host got in one interval. */
  public record Delta(HostKey key, long[] counts) {}

  private final BpfMap map;
  private final ByteBuffer keys;
  private final ByteBuffer values;
  private final int stride;
  private final int cpus;
  private Map<HostKey, long[]> last = new HashMap<>();
  private boolean baseline;
  private long lastReadNs;
  private long intervalNs;

  public HostCounters(BpfMap map) {
    this.map = map;
    this.keys = NativeBpf.allocate(map.maxEntries() * Layout.HOST_KEY_SIZE);
    this.values = NativeBpf.allocate(map.maxEntries() * map.valueBufferSize());
    this.stride = map.valueBufferSize() / NativeBpf.nrPossibleCpus();
    this.cpus = NativeBpf.nrPossibleCpus();
    keys.order(ByteOrder.LITTLE_ENDIAN);
    values.order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Reads the map: the hosts that got packets since the last read (none at the first read, which
   * takes the baseline).
   *
   * @param nowNs CLOCK_MONOTONIC-like ns of the read (System.nanoTime), for {@link #intervalNs()}
   */
  public List<Delta> read(long nowNs) {
    keys.clear();
    values.clear();
    int n = map.lookupBatch(keys, values);
    Map<HostKey, long[]> now = new HashMap<>(Math.max(16, n * 2));
    List<Delta> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = i * Layout.HOST_KEY_SIZE;
      HostKey key =
          new HostKey(
              Long.reverseBytes(keys.getLong(k + Layout.HOST_KEY_ADDR)),
              Long.reverseBytes(keys.getLong(k + Layout.HOST_KEY_ADDR + 8)),
              keys.get(k + Layout.HOST_KEY_DIRECTION) & 0xFF);
      long[] sum = new long[COUNTERS];
      int v = i * map.valueBufferSize();
      for (int c = 0; c < cpus; c++) {
        int at = v + c * stride;
        for (int f = 0; f < COUNTERS; f++) {
          sum[f] += values.getLong(at + 8 * f);
        }
      }
      now.put(key, sum);
      if (!baseline) {
        continue;
      }
      long[] before = last.get(key);
      long[] d = new long[COUNTERS];
      boolean remade = before == null;
      for (int f = 0; f < COUNTERS && !remade; f++) {
        remade = sum[f] < before[f];
      }
      for (int f = 0; f < COUNTERS; f++) {
        d[f] = remade ? sum[f] : sum[f] - before[f];
      }
      if (d[PACKETS] != 0) {
        out.add(new Delta(key, d));
      }
    }
    last = now;
    intervalNs = baseline ? nowNs - lastReadNs : 0;
    lastReadNs = nowNs;
    baseline = true;
    return out;
  }

  /** ns between the last two reads (0 after the first). */
  public long intervalNs() {
    return intervalNs;
  }

  /** Hosts the map held at the last read. */
  public int hosts() {
    return last.size();
  }
}
