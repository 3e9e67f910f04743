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

  /** ingressInterface (IE 10) or egressInterface (IE 14) by direction: the ifindex, uint32. */
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
              field(END_REASON, new ArrowType.Int(8, false))));

  private FlowSchema() {}

  private static Field field(String name, ArrowType type) {
    return new Field(name, FieldType.notNullable(type), null);
  }
}
