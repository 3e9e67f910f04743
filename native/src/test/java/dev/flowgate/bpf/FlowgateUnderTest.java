package dev.flowgate.bpf;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The real flowgate object loaded for a kernel test, with its maps read as Java values: totals
 * summed over CPUs, error counters, the flow map as {@code Map<FlowKey, FlowCounters>}. Closing it
 * unloads everything (unpinned maps, and links the test closed).
 */
public final class FlowgateUnderTest implements AutoCloseable {
  /** A flow_key, addresses as text (IPv4-mapped keys shown as dotted IPv4). */
  public record FlowKey(
      String src,
      String dst,
      int srcPort,
      int dstPort,
      int ifindex,
      int vlanId,
      int protocol,
      int direction) {

    /** This key with another ifindex and direction. */
    public FlowKey at(int newIfindex, int newDirection) {
      return new FlowKey(src, dst, srcPort, dstPort, newIfindex, vlanId, protocol, newDirection);
    }
  }

  /** A flow_stats without its timestamps. */
  public record FlowCounters(long packets, long bytes, int tcpFlags, int tos, int ipVersion) {
    /** Adds {@code o}'s packets and bytes, ORs its flags (a sweep's delta onto an accumulation). */
    public FlowCounters plus(FlowCounters o) {
      return new FlowCounters(
          packets + o.packets, bytes + o.bytes, tcpFlags | o.tcpFlags, tos, ipVersion);
    }
  }

  /**
   * What a flow's first packet said beyond its key (route.h): the FIB's forwarding status (RFC 7270
   * code, or 1 "not forwarded"), the other interface and the next hop (text, as {@link FlowKey}
   * shows addresses).
   */
  public record FirstPacket(int fwdStatus, int peerIfindex, String nextHop) {}

  /** One iface_totals entry summed over CPUs. */
  public record Totals(
      long packets,
      long bytes,
      long otherPackets,
      long otherBytes,
      long insertFailed,
      long insertFailedBytes) {
    /** Every packet the programs saw: IP and other. */
    public long allPackets() {
      return packets + otherPackets;
    }
  }

  private final BpfObject object;
  private final FlowTable table;
  private final BpfMap totals;
  private final BpfMap errors;
  private final ByteBuffer keys;
  private final ByteBuffer values;

  private FlowgateUnderTest(BpfObject object) {
    this.object = object;
    this.table = FlowTable.open(object);
    this.totals = object.map("fg_totals");
    this.errors = object.map("fg_errors");
    int cap = (int) table.capacity();
    this.keys = NativeBpf.allocate(cap * Layout.FLOW_KEY_SIZE);
    this.values = NativeBpf.allocate(cap * Layout.FLOW_STATS_SIZE);
  }

  /**
   * Opens and loads the real object with a flow table for {@code flowsPerCpu} flows per CPU; maps
   * pinned under {@code pinDir} when it is not null.
   */
  public static FlowgateUnderTest load(int flowsPerCpu, Path pinDir) {
    NativeBpf.ensureAvailable();
    BpfObject obj = BpfObject.openDefault();
    try {
      FlowTable.configure(obj, flowsPerCpu);
      if (pinDir != null) {
        obj.pinMapsUnder(pinDir);
      }
      obj.load();
      return new FlowgateUnderTest(obj);
    } catch (RuntimeException e) {
      obj.close();
      throw e;
    }
  }

  /** The flow table. */
  public FlowTable table() {
    return table;
  }

  /** A program of the object: fg_xdp, fg_tc_ingress, fg_tc_egress. */
  public BpfProgram program(String name) {
    return object.program(name);
  }

  /** The object itself. */
  public BpfObject object() {
    return object;
  }

  /** Gives interface {@code ifindex} totals slot {@code slotIndex}, sampling off. */
  public void assignSlot(int ifindex, int slotIndex) {
    assignSlot(ifindex, slotIndex, 0, false);
  }

  /** As {@link #assignSlot(int, int)}, sampling 1 packet in {@code sampleRate} (0: none). */
  public void assignSlot(int ifindex, int slotIndex, int sampleRate) {
    assignSlot(ifindex, slotIndex, sampleRate, false);
  }

