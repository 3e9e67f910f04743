package dev.flowgate.controlplane.sweep;

/**
 * Byte offsets of the two kernel structs a sweep drains, {@code struct flow_key} and {@code
 * struct flow_stats} of {@code dataplane-bpf/include/flowgate.h}. The kernel's batch drain hands
 * user space {@code n} packed keys and {@code n} packed values, little-endian.
 *
 * <p>A mirror kept here until the sweep reads them from {@code dev.flowgate.bpf.Layout} (the one
 * class a test checks against the compiled object's BTF); change both together with {@code
 * FLOWGATE_SCHEMA_VERSION}.
 */
public final class KernelLayout {

  /** {@code sizeof(struct flow_key)}: 44 bytes. */
  public static final int FLOW_KEY_SIZE = 44;
  /** {@code __u8 src_addr[16]}: IPv6, or IPv4-mapped IPv6. */
  public static final int KEY_SRC_ADDR = 0;
  /** {@code __u8 dst_addr[16]}. */
  public static final int KEY_DST_ADDR = 16;
  /** {@code __u16 src_port}, host order. */
  public static final int KEY_SRC_PORT = 32;
  /** {@code __u16 dst_port}, host order; ICMP: type &lt;&lt; 8 | code. */
  public static final int KEY_DST_PORT = 34;
  /** {@code __u32 ifindex}. */
  public static final int KEY_IFINDEX = 36;
  /** {@code __u16 vlan_id}. */
  public static final int KEY_VLAN_ID = 40;
  /** {@code __u8 protocol}. */
  public static final int KEY_PROTOCOL = 42;
  /** {@code __u8 direction}: 0 ingress, 1 egress. */
  public static final int KEY_DIRECTION = 43;

  /** {@code sizeof(struct flow_stats)}: 40 bytes. */
  public static final int FLOW_STATS_SIZE = 40;
  /** {@code __u64 packets}. */
  public static final int STATS_PACKETS = 0;
  /** {@code __u64 bytes}. */
  public static final int STATS_BYTES = 8;
  /** {@code __u64 first_seen_ns}: coarse CLOCK_MONOTONIC ns. */
  public static final int STATS_FIRST_SEEN_NS = 16;
  /** {@code __u64 last_seen_ns}: coarse CLOCK_MONOTONIC ns. */
  public static final int STATS_LAST_SEEN_NS = 24;
  /** {@code __u32 tcp_flags}: OR of the packets' flags, low 8 bits used. */
  public static final int STATS_TCP_FLAGS = 32;
  /** {@code __u8 tos}. */
  public static final int STATS_TOS = 36;
  /** {@code __u8 ip_version}: 4 or 6. */
  public static final int STATS_IP_VERSION = 37;

  private KernelLayout() {}
}
