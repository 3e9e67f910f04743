package dev.flowgate.exporters.ipfix;

/**
 * IPFIX protocol numbers: message and set layout (RFC 7011) and the information elements flowgate
 * exports (RFC 7012, IANA "IPFIX Information Elements" registry; the IE number is in each Javadoc).
 */
public final class IpfixConstants {

  /** Version field of every IPFIX message header: 10 (0x000a), RFC 7011 section 3.1. */
  public static final int VERSION = 10;

  /** Message header: version, length, export time, sequence number, observation domain id. */
  public static final int MESSAGE_HEADER_LENGTH = 16;

  /** Set header: set id and length. */
  public static final int SET_HEADER_LENGTH = 4;

  /** Set id of a template set, RFC 7011 section 3.3.2. */
  public static final int TEMPLATE_SET_ID = 2;

  /** Set id of an options template set. */
  public static final int OPTIONS_TEMPLATE_SET_ID = 3;

  /** Largest message length the 16-bit length field can hold. */
  public static final int MAX_MESSAGE_LENGTH = 65535;

  /** Template id of IPv4 flow records (data set ids start at 256). */
  public static final int TEMPLATE_IPV4 = 256;

  /** Template id of IPv6 flow records. */
  public static final int TEMPLATE_IPV6 = 257;

  /** Template id of the exporting process statistics options records. */
  public static final int TEMPLATE_EXPORTER_STATS = 258;

  /** Template id of the interface name options records. */
  public static final int TEMPLATE_INTERFACE_NAMES = 259;

  /** Template id of PSAMP packet sample records (RFC 5476), in the samples' own domain. */
  public static final int TEMPLATE_PACKET_SAMPLE = 260;

  /** Template id of PSAMP selector options records (RFC 5476 section 6.5.2). */
  public static final int TEMPLATE_SELECTOR = 261;

  /** Template id of IPv4 flow records with MAC addresses (interfaces with record-macs). */
  public static final int TEMPLATE_IPV4_MACS = 262;

  /** Template id of IPv6 flow records with MAC addresses. */
  public static final int TEMPLATE_IPV6_MACS = 263;

  /** ipNextHopIPv4Address, IE 15, ipv4Address. */
  public static final int IP_NEXT_HOP_IPV4_ADDRESS = 15;

  /** sourceMacAddress, IE 56, macAddress. */
  public static final int SOURCE_MAC_ADDRESS = 56;

  /** ipNextHopIPv6Address, IE 62, ipv6Address. */
  public static final int IP_NEXT_HOP_IPV6_ADDRESS = 62;

  /** destinationMacAddress, IE 80, macAddress. */
  public static final int DESTINATION_MAC_ADDRESS = 80;

  /** forwardingStatus, IE 89, unsigned8 (RFC 7270 section 4.12: status and reason code). */
  public static final int FORWARDING_STATUS = 89;

  /** octetDeltaCount, IE 1, unsigned64. */
  public static final int OCTET_DELTA_COUNT = 1;

  /** packetDeltaCount, IE 2, unsigned64. */
  public static final int PACKET_DELTA_COUNT = 2;

  /** protocolIdentifier, IE 4, unsigned8. */
  public static final int PROTOCOL_IDENTIFIER = 4;

  /** ipClassOfService, IE 5, unsigned8. */
  public static final int IP_CLASS_OF_SERVICE = 5;

  /** tcpControlBits, IE 6, unsigned16 (RFC 7125). */
  public static final int TCP_CONTROL_BITS = 6;

  /** sourceTransportPort, IE 7, unsigned16. */
  public static final int SOURCE_TRANSPORT_PORT = 7;

  /** sourceIPv4Address, IE 8, ipv4Address. */
  public static final int SOURCE_IPV4_ADDRESS = 8;

  /** ingressInterface, IE 10, unsigned32. */
  public static final int INGRESS_INTERFACE = 10;

  /** destinationTransportPort, IE 11, unsigned16. */
  public static final int DESTINATION_TRANSPORT_PORT = 11;