  /** As {@link #assignSlot(int, int)}; {@code rawIp} marks an L3 device (frames start with IP). */
  public void assignSlot(int ifindex, int slotIndex, boolean rawIp) {
    assignSlot(ifindex, slotIndex, 0, rawIp);
  }

  /** The slot, the sampling rate and whether frames start with the IP header. */
  public void assignSlot(int ifindex, int slotIndex, int sampleRate, boolean rawIp) {
    ByteBuffer k = NativeBpf.allocate(4).putInt(0, ifindex);
    ByteBuffer v = NativeBpf.allocate(Layout.IFACE_SETTINGS_SIZE);
    Layout.putIfaceSettings(v, 0, slotIndex, sampleRate, rawIp);
    object.map(Layout.settingsMapOf(ifindex)).update(k, v, BpfMap.BPF_ANY);
  }

  /** Totals of a slot and direction, summed over CPUs and both table halves. */
  public Totals totals(int slotIndex, int direction) {
    ByteBuffer v = NativeBpf.allocate(totals.valueBufferSize());
    int stride = totals.valueBufferSize() / NativeBpf.nrPossibleCpus();
    long[] sum = new long[6];
    for (int half = 0; half < 2; half++) {
      ByteBuffer k =
          NativeBpf.allocate(4).putInt(0, Layout.totalsIndex(half, slotIndex, direction));
      totals.lookup(k, v);
      for (int cpu = 0; cpu < NativeBpf.nrPossibleCpus(); cpu++) {
        for (int f = 0; f < 6; f++) {
          sum[f] += v.getLong(cpu * stride + f * 8);
        }
      }
    }
    return new Totals(sum[0], sum[1], sum[2], sum[3], sum[4], sum[5]);
  }

  /** Totals summed over every slot and both directions. */
  public Totals allTotals() {
    long[] sum = new long[6];
    for (int s = 0; s < Layout.MAX_SLOTS; s++) {
      for (int d = 0; d < Layout.DIR_MAX; d++) {
        Totals t = totals(s, d);
        long[] f = {
          t.packets(),
          t.bytes(),
          t.otherPackets(),
          t.otherBytes(),
          t.insertFailed(),
          t.insertFailedBytes()
        };
        for (int i = 0; i < 6; i++) {
          sum[i] += f[i];
        }
      }
    }
    return new Totals(sum[0], sum[1], sum[2], sum[3], sum[4], sum[5]);
  }

  /** fg_errors summed over CPUs, indexed by enum fg_error. */
  public long[] errors() {
    long[] out = new long[Layout.DP_ERROR_MAX];
    ByteBuffer k = NativeBpf.allocate(4);
    ByteBuffer v = NativeBpf.allocate(errors.valueBufferSize());
    int stride = errors.valueBufferSize() / NativeBpf.nrPossibleCpus();
    for (int e = 0; e < out.length; e++) {
      k.putInt(0, e);
      errors.lookup(k, v);
      for (int cpu = 0; cpu < NativeBpf.nrPossibleCpus(); cpu++) {
        out[e] += v.getLong(cpu * stride);
      }
    }
    return out;
  }

  /** Zeroes every totals entry and error counter and empties both halves of the flow table. */
  public void reset() {
    ByteBuffer k = NativeBpf.allocate(4);
    ByteBuffer zeros = NativeBpf.allocate(totals.valueBufferSize());
    for (int i = 0; i < totals.maxEntries(); i++) {
      totals.update(k.putInt(0, i), zeros, BpfMap.BPF_ANY);
    }
    ByteBuffer ezeros = NativeBpf.allocate(errors.valueBufferSize());
    for (int i = 0; i < errors.maxEntries(); i++) {
      errors.update(k.putInt(0, i), ezeros, BpfMap.BPF_ANY);
    }
    table.clear(0);
    table.clear(1);
  }

