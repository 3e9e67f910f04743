package dev.flowgate.exporters.kafka;

import dev.flowgate.exporters.FlowColumns;

/**
 * Encodes flow rows as goflow2 FlowMessages ({@code pb/flow.proto}, shipped as {@code flow.proto}),
 * each prefixed by its length as a varint: the framing goflow2's Kafka transport uses, read by
 * {@code parseDelimitedFrom} in Java and by ClickHouse's {@code Protobuf} format.
 *
 * <p>Hand-written wire encoding (no protobuf runtime in production): proto3 scalars that are 0 are
 * left out as a protobuf encoder would. Fields written, with their flow.proto numbers:
 *
 * <ul>
 *   <li>1 {@code type} = 4 (IPFIX), 3 {@code sampling_rate} = 1 (flowgate counts every packet),
 *       110 {@code time_received_ns} (when the message was encoded), 111/112 {@code
 *       time_flow_start_ns}/{@code time_flow_end_ns} (flowStart/EndMilliseconds x 10^6);
 *   <li>9 {@code bytes}, 10 {@code packets}; 6/7 {@code src_addr}/{@code dst_addr} (4 bytes for
 *       IPv4, 16 for IPv6, network order as goflow2 sends them); 30 {@code etype} (0x0800 or
 *       0x86dd); 20 {@code proto};
 *   <li>21/22 {@code src_port}/{@code dst_port}, or for ICMP and ICMPv6 31/32 {@code
 *       icmp_type}/{@code icmp_code} (flowgate's destination port carries type and code);
 *   <li>18/19 {@code in_if}/{@code out_if}: ingressInterface and egressInterface (the observed
 *       interface, and the kernel FIB's answer or the skb's ingress for the other side; 0 when
 *       unknown); 12 {@code next_hop} (4 or 16 bytes, left out when none is known); 24 {@code
 *       forwarding_status} (RFC 7270 code, as IPFIX IE 89); 27/28 {@code src_mac}/{@code dst_mac}
 *       (the six bytes as a 48-bit number, as goflow2 stores them; 0 unless the interface records
 *       MACs);
 *   <li>29 {@code vlan_id}; 23 {@code ip_tos}; 26 {@code tcp_flags}; 70 {@code
 *       observation_domain_id}.
 * </ul>
 *
 * <p>Not filled: the fields of sampled packet headers, AS and BGP data that a flow probe does not
 * know.
 */
public final class ProtobufFlowEncoder {

  /** FlowMessage.FlowType.IPFIX. */
  static final int TYPE_IPFIX = 4;

  /**
   * Largest FlowMessage this encoder writes, in bytes: three 16-byte addresses (54 with tags and
   * lengths) and 21 varint fields (at most 12 bytes each with their tags).
   */
  public static final int MAX_MESSAGE_BYTES = 320;

  private static final int ETYPE_IPV4 = 0x0800;
  private static final int ETYPE_IPV6 = 0x86dd;
  private static final int ICMP = 1;
  private static final int ICMPV6 = 58;

  // wire types
  private static final int VARINT = 0;
  private static final int LEN = 2;

  private final long observationDomainId;
  private final byte[] scratch = new byte[MAX_MESSAGE_BYTES];

  /** An encoder stamping {@code observationDomainId} into every message. */
  public ProtobufFlowEncoder(long observationDomainId) {
    this.observationDomainId = observationDomainId;
  }

  /**
   * Appends row {@code row} of {@code flows}, varint length first, to {@code out} at {@code pos}
   * ({@code out} must have {@link #MAX_MESSAGE_BYTES} + 2 bytes free there). Returns the position
   * after it.
   *
   * @param receivedNanos time_received_ns, the same for a whole batch
   */
  public int encodeDelimited(FlowColumns flows, int row, long receivedNanos, byte[] out, int pos) {
    int length = encode(flows, row, receivedNanos, scratch);
    pos = varint(out, pos, length); // at most 2 bytes: length <= 320
    System.arraycopy(scratch, 0, out, pos, length);
    return pos + length;
  }

  /** Writes the FlowMessage of {@code row} into {@code out} from 0; returns its length. */
  int encode(FlowColumns flows, int row, long receivedNanos, byte[] out) {
    int p = 0;
    p = uint(out, p, 1, TYPE_IPFIX);
    p = uint(out, p, 3, 1);
    boolean v4 = flows.isIpv4(row);
    p = address(out, p, 6, v4, flows.srcHigh(row), flows.srcLow(row));
    p = address(out, p, 7, v4, flows.dstHigh(row), flows.dstLow(row));
    p = uint(out, p, 9, flows.bytes(row));
    p = uint(out, p, 10, flows.packets(row));
    long hopHigh = flows.nextHopHigh(row);
    long hopLow = flows.nextHopLow(row);
    if (hopHigh != 0 || hopLow != 0) {
      p = address(out, p, 12, v4, hopHigh, hopLow);
    }
    p = uint(out, p, 18, flows.ingressInterface(row));
    p = uint(out, p, 19, flows.egressInterface(row));
    int proto = flows.protocol(row);
    p = uint(out, p, 20, proto);
    int dstPort = flows.dstPort(row);
    boolean icmp = proto == ICMP || proto == ICMPV6;
    if (!icmp) {
      p = uint(out, p, 21, flows.srcPort(row));
      p = uint(out, p, 22, dstPort);
    }
    p = uint(out, p, 23, flows.tos(row));
    p = uint(out, p, 24, flows.forwardingStatus(row));
    p = uint(out, p, 26, flows.tcpFlags(row));
    p = uint(out, p, 27, flows.srcMac(row));
    p = uint(out, p, 28, flows.dstMac(row));
    p = uint(out, p, 29, flows.vlanId(row));
    p = uint(out, p, 30, v4 ? ETYPE_IPV4 : ETYPE_IPV6);
    if (icmp) {
      p = uint(out, p, 31, dstPort >>> 8);
      p = uint(out, p, 32, dstPort & 0xFF);
    }
    p = uint(out, p, 70, observationDomainId);
    p = uint(out, p, 110, receivedNanos);
    p = uint(out, p, 111, flows.startMillis(row) * 1_000_000L);
    p = uint(out, p, 112, flows.endMillis(row) * 1_000_000L);
    return p;
  }

  /** A varint field, left out when 0 (proto3). */
  private static int uint(byte[] out, int p, int field, long value) {
    if (value == 0) {
      return p;
    }
    p = varint(out, p, (field << 3) | VARINT);
    return varint(out, p, value);
  }

  /** An address field: the last 4 bytes of the IPv4-mapped address, or all 16. */
  private static int address(byte[] out, int p, int field, boolean v4, long high, long low) {
    p = varint(out, p, (field << 3) | LEN);
    if (v4) {
      out[p++] = 4;
      return putInt(out, p, (int) low);
    }
    out[p++] = 16;
    p = putInt(out, p, (int) (high >>> 32));
    p = putInt(out, p, (int) high);
    p = putInt(out, p, (int) (low >>> 32));
    return putInt(out, p, (int) low);
  }

  private static int putInt(byte[] out, int p, int v) {
    out[p] = (byte) (v >>> 24);
    out[p + 1] = (byte) (v >>> 16);
    out[p + 2] = (byte) (v >>> 8);
    out[p + 3] = (byte) v;
    return p + 4;
  }

  /** An unsigned base-128 varint, low groups first. */
  static int varint(byte[] out, int p, long v) {
    while ((v & ~0x7FL) != 0) {
      out[p++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out[p++] = (byte) v;
    return p;
  }
}