  /** destinationIPv4Address, IE 12, ipv4Address. */
  public static final int DESTINATION_IPV4_ADDRESS = 12;

  /** egressInterface, IE 14, unsigned32. */
  public static final int EGRESS_INTERFACE = 14;

  /** sourceIPv6Address, IE 27, ipv6Address. */
  public static final int SOURCE_IPV6_ADDRESS = 27;

  /** destinationIPv6Address, IE 28, ipv6Address. */
  public static final int DESTINATION_IPV6_ADDRESS = 28;

  /** icmpTypeCodeIPv4, IE 32, unsigned16: type * 256 + code. */
  public static final int ICMP_TYPE_CODE_IPV4 = 32;

  /** exportedOctetTotalCount, IE 40, unsigned64. */
  public static final int EXPORTED_OCTET_TOTAL_COUNT = 40;

  /** exportedMessageTotalCount, IE 41, unsigned64. */
  public static final int EXPORTED_MESSAGE_TOTAL_COUNT = 41;

  /** exportedFlowRecordTotalCount, IE 42, unsigned64. */
  public static final int EXPORTED_FLOW_RECORD_TOTAL_COUNT = 42;

  /** vlanId, IE 58, unsigned16. */
  public static final int VLAN_ID = 58;

  /** ipVersion, IE 60, unsigned8. */
  public static final int IP_VERSION = 60;

  /** flowDirection, IE 61, unsigned8: 0 ingress, 1 egress. */
  public static final int FLOW_DIRECTION = 61;

  /** interfaceName, IE 82, string. */
  public static final int INTERFACE_NAME = 82;

  /** flowEndReason, IE 136, unsigned8. */
  public static final int FLOW_END_REASON = 136;

  /** icmpTypeCodeIPv6, IE 139, unsigned16: type * 256 + code. */
  public static final int ICMP_TYPE_CODE_IPV6 = 139;

  /** observationDomainId, IE 149, unsigned32. */
  public static final int OBSERVATION_DOMAIN_ID = 149;

  /** flowStartMilliseconds, IE 152, dateTimeMilliseconds. */
  public static final int FLOW_START_MILLISECONDS = 152;

  /** flowEndMilliseconds, IE 153, dateTimeMilliseconds. */
  public static final int FLOW_END_MILLISECONDS = 153;

  /** notSentFlowTotalCount, IE 166, unsigned64. */
  public static final int NOT_SENT_FLOW_TOTAL_COUNT = 166;

  /** selectorId, IE 302, unsigned64 (RFC 5477). */
  public static final int SELECTOR_ID = 302;

  /** selectorAlgorithm, IE 304, unsigned16: 1 = systematic count-based sampling (RFC 5477). */
  public static final int SELECTOR_ALGORITHM = 304;

  /** samplingPacketInterval, IE 305, unsigned32: packets selected in a row. */
  public static final int SAMPLING_PACKET_INTERVAL = 305;

  /** samplingPacketSpace, IE 306, unsigned32: packets skipped between selections. */
  public static final int SAMPLING_PACKET_SPACE = 306;

  /** dataLinkFrameSize, IE 312, unsigned16: the frame's length on the wire. */
  public static final int DATA_LINK_FRAME_SIZE = 312;

  /** dataLinkFrameSection, IE 315, octetArray: the frame's first bytes (variable length). */
  public static final int DATA_LINK_FRAME_SECTION = 315;

  /** observationTimeNanoseconds, IE 325, dateTimeNanoseconds (NTP format, RFC 7011 6.1.10). */
  public static final int OBSERVATION_TIME_NANOSECONDS = 325;

  /** selectorAlgorithm value of systematic count-based sampling (IANA PSAMP registry). */
  public static final int SELECTOR_SYSTEMATIC_COUNT = 1;

  /** Field length announcing a variable-length element (RFC 7011 section 7). */
  public static final int VARIABLE_LENGTH = 65535;

  /** Bytes of interfaceName in the options records: Linux IFNAMSIZ, zero padded. */
  public static final int INTERFACE_NAME_LENGTH = 16;

  private IpfixConstants() {}
}