  /**
   * The flows of the half the programs write now, left in place (per-CPU entries of one key added
   * up).
   */
  public Map<FlowKey, FlowCounters> flows() {
    keys.clear();
    values.clear();
    int n = table.copy(table.current(), keys, values);
    return decode(n);
  }

  /** The first-packet fields of each flow in the half the programs write now, left in place. */
  public Map<FlowKey, FirstPacket> firstPackets() {
    keys.clear();
    values.clear();
    int n = table.copy(table.current(), keys, values);
    Map<FlowKey, FirstPacket> out = new HashMap<>();
    byte[] nh = new byte[16];
    for (int i = 0; i < n; i++) {
      int v = i * Layout.FLOW_STATS_SIZE;
      values.get(v + Layout.FLOW_STATS_NEXT_HOP, nh);
      out.put(
          key(i),
          new FirstPacket(
              Byte.toUnsignedInt(values.get(v + Layout.FLOW_STATS_FWD_STATUS)),
              values.getInt(v + Layout.FLOW_STATS_PEER_IFINDEX),
              text(nh)));
    }
    return out;
  }

  /**
   * A sweep: points the programs at the other half (returns once no program still writes the old
   * one), then drains the old one completely.
   */
  public Map<FlowKey, FlowCounters> sweep() {
    return drain(table.swap());
  }

  /** Moves every entry out of half {@code half}. */
  public Map<FlowKey, FlowCounters> drain(int half) {
    Map<FlowKey, FlowCounters> out = new HashMap<>();
    while (true) {
      keys.clear();
      values.clear();
      int n = table.drain(half, keys, values);
      if (n == 0) {
        return out;
      }
      decode(n).forEach((k, v) -> out.merge(k, v, FlowCounters::plus));
    }
  }

  private Map<FlowKey, FlowCounters> decode(int n) {
    Map<FlowKey, FlowCounters> out = new HashMap<>();
    for (int i = 0; i < n; i++) {
      int v = i * Layout.FLOW_STATS_SIZE;
      FlowKey key = key(i);
      FlowCounters c =
          new FlowCounters(
              values.getLong(v + Layout.FLOW_STATS_PACKETS),
              values.getLong(v + Layout.FLOW_STATS_BYTES),
              values.getInt(v + Layout.FLOW_STATS_TCP_FLAGS),
              Byte.toUnsignedInt(values.get(v + Layout.FLOW_STATS_TOS)),
              Byte.toUnsignedInt(values.get(v + Layout.FLOW_STATS_IP_VERSION)));
      out.merge(key, c, FlowCounters::plus);
    }
    return out;
  }

  /** Key i of the last copy or drain. */
  private FlowKey key(int i) {
    byte[] src = new byte[16];
    byte[] dst = new byte[16];
    int k = i * Layout.FLOW_KEY_SIZE;
    Layout.flowKeySrcAddr(keys, k, src);
    Layout.flowKeyDstAddr(keys, k, dst);
    return new FlowKey(
        text(src),
        text(dst),
        Layout.flowKeySrcPort(keys, k),
        Layout.flowKeyDstPort(keys, k),
        Layout.flowKeyIfindex(keys, k),
        Layout.flowKeyVlanId(keys, k),
        Layout.flowKeyProtocol(keys, k),
        Layout.flowKeyDirection(keys, k));
  }

  /** An address as flowgate keys it: IPv4-mapped IPv6 shown as dotted IPv4. */
  static String text(byte[] a16) {
    try {
      byte[] prefix = Arrays.copyOf(a16, 12);
      byte[] mapped = new byte[12];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      if (Arrays.equals(prefix, mapped)) {
        return InetAddress.getByAddress(Arrays.copyOfRange(a16, 12, 16)).getHostAddress();
      }
      return InetAddress.getByAddress(a16).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** An address literal in the form {@link FlowKey} uses. */
  public static String canonical(String literal) {
    try {
      byte[] a = InetAddress.getByName(literal).getAddress();
      return a.length == 4 ? InetAddress.getByAddress(a).getHostAddress() : text(a);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Override
  public void close() {
    table.close();
    object.close();
  }
}
