package dev.flowgate.bpf;

import dev.flowgate.bpf.ObjectBtf.Member;
import dev.flowgate.bpf.ObjectBtf.Struct;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * The Java mirror of {@code dataplane-bpf/include/flowgate.h}: every struct's size and member
 * offsets, every enum's values, and small accessors that read a struct at an offset of a buffer
 * (little-endian, whatever the buffer's own order). {@code LayoutTest} holds {@link #structs()}
 * against the compiled object's BTF; the JNI shim's build asserts the sizes too.
 */
public final class Layout {
  private Layout() {}

  /** FLOWGATE_SCHEMA_VERSION: pins live under {@code <pin-path>/<version>/}. */
  public static final int SCHEMA_VERSION = 5;

  /** FG_MAX_SLOTS: interface slots in the totals map. */
  public static final int MAX_SLOTS = 256;

  /** FG_SLOT_UNKNOWN: the slot of packets on interfaces without a slot. */
  public static final int SLOT_UNKNOWN = MAX_SLOTS - 1;

  /**
   * FG_SETTINGS_DIRECT: interfaces with a smaller ifindex have their settings in the ARRAY {@code
   * fg_settings} at index ifindex, the others in the HASH {@code fg_settings_far}.
   */
  public static final int SETTINGS_DIRECT = 65536;

  /** FG_SETTINGS_VALID: iface_settings.flags bit of an entry that holds settings. */
  public static final int SETTINGS_VALID = 1;

  /**
   * FG_SETTINGS_RAW_IP: iface_settings.flags bit of an L3 device, whose frames start with the IP
   * header (WireGuard, tun, PPP, GRE, IPIP).
   */
  public static final int SETTINGS_RAW_IP = 2;

  /**
   * FG_SETTINGS_RECORD_MACS: iface_settings.flags bit of an interface whose flows record the MAC
   * addresses of their first packet (config {@code record-macs}).
   */
  public static final int SETTINGS_RECORD_MACS = 4;

  /** FG_DEFAULT_MAX_FLOWS: flows per CPU per sweep interval unless the config says otherwise. */
  public static final int DEFAULT_MAX_FLOWS = 262144;

  /** FG_TABLE_PROBES: slots a new flow may probe before it counts as insert-failed. */
  public static final int TABLE_PROBES = 8;

  /** FG_SLOT_EMPTY: flow_slot.state of a free slot. */
  public static final int SLOT_EMPTY = 0;

  /** FG_SLOT_USED: flow_slot.state of a slot holding a flow. */
  public static final int SLOT_USED = 1;

  /** FG_SAMPLE_MAX_SNAP: most frame bytes a sample carries. */
  public static final int SAMPLE_MAX_SNAP = 256;

  /** FG_DEFAULT_SNAP: default snap length (global {@code fg_snap_len}). */
  public static final int DEFAULT_SNAP = 128;

  // enum fg_direction
  /** FG_DIR_INGRESS (IPFIX flowDirection 0). */
  public static final int DIR_INGRESS = 0;

  /** FG_DIR_EGRESS (IPFIX flowDirection 1). */
  public static final int DIR_EGRESS = 1;

  /** FG_DIR_MAX. */
  public static final int DIR_MAX = 2;

  // enum fg_error: indexes of the fg_errors per-CPU array
  /** DP_PARSE_TRUNCATED: a header ended past the packet's end. */
  public static final int DP_PARSE_TRUNCATED = 0;

  /** DP_PARSE_NOT_IP: not IPv4/IPv6 (counted in totals as other). */
  public static final int DP_PARSE_NOT_IP = 1;

  /** DP_PARSE_BAD_IP: bad IP version/ihl/length field. */
  public static final int DP_PARSE_BAD_IP = 2;

  /** DP_IPV6_EXT_LIMIT: IPv6 extension header chain too long. */
  public static final int DP_IPV6_EXT_LIMIT = 3;

  /** DP_FRAGMENT_NONFIRST: non-first fragment counted with ports 0. */
  public static final int DP_FRAGMENT_NONFIRST = 4;

  /** DP_FLOW_INSERT_FAILED: the flow map refused an insert. */
  public static final int DP_FLOW_INSERT_FAILED = 5;

  /** DP_SAMPLE_DROPPED: the ring buffer was full. */
  public static final int DP_SAMPLE_DROPPED = 6;

  /** DP_IFACE_UNKNOWN: packet on an interface with no slot. */
  public static final int DP_IFACE_UNKNOWN = 7;

  /** DP_NO_FLOW_MAP: no flow table slice for this CPU (the table was sized for fewer CPUs). */
  public static final int DP_NO_FLOW_MAP = 8;

  /**
   * DP_FLOW_SPILLED: a new flow found its probe window in its CPU's slice full and went to the
   * spill map (counted once per flow and interval; a slice running full).
   */
  public static final int DP_FLOW_SPILLED = 9;

  /** DP_ERROR_MAX: entries of fg_errors. */
  public static final int DP_ERROR_MAX = 10;

  /** Enumerator names of enum fg_error, indexed by value (metric label {@code reason}). */
  public static final List<String> DP_ERROR_NAMES =
      List.of(
          "DP_PARSE_TRUNCATED",
          "DP_PARSE_NOT_IP",
          "DP_PARSE_BAD_IP",
          "DP_IPV6_EXT_LIMIT",
          "DP_FRAGMENT_NONFIRST",
          "DP_FLOW_INSERT_FAILED",
          "DP_SAMPLE_DROPPED",
          "DP_IFACE_UNKNOWN",
          "DP_NO_FLOW_MAP",
          "DP_FLOW_SPILLED");

  // struct flow_key (44 bytes)
  /** sizeof(struct flow_key). */
  public static final int FLOW_KEY_SIZE = 44;

  /** flow_key.src_addr: 16 bytes, IPv6 or IPv4-mapped. */
  public static final int FLOW_KEY_SRC_ADDR = 0;

  /** flow_key.dst_addr: 16 bytes. */
  public static final int FLOW_KEY_DST_ADDR = 16;

  /** flow_key.src_port: u16, host order. */
  public static final int FLOW_KEY_SRC_PORT = 32;

  /** flow_key.dst_port: u16, host order (ICMP: type << 8 | code). */
  public static final int FLOW_KEY_DST_PORT = 34;

  /** flow_key.ifindex: u32. */
  public static final int FLOW_KEY_IFINDEX = 36;

  /** flow_key.vlan_id: u16, outer VID or 0. */
  public static final int FLOW_KEY_VLAN_ID = 40;

  /** flow_key.protocol: u8. */
  public static final int FLOW_KEY_PROTOCOL = 42;

  /** flow_key.direction: u8, {@link #DIR_INGRESS} or {@link #DIR_EGRESS}. */
  public static final int FLOW_KEY_DIRECTION = 43;

  // struct flow_stats (72 bytes)
  /** sizeof(struct flow_stats). */
  public static final int FLOW_STATS_SIZE = 72;

  /** flow_stats.packets: u64. */
  public static final int FLOW_STATS_PACKETS = 0;

  /** flow_stats.bytes: u64, IP header + payload. */
  public static final int FLOW_STATS_BYTES = 8;

  /** flow_stats.first_seen_ns: u64, CLOCK_MONOTONIC ns as drained (jiffies in the table). */
  public static final int FLOW_STATS_FIRST_SEEN_NS = 16;

  /** flow_stats.last_seen_ns: u64. */
  public static final int FLOW_STATS_LAST_SEEN_NS = 24;

  /** flow_stats.tcp_flags: u32 (low 8 bits used). */
  public static final int FLOW_STATS_TCP_FLAGS = 32;

  /** flow_stats.tos: u8. */
  public static final int FLOW_STATS_TOS = 36;

  /** flow_stats.ip_version: u8, 4 or 6. */
  public static final int FLOW_STATS_IP_VERSION = 37;

  /** flow_stats.fwd_status: u8, forwardingStatus (IE 89, RFC 7270 code), 0 unknown. */
  public static final int FLOW_STATS_FWD_STATUS = 38;

  /** flow_stats.flags: u8, {@link #STATS_MACS}. */
  public static final int FLOW_STATS_FLAGS = 39;

  /**
   * flow_stats.peer_ifindex: u32, the other interface of the flow (the FIB's egress at an ingress
   * hook, skb->ingress_ifindex at the egress hook), 0 unknown.
   */
  public static final int FLOW_STATS_PEER_IFINDEX = 40;

  /** flow_stats.src_mac: 6 bytes, sourceMacAddress of the first packet (with STATS_MACS). */
  public static final int FLOW_STATS_SRC_MAC = 44;

  /** flow_stats.dst_mac: 6 bytes, destinationMacAddress of the first packet. */
  public static final int FLOW_STATS_DST_MAC = 50;

  /** flow_stats.next_hop: 16 bytes, IPv6 or IPv4-mapped next hop from the FIB, 0 none. */
  public static final int FLOW_STATS_NEXT_HOP = 56;

  /** FG_STATS_MACS: flow_stats.flags bit, the MAC addresses are the first packet's. */
  public static final int STATS_MACS = 1;

  // struct flow_slot (120 bytes)
  /** sizeof(struct flow_slot). */
  public static final int FLOW_SLOT_SIZE = 120;

  /** flow_slot.key: struct flow_key. */
  public static final int FLOW_SLOT_KEY = 0;

  /** flow_slot.state: u32, {@link #SLOT_EMPTY} or {@link #SLOT_USED}. */
  public static final int FLOW_SLOT_STATE = 44;

  /** flow_slot.stats: struct flow_stats, times in jiffies. */
  public static final int FLOW_SLOT_STATS = 48;

  // struct fg_clock (16 bytes)
  /** sizeof(struct fg_clock). */
  public static final int FG_CLOCK_SIZE = 16;

  /** fg_clock.jiffies: u64. */
  public static final int FG_CLOCK_JIFFIES = 0;

  /** fg_clock.mono_ns: u64, CLOCK_MONOTONIC. */
  public static final int FG_CLOCK_MONO_NS = 8;

  /** FG_TOTALS_PER_HALF: fg_totals entries of one flow table half (slots times directions). */
  public static final int TOTALS_PER_HALF = MAX_SLOTS * DIR_MAX;

  /**
   * The fg_totals index of a table half, slot and direction: the programs count a packet into the
   * totals of the half they put its flow in.
   */
  public static int totalsIndex(int half, int slot, int direction) {
    return half * TOTALS_PER_HALF + slot * DIR_MAX + direction;
  }

  // struct iface_totals (48 bytes, per CPU)
  /** sizeof(struct iface_totals). */
  public static final int IFACE_TOTALS_SIZE = 48;

  /** iface_totals.packets: u64. */
  public static final int IFACE_TOTALS_PACKETS = 0;

  /** iface_totals.bytes: u64. */
  public static final int IFACE_TOTALS_BYTES = 8;

  /** iface_totals.other_packets: u64. */
  public static final int IFACE_TOTALS_OTHER_PACKETS = 16;

  /** iface_totals.other_bytes: u64. */
  public static final int IFACE_TOTALS_OTHER_BYTES = 24;

  /** iface_totals.insert_failed: u64. */
  public static final int IFACE_TOTALS_INSERT_FAILED = 32;

  /** iface_totals.insert_failed_bytes: u64. */
  public static final int IFACE_TOTALS_INSERT_FAILED_BYTES = 40;

  // struct iface_settings (12 bytes)
  /** sizeof(struct iface_settings). */
  public static final int IFACE_SETTINGS_SIZE = 12;

  /** iface_settings.slot: u32. */
  public static final int IFACE_SETTINGS_SLOT = 0;

  /** iface_settings.sample_rate: u32, 1-in-N, 0 = off. */
  public static final int IFACE_SETTINGS_SAMPLE_RATE = 4;

  /** iface_settings.flags: u32, {@link #SETTINGS_VALID} or no settings. */
  public static final int IFACE_SETTINGS_FLAGS = 8;

  // struct sample_hdr (24 bytes)
  /** sizeof(struct sample_hdr). */
  public static final int SAMPLE_HDR_SIZE = 24;

  /** sample_hdr.timestamp_ns: u64. */
  public static final int SAMPLE_HDR_TIMESTAMP_NS = 0;

  /** sample_hdr.ifindex: u32. */
  public static final int SAMPLE_HDR_IFINDEX = 8;

  /** sample_hdr.orig_len: u32. */
  public static final int SAMPLE_HDR_ORIG_LEN = 12;

  /** sample_hdr.cap_len: u16. */
  public static final int SAMPLE_HDR_CAP_LEN = 16;

  /** sample_hdr.direction: u8. */
  public static final int SAMPLE_HDR_DIRECTION = 18;

  /** sample_hdr.pad: u8. */
  public static final int SAMPLE_HDR_PAD = 19;

  /** sample_hdr.slot: u32. */
  public static final int SAMPLE_HDR_SLOT = 20;

  // struct host_key (20 bytes) and struct host_counters (80 bytes): map fg_hosts (detect.h)
  /** sizeof(struct host_key). */
  public static final int HOST_KEY_SIZE = 20;

  /** host_key.addr: 16 bytes, IPv4-mapped for IPv4. */
  public static final int HOST_KEY_ADDR = 0;

  /** host_key.direction: u8, enum fg_direction. */
  public static final int HOST_KEY_DIRECTION = 16;

  /** host_key.pad: 3 bytes. */
  public static final int HOST_KEY_PAD = 17;

  /** sizeof(struct host_counters): ten u64 counters. */
  public static final int HOST_COUNTERS_SIZE = 80;

  /**
   * host_counters members in order (each a u64 at 8 * index): packets, bytes, flows, tcp_packets,
   * syn_packets, udp_packets, icmp_packets, frag_packets, amp_packets, amp_bytes.
   */
  public static final List<String> HOST_COUNTER_NAMES =
      List.of(
          "packets",
          "bytes",
          "flows",
          "tcp_packets",
          "syn_packets",
          "udp_packets",
          "icmp_packets",
          "frag_packets",
          "amp_packets",
          "amp_bytes");

  /** sizeof(struct amp_ports): 65,536 bits, one per UDP source port. */
  public static final int AMP_PORTS_SIZE = 8192;

  // struct sample_counts (16 bytes), per CPU in fg_sample_counts
  /** sizeof(struct sample_counts). */
  public static final int SAMPLE_COUNTS_SIZE = 16;

  /** sample_counts.taken: u64, samples the 1-in-N sampler chose. */
  public static final int SAMPLE_COUNTS_TAKEN = 0;

  /** sample_counts.dropped: u64, those the full ring buffer refused. */
  public static final int SAMPLE_COUNTS_DROPPED = 8;

  // struct fg_vlan_key (8 bytes), the key of fg_vlan_devs (value: __u32 ifindex)
  /** sizeof(struct fg_vlan_key). */
  public static final int VLAN_KEY_SIZE = 8;

  /** fg_vlan_key.ifindex: u32, the VLAN device's parent (where tagged frames arrive). */
  public static final int VLAN_KEY_IFINDEX = 0;

  /** fg_vlan_key.vlan_id: u16, the VLAN device's VID. */
  public static final int VLAN_KEY_VLAN_ID = 4;

  /** fg_vlan_key.pad: u16, zero. */
  public static final int VLAN_KEY_PAD = 6;

  /** The map of VLAN devices by (parent ifindex, VID). */
  public static final String VLAN_DEVS_MAP = "fg_vlan_devs";

  /** Writes a {@code struct fg_vlan_key} at {@code at} (pad zeroed). */
  public static void putVlanKey(ByteBuffer b, int at, int parentIfindex, int vlanId) {
    ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    le.putInt(at + VLAN_KEY_IFINDEX, parentIfindex);
    le.putShort(at + VLAN_KEY_VLAN_ID, (short) vlanId);
    le.putShort(at + VLAN_KEY_PAD, (short) 0);
  }

  /** fg_vlan_key.ifindex of the key at {@code at}. */
  public static int vlanKeyIfindex(ByteBuffer b, int at) {
    return (int) u32(b, at + VLAN_KEY_IFINDEX);
  }

  /** fg_vlan_key.vlan_id of the key at {@code at}. */
  public static int vlanKeyVlanId(ByteBuffer b, int at) {
    return u16(b, at + VLAN_KEY_VLAN_ID);
  }

  /** Every struct of flowgate.h, member by member, as BTF names them. */
  public static List<Struct> structs() {
    return List.of(
        new Struct(
            "flow_key",
            FLOW_KEY_SIZE,
            List.of(
                new Member("src_addr", FLOW_KEY_SRC_ADDR, 16),
                new Member("dst_addr", FLOW_KEY_DST_ADDR, 16),
                new Member("src_port", FLOW_KEY_SRC_PORT, 2),
                new Member("dst_port", FLOW_KEY_DST_PORT, 2),
                new Member("ifindex", FLOW_KEY_IFINDEX, 4),
                new Member("vlan_id", FLOW_KEY_VLAN_ID, 2),
                new Member("protocol", FLOW_KEY_PROTOCOL, 1),
                new Member("direction", FLOW_KEY_DIRECTION, 1))),
        new Struct(
            "flow_stats",
            FLOW_STATS_SIZE,
            List.of(
                new Member("packets", FLOW_STATS_PACKETS, 8),
                new Member("bytes", FLOW_STATS_BYTES, 8),
                new Member("first_seen_ns", FLOW_STATS_FIRST_SEEN_NS, 8),
                new Member("last_seen_ns", FLOW_STATS_LAST_SEEN_NS, 8),
                new Member("tcp_flags", FLOW_STATS_TCP_FLAGS, 4),
                new Member("tos", FLOW_STATS_TOS, 1),
                new Member("ip_version", FLOW_STATS_IP_VERSION, 1),
                new Member("fwd_status", FLOW_STATS_FWD_STATUS, 1),
                new Member("flags", FLOW_STATS_FLAGS, 1),
                new Member("peer_ifindex", FLOW_STATS_PEER_IFINDEX, 4),
                new Member("src_mac", FLOW_STATS_SRC_MAC, 6),
                new Member("dst_mac", FLOW_STATS_DST_MAC, 6),
                new Member("next_hop", FLOW_STATS_NEXT_HOP, 16))),
        new Struct(
            "flow_slot",
            FLOW_SLOT_SIZE,
            List.of(
                new Member("key", FLOW_SLOT_KEY, FLOW_KEY_SIZE),
                new Member("state", FLOW_SLOT_STATE, 4),
                new Member("stats", FLOW_SLOT_STATS, FLOW_STATS_SIZE))),
        new Struct(
            "fg_clock",
            FG_CLOCK_SIZE,
            List.of(
                new Member("jiffies", FG_CLOCK_JIFFIES, 8),
                new Member("mono_ns", FG_CLOCK_MONO_NS, 8))),
        new Struct(
            "iface_totals",
            IFACE_TOTALS_SIZE,
            List.of(
                new Member("packets", IFACE_TOTALS_PACKETS, 8),
                new Member("bytes", IFACE_TOTALS_BYTES, 8),
                new Member("other_packets", IFACE_TOTALS_OTHER_PACKETS, 8),
                new Member("other_bytes", IFACE_TOTALS_OTHER_BYTES, 8),
                new Member("insert_failed", IFACE_TOTALS_INSERT_FAILED, 8),
                new Member("insert_failed_bytes", IFACE_TOTALS_INSERT_FAILED_BYTES, 8))),
        new Struct(
            "iface_settings",
            IFACE_SETTINGS_SIZE,
            List.of(
                new Member("slot", IFACE_SETTINGS_SLOT, 4),
                new Member("sample_rate", IFACE_SETTINGS_SAMPLE_RATE, 4),
                new Member("flags", IFACE_SETTINGS_FLAGS, 4))),
        new Struct(
            "sample_hdr",
            SAMPLE_HDR_SIZE,
            List.of(
                new Member("timestamp_ns", SAMPLE_HDR_TIMESTAMP_NS, 8),
                new Member("ifindex", SAMPLE_HDR_IFINDEX, 4),
                new Member("orig_len", SAMPLE_HDR_ORIG_LEN, 4),
                new Member("cap_len", SAMPLE_HDR_CAP_LEN, 2),
                new Member("direction", SAMPLE_HDR_DIRECTION, 1),
                new Member("pad", SAMPLE_HDR_PAD, 1),
                new Member("slot", SAMPLE_HDR_SLOT, 4))),
        new Struct(
            "host_key",
            HOST_KEY_SIZE,
            List.of(
                new Member("addr", HOST_KEY_ADDR, 16),
                new Member("direction", HOST_KEY_DIRECTION, 1),
                new Member("pad", HOST_KEY_PAD, 3))),
        new Struct(
            "host_counters",
            HOST_COUNTERS_SIZE,
            java.util.stream.IntStream.range(0, HOST_COUNTER_NAMES.size())
                .mapToObj(i -> new Member(HOST_COUNTER_NAMES.get(i), 8 * i, 8))
                .toList()),
        new Struct("amp_ports", AMP_PORTS_SIZE, List.of(new Member("bits", 0, AMP_PORTS_SIZE))),
        new Struct(
            "sample_counts",
            SAMPLE_COUNTS_SIZE,
            List.of(
                new Member("taken", SAMPLE_COUNTS_TAKEN, 8),
                new Member("dropped", SAMPLE_COUNTS_DROPPED, 8))),
        new Struct(
            "fg_vlan_key",
            VLAN_KEY_SIZE,
            List.of(
                new Member("ifindex", VLAN_KEY_IFINDEX, 4),
                new Member("vlan_id", VLAN_KEY_VLAN_ID, 2),
                new Member("pad", VLAN_KEY_PAD, 2))));
  }

  /** Every enum of flowgate.h: name without "enum " to its enumerators in declaration order. */
  public static Map<String, List<String>> enums() {
    List<String> errors = new java.util.ArrayList<>(DP_ERROR_NAMES);
    errors.add("DP_ERROR_MAX");
    return Map.of(
        "fg_direction", List.of("FG_DIR_INGRESS", "FG_DIR_EGRESS", "FG_DIR_MAX"),
        "fg_error", List.copyOf(errors));
  }

  // ---- readers (little-endian at absolute index) ----

  private static long u64(ByteBuffer b, int i) {
    long v = b.getLong(i);
    return b.order() == ByteOrder.LITTLE_ENDIAN ? v : Long.reverseBytes(v);
  }

  private static long u32(ByteBuffer b, int i) {
    int v = b.getInt(i);
    return Integer.toUnsignedLong(
        b.order() == ByteOrder.LITTLE_ENDIAN ? v : Integer.reverseBytes(v));
  }

  private static int u16(ByteBuffer b, int i) {
    short v = b.getShort(i);
    return Short.toUnsignedInt(b.order() == ByteOrder.LITTLE_ENDIAN ? v : Short.reverseBytes(v));
  }

  private static int u8(ByteBuffer b, int i) {
    return Byte.toUnsignedInt(b.get(i));
  }

  /** Copies flow_key.src_addr (16 bytes) at {@code key} into {@code dst}. */
  public static void flowKeySrcAddr(ByteBuffer b, int key, byte[] dst) {
    b.get(key + FLOW_KEY_SRC_ADDR, dst, 0, 16);
  }

  /** Copies flow_key.dst_addr (16 bytes) at {@code key} into {@code dst}. */
  public static void flowKeyDstAddr(ByteBuffer b, int key, byte[] dst) {
    b.get(key + FLOW_KEY_DST_ADDR, dst, 0, 16);
  }

  /** flow_key.src_port of the key at {@code key}. */
  public static int flowKeySrcPort(ByteBuffer b, int key) {
    return u16(b, key + FLOW_KEY_SRC_PORT);
  }

  /** flow_key.dst_port. */
  public static int flowKeyDstPort(ByteBuffer b, int key) {
    return u16(b, key + FLOW_KEY_DST_PORT);
  }

  /** flow_key.ifindex. */
  public static int flowKeyIfindex(ByteBuffer b, int key) {
    return (int) u32(b, key + FLOW_KEY_IFINDEX);
  }

  /** flow_key.vlan_id. */
  public static int flowKeyVlanId(ByteBuffer b, int key) {
    return u16(b, key + FLOW_KEY_VLAN_ID);
  }

  /** flow_key.protocol. */
  public static int flowKeyProtocol(ByteBuffer b, int key) {
    return u8(b, key + FLOW_KEY_PROTOCOL);
  }

  /** flow_key.direction. */
  public static int flowKeyDirection(ByteBuffer b, int key) {
    return u8(b, key + FLOW_KEY_DIRECTION);
  }

  /** flow_stats.packets of the stats at {@code stats}. */
  public static long flowStatsPackets(ByteBuffer b, int stats) {
    return u64(b, stats + FLOW_STATS_PACKETS);
  }

  /** flow_stats.bytes. */
  public static long flowStatsBytes(ByteBuffer b, int stats) {
    return u64(b, stats + FLOW_STATS_BYTES);
  }

  /** flow_stats.first_seen_ns. */
  public static long flowStatsFirstSeenNs(ByteBuffer b, int stats) {
    return u64(b, stats + FLOW_STATS_FIRST_SEEN_NS);
  }

  /** flow_stats.last_seen_ns. */
  public static long flowStatsLastSeenNs(ByteBuffer b, int stats) {
    return u64(b, stats + FLOW_STATS_LAST_SEEN_NS);
  }

  /** flow_stats.ip_version. */
  public static int flowStatsIpVersion(ByteBuffer b, int stats) {
    return u8(b, stats + FLOW_STATS_IP_VERSION);
  }

  /**
   * Sum over CPUs of one u64 field of a per-CPU value (e.g. iface_totals.packets with {@code field
   * = IFACE_TOTALS_PACKETS}, or an fg_errors counter with {@code field = 0}).
   *
   * @param value absolute index of the per-CPU value ({@link BpfMap#valueBufferSize()} bytes)
   * @param valueSize the map's {@link BpfMap#valueSize()}
   */
  public static long sumPerCpu(ByteBuffer b, int value, int valueSize, int field) {
    int stride = (valueSize + 7) & ~7;
    int cpus = NativeBpf.nrPossibleCpus();
    long sum = 0;
    for (int cpu = 0; cpu < cpus; cpu++) {
      sum += u64(b, value + cpu * stride + field);
    }
    return sum;
  }

  /** Writes a struct iface_settings that holds settings ({@link #SETTINGS_VALID}) at {@code at}. */
  public static void putIfaceSettings(ByteBuffer b, int at, int slot, int sampleRate) {
    putIfaceSettings(b, at, slot, sampleRate, false);
  }

  /**
   * Writes a struct iface_settings that holds settings at {@code at}; {@code rawIp} for an L3
   * device ({@link #SETTINGS_RAW_IP}).
   */
  public static void putIfaceSettings(
      ByteBuffer b, int at, int slot, int sampleRate, boolean rawIp) {
    putIfaceSettings(b, at, slot, sampleRate, rawIp, false);
  }

  /**
   * Like {@link #putIfaceSettings(ByteBuffer, int, int, int, boolean)}; {@code recordMacs} sets
   * {@link #SETTINGS_RECORD_MACS}.
   */
  public static void putIfaceSettings(
      ByteBuffer b, int at, int slot, int sampleRate, boolean rawIp, boolean recordMacs) {
    ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    le.putInt(at + IFACE_SETTINGS_SLOT, slot);
    le.putInt(at + IFACE_SETTINGS_SAMPLE_RATE, sampleRate);
    le.putInt(
        at + IFACE_SETTINGS_FLAGS,
        SETTINGS_VALID | (rawIp ? SETTINGS_RAW_IP : 0) | (recordMacs ? SETTINGS_RECORD_MACS : 0));
  }

  /** Whether an interface's settings sit in the ARRAY {@code fg_settings} (else the HASH). */
  public static boolean settingsDirect(int ifindex) {
    return Integer.toUnsignedLong(ifindex) < SETTINGS_DIRECT;
  }

  /** The settings map of an interface: {@code fg_settings} or {@code fg_settings_far}. */
  public static String settingsMapOf(int ifindex) {
    return settingsDirect(ifindex) ? "fg_settings" : "fg_settings_far";
  }

  /** sample_hdr.timestamp_ns of the header at {@code hdr}. */
  public static long sampleTimestampNs(ByteBuffer b, int hdr) {
    return u64(b, hdr + SAMPLE_HDR_TIMESTAMP_NS);
  }

  /** sample_hdr.ifindex. */
  public static int sampleIfindex(ByteBuffer b, int hdr) {
    return (int) u32(b, hdr + SAMPLE_HDR_IFINDEX);
  }

  /** sample_hdr.orig_len. */
  public static int sampleOrigLen(ByteBuffer b, int hdr) {
    return (int) u32(b, hdr + SAMPLE_HDR_ORIG_LEN);
  }

  /** sample_hdr.cap_len: frame bytes after the header. */
  public static int sampleCapLen(ByteBuffer b, int hdr) {
    return u16(b, hdr + SAMPLE_HDR_CAP_LEN);
  }

  /** sample_hdr.direction. */
  public static int sampleDirection(ByteBuffer b, int hdr) {
    return u8(b, hdr + SAMPLE_HDR_DIRECTION);
  }

  /** sample_hdr.slot. */
  public static int sampleSlot(ByteBuffer b, int hdr) {
    return (int) u32(b, hdr + SAMPLE_HDR_SLOT);
  }
}
