package dev.flowgate.exporters.netflow;

/**
 * NetFlow numbers: version 9 (RFC 3954: header, flowset ids, field types) and version 5 (Cisco's
 * fixed format: header and record layout).
 */
public final class NetflowConstants {

  /** Version field of a NetFlow v9 export packet header. */
  public static final int V9_VERSION = 9;

  /** v9 header: version, count, sysUptime, UNIX secs, sequence number, source id. */
  public static final int V9_HEADER_LENGTH = 20;

  /** v9 flowset header: flowset id and length. */
  public static final int V9_FLOWSET_HEADER_LENGTH = 4;

  /** v9 template flowset id, RFC 3954 section 5.2. */
  public static final int V9_TEMPLATE_FLOWSET_ID = 0;

  /** v9 options template flowset id, RFC 3954 section 6.1. */
  public static final int V9_OPTIONS_TEMPLATE_FLOWSET_ID = 1;

  /** v9 options scope type System (RFC 3954 section 6.1). */
  public static final int V9_SCOPE_SYSTEM = 1;

  /** v9 options scope type Interface. */
  public static final int V9_SCOPE_INTERFACE = 2;

  /** v9 template id of IPv4 flow records. */
  public static final int V9_TEMPLATE_IPV4 = 256;

  /** v9 template id of IPv6 flow records. */
  public static final int V9_TEMPLATE_IPV6 = 257;

  /** v9 options template id of the exporter statistics. */
  public static final int V9_TEMPLATE_EXPORTER_STATS = 258;

  /** v9 options template id of the interface names. */
  public static final int V9_TEMPLATE_INTERFACE_NAMES = 259;

  /** v9 template id of IPv4 flow records with MAC addresses (interfaces with record-macs). */
  public static final int V9_TEMPLATE_IPV4_MACS = 260;

  /** v9 template id of IPv6 flow records with MAC addresses. */
  public static final int V9_TEMPLATE_IPV6_MACS = 261;

  /** IPV4_NEXT_HOP, field type 15, 4 bytes. */
  public static final int IPV4_NEXT_HOP = 15;

  /** IN_SRC_MAC, field type 56, 6 bytes. */
  public static final int IN_SRC_MAC = 56;

  /** IPV6_NEXT_HOP, field type 62, 16 bytes. */
  public static final int IPV6_NEXT_HOP = 62;

  /** IN_DST_MAC, field type 80, 6 bytes (IPFIX destinationMacAddress). */
  public static final int IN_DST_MAC = 80;

  /** FORWARDING_STATUS, field type 89, 1 byte (RFC 7270 codes, as IPFIX forwardingStatus). */
  public static final int FORWARDING_STATUS = 89;

  /** IN_BYTES, type 1: incoming bytes (here 8 bytes wide). */
  public static final int IN_BYTES = 1;

  /** IN_PKTS, type 2: incoming packets (here 8 bytes wide). */
  public static final int IN_PKTS = 2;

  /** PROTOCOL, type 4. */
  public static final int PROTOCOL = 4;

  /** SRC_TOS, type 5. */
  public static final int SRC_TOS = 5;

  /** TCP_FLAGS, type 6: cumulative OR of the flags, 1 byte. */
  public static final int TCP_FLAGS = 6;

  /** L4_SRC_PORT, type 7. */
  public static final int L4_SRC_PORT = 7;

  /** IPV4_SRC_ADDR, type 8. */
  public static final int IPV4_SRC_ADDR = 8;

  /** INPUT_SNMP, type 10: input interface index (here 4 bytes wide). */
  public static final int INPUT_SNMP = 10;

  /** L4_DST_PORT, type 11. */
  public static final int L4_DST_PORT = 11;

  /** IPV4_DST_ADDR, type 12. */
  public static final int IPV4_DST_ADDR = 12;

  /** OUTPUT_SNMP, type 14: output interface index (here 4 bytes wide). */
  public static final int OUTPUT_SNMP = 14;

  /** LAST_SWITCHED, type 21: sysUptime in ms of the last packet. */
  public static final int LAST_SWITCHED = 21;

  /** FIRST_SWITCHED, type 22: sysUptime in ms of the first packet. */
  public static final int FIRST_SWITCHED = 22;

  /** IPV6_SRC_ADDR, type 27. */
  public static final int IPV6_SRC_ADDR = 27;

  /** IPV6_DST_ADDR, type 28. */
  public static final int IPV6_DST_ADDR = 28;

  /** ICMP_TYPE, type 32: type * 256 + code. */
  public static final int ICMP_TYPE = 32;

  /** TOTAL_BYTES_EXP, type 40: bytes exported by the observation domain. */
  public static final int TOTAL_BYTES_EXP = 40;

  /** TOTAL_PKTS_EXP, type 41: export packets sent by the observation domain. */
  public static final int TOTAL_PKTS_EXP = 41;

  /** TOTAL_FLOWS_EXP, type 42: flow records exported by the observation domain. */
  public static final int TOTAL_FLOWS_EXP = 42;

  /** SRC_VLAN, type 58: the VLAN id the flow was seen on. */
  public static final int SRC_VLAN = 58;

  /** IP_PROTOCOL_VERSION, type 60: 4 or 6. */
  public static final int IP_PROTOCOL_VERSION = 60;

  /** DIRECTION, type 61: 0 ingress, 1 egress. */
  public static final int DIRECTION = 61;

  /** IF_NAME, type 82: the interface's short name. */
  public static final int IF_NAME = 82;

  /** flowEndReason, type 136 (IANA IPFIX numbering, which v9 shares above 127). */
  public static final int FLOW_END_REASON = 136;

  /** flowStartMilliseconds, type 152 (IANA IPFIX numbering): absolute ms since the epoch. */
  public static final int FLOW_START_MILLISECONDS = 152;

  /** flowEndMilliseconds, type 153 (IANA IPFIX numbering). */
  public static final int FLOW_END_MILLISECONDS = 153;

  /** Bytes of IF_NAME in the options records: Linux IFNAMSIZ, zero padded. */
  public static final int IF_NAME_LENGTH = 16;

  /** Version field of a NetFlow v5 export packet header. */
  public static final int V5_VERSION = 5;

  /** v5 header: version, count, sysUptime, secs, nsecs, flow sequence, engine, sampling. */
  public static final int V5_HEADER_LENGTH = 24;

  /** One v5 flow record. */
  public static final int V5_RECORD_LENGTH = 48;

  /** Most records a v5 packet may carry. */
  public static final int V5_MAX_RECORDS = 30;

  /** The largest v5 counter, 2^32 - 1: larger counters are split over records. */
  public static final long V5_MAX_COUNTER = 0xFFFFFFFFL;

  private NetflowConstants() {}
}
