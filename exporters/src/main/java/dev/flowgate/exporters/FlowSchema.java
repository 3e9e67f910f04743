package dev.flowgate.exporters;

import java.util.List;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The one Arrow schema every stage hands on: interval batches from the sweeper, finished flows from
 * the flow cache, the Arrow IPC files and {@code /api/v1/flows.arrow}.
 *
 * <p>A row is one flow record. Column names are the IPFIX information element names (RFC 7012, IANA
 * registry) where one exists, so a reader of the Arrow files needs no other dictionary. Addresses
 * are 16 bytes: IPv4 is IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}) and {@link #IP_VERSION} says
 * which family the flow is. Counters are deltas over the record's lifetime.
 *
 * <p>Column positions are fixed: hot loops use the {@code *_INDEX} constants with {@code
 * root.getVector(int)} rather than looking names up per row.
 */
public final class FlowSchema {

  /** sourceIPv6Address (IE 27) or IPv4-mapped sourceIPv4Address (IE 8); FixedSizeBinary(16). */
  public static final String SRC_ADDR = "sourceAddress";

  /** destinationIPv6Address (IE 28) or IPv4-mapped destinationIPv4Address (IE 12). */
  public static final String DST_ADDR = "destinationAddress";

  /** sourceTransportPort (IE 7), uint16; 0 for ICMP and non-first fragments. */
  public static final String SRC_PORT = "sourceTransportPort";

  /** destinationTransportPort (IE 11), uint16; ICMP: type &lt;&lt; 8 | code. */
  public static final String DST_PORT = "destinationTransportPort";

  /** protocolIdentifier (IE 4), uint8. */
  public static final String PROTOCOL = "protocolIdentifier";

  /** ipVersion (IE 60), uint8: 4 or 6. */
  public static final String IP_VERSION = "ipVersion";

  /**
   * The ifindex of the interface the flow was observed on (part of the flow's key), uint32: equal
   * to {@link #INGRESS_IFINDEX} for an ingress flow and to {@link #EGRESS_IFINDEX} for an egress
   * flow.
   */
  public static final String IFINDEX = "interface";

  /** flowDirection (IE 61), uint8: 0 ingress, 1 egress. */
  public static final String DIRECTION = "flowDirection";

  /** vlanId (IE 58), uint16: the outer tag's VID, 0 if untagged. */
  public static final String VLAN_ID = "vlanId";

  /** ipClassOfService (IE 5), uint8. */
  public static final String TOS = "ipClassOfService";

  /** tcpControlBits (IE 6), uint8: OR of every packet's flags. */
  public static final String TCP_FLAGS = "tcpControlBits";

  /** packetDeltaCount (IE 2), uint64. */
  public static final String PACKETS = "packetDeltaCount";

  /** octetDeltaCount (IE 1), uint64: IP header and payload bytes. */
  public static final String BYTES = "octetDeltaCount";

  /** flowStartMilliseconds (IE 152): timestamp(ms, UTC). */
  public static final String START = "flowStartMilliseconds";

  /** flowEndMilliseconds (IE 153): timestamp(ms, UTC). */
  public static final String END = "flowEndMilliseconds";

  /**
   * flowEndReason (IE 136), uint8: 0 for an interval record that has not ended, else {@link
   * EndReason#code()}.
   */
  public static final String END_REASON = "flowEndReason";

  /**
   * ingressInterface (IE 10), uint32: where the flow entered this host. For an ingress flow the
   * observed {@link #IFINDEX}; for an egress flow the skb's ingress ifindex (0: the host sent it).
   */
  public static final String INGRESS_IFINDEX = "ingressInterface";

  /**
   * egressInterface (IE 14), uint32: where the flow leaves this host. For an egress flow the
   * observed {@link #IFINDEX}; for an ingress flow the kernel FIB's answer for its first packet (0:
   * not forwarded, or unknown).
   */
  public static final String EGRESS_IFINDEX = "egressInterface";

  /**
   * ipNextHopIPv6Address (IE 62) or IPv4-mapped ipNextHopIPv4Address (IE 15), FixedSizeBinary(16):
   * the FIB's next hop for the flow's first packet (the gateway, or the destination itself when
   * directly connected); all zero when none is known.
   */
  public static final String NEXT_HOP = "ipNextHopAddress";

  /**
   * forwardingStatus (IE 89, RFC 7270), uint8: 64 forwarded, 129 dropped (prohibit route), 130
   * dropped (blackhole route), 131 dropped (unroutable: no route, unreachable route), 195 consumed
   * (addressed to this host), 0 unknown (no lookup: sent by this host, forwarding off).
   */
  public static final String FORWARDING_STATUS = "forwardingStatus";

  /**
   * sourceMacAddress (IE 56), FixedSizeBinary(6) in wire order: of the flow's first packet, on
   * interfaces with {@code record-macs: true}; all zero otherwise.
   */
  public static final String SRC_MAC = "sourceMacAddress";

  /** destinationMacAddress (IE 80), FixedSizeBinary(6); as {@link #SRC_MAC}. */
  public static final String DST_MAC = "destinationMacAddress";

  /**
   * The schema's version: 1. Raised whenever a column is added, removed or changes type, so a
   * reader of Kafka messages (which carry it in a header) knows what it is reading.
   */
  public static final int VERSION = 1;

  public static final int SRC_ADDR_INDEX = 0;
  public static final int DST_ADDR_INDEX = 1;
  public static final int SRC_PORT_INDEX = 2;
  public static final int DST_PORT_INDEX = 3;
  public static final int PROTOCOL_INDEX = 4;
  public static final int IP_VERSION_INDEX = 5;
  public static final int IFINDEX_INDEX = 6;
  public static final int DIRECTION_INDEX = 7;
  public static final int VLAN_ID_INDEX = 8;
  public static final int TOS_INDEX = 9;
  public static final int TCP_FLAGS_INDEX = 10;
  public static final int PACKETS_INDEX = 11;
  public static final int BYTES_INDEX = 12;
  public static final int START_INDEX = 13;
  public static final int END_INDEX = 14;
  public static final int END_REASON_INDEX = 15;
  public static final int INGRESS_IFINDEX_INDEX = 16;
  public static final int EGRESS_IFINDEX_INDEX = 17;
  public static final int NEXT_HOP_INDEX = 18;
  public static final int FORWARDING_STATUS_INDEX = 19;
  public static final int SRC_MAC_INDEX = 20;
  public static final int DST_MAC_INDEX = 21;

  /** The schema; immutable and shared. */
  public static final Schema SCHEMA =
      new Schema(
          List.of(
              field(SRC_ADDR, new ArrowType.FixedSizeBinary(16)),
              field(DST_ADDR, new ArrowType.FixedSizeBinary(16)),
              field(SRC_PORT, new ArrowType.Int(16, false)),
              field(DST_PORT, new ArrowType.Int(16, false)),
              field(PROTOCOL, new ArrowType.Int(8, false)),
              field(IP_VERSION, new ArrowType.Int(8, false)),
              field(IFINDEX, new ArrowType.Int(32, false)),
              field(DIRECTION, new ArrowType.Int(8, false)),
              field(VLAN_ID, new ArrowType.Int(16, false)),
              field(TOS, new ArrowType.Int(8, false)),
              field(TCP_FLAGS, new ArrowType.Int(8, false)),
              field(PACKETS, new ArrowType.Int(64, false)),
              field(BYTES, new ArrowType.Int(64, false)),
              field(START, new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC")),
              field(END, new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC")),
              field(END_REASON, new ArrowType.Int(8, false)),
              field(INGRESS_IFINDEX, new ArrowType.Int(32, false)),
              field(EGRESS_IFINDEX, new ArrowType.Int(32, false)),
              field(NEXT_HOP, new ArrowType.FixedSizeBinary(16)),
              field(FORWARDING_STATUS, new ArrowType.Int(8, false)),
              field(SRC_MAC, new ArrowType.FixedSizeBinary(6)),
              field(DST_MAC, new ArrowType.FixedSizeBinary(6))));

  private FlowSchema() {}

  private static Field field(String name, ArrowType type) {
    return new Field(name, FieldType.notNullable(type), null);
  }
}
