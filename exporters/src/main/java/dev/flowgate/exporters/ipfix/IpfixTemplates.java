package dev.flowgate.exporters.ipfix;

import static dev.flowgate.exporters.ipfix.IpfixConstants.*;

import io.netty.buffer.ByteBuf;

/**
 * The templates flowgate announces over IPFIX, as (information element, length) pairs in record
 * order, and their encoding into template and options template sets. {@link IpfixEncoder} writes
 * data records in exactly this order; a test checks that the lengths add up to the record sizes.
 */
public final class IpfixTemplates {

  /** IPv4 flow record fields (template 256). */
  static final int[] IPV4_FIELDS =
      flowFields(SOURCE_IPV4_ADDRESS, DESTINATION_IPV4_ADDRESS, 4, ICMP_TYPE_CODE_IPV4);

  /** IPv6 flow record fields (template 257). */
  static final int[] IPV6_FIELDS =
      flowFields(SOURCE_IPV6_ADDRESS, DESTINATION_IPV6_ADDRESS, 16, ICMP_TYPE_CODE_IPV6);

  /** Exporting process statistics (template 258): one scope field, then four counters. */
  static final int[] EXPORTER_STATS_FIELDS = {
    OBSERVATION_DOMAIN_ID, 4,
    EXPORTED_MESSAGE_TOTAL_COUNT, 8,
    EXPORTED_FLOW_RECORD_TOTAL_COUNT, 8,
    EXPORTED_OCTET_TOTAL_COUNT, 8,
    NOT_SENT_FLOW_TOTAL_COUNT, 8,
  };

  /** Interface names (template 259): scope ingressInterface, then interfaceName. */
  static final int[] INTERFACE_NAME_FIELDS = {
    INGRESS_INTERFACE, 4, INTERFACE_NAME, INTERFACE_NAME_LENGTH,
  };

  /** Bytes of one IPv4 data record: the sum of {@link #IPV4_FIELDS} lengths. */
  public static final int IPV4_RECORD_LENGTH = recordLength(IPV4_FIELDS);

  /** Bytes of one IPv6 data record. */
  public static final int IPV6_RECORD_LENGTH = recordLength(IPV6_FIELDS);

  /** Bytes of the exporter statistics options record. */
  public static final int EXPORTER_STATS_RECORD_LENGTH = recordLength(EXPORTER_STATS_FIELDS);

  /** Bytes of one interface name options record. */
  public static final int INTERFACE_NAME_RECORD_LENGTH = recordLength(INTERFACE_NAME_FIELDS);

  private IpfixTemplates() {}

  /**
   * A flow record's fields: the family's addresses ({@code addressLength} bytes each), then the
   * fields every family carries, with the family's ICMP type/code element.
   */
  private static int[] flowFields(
      int sourceAddress, int destinationAddress, int addressLength, int icmpTypeCode) {
    return new int[] {
      sourceAddress, addressLength,
      destinationAddress, addressLength,
      SOURCE_TRANSPORT_PORT, 2,
      DESTINATION_TRANSPORT_PORT, 2,
      PROTOCOL_IDENTIFIER, 1,
      IP_CLASS_OF_SERVICE, 1,
      TCP_CONTROL_BITS, 2,
      OCTET_DELTA_COUNT, 8,
      PACKET_DELTA_COUNT, 8,
      FLOW_START_MILLISECONDS, 8,
      FLOW_END_MILLISECONDS, 8,
      INGRESS_INTERFACE, 4,
      EGRESS_INTERFACE, 4,
      VLAN_ID, 2,
      icmpTypeCode, 2,
      FLOW_DIRECTION, 1,
      FLOW_END_REASON, 1,
      IP_VERSION, 1,
    };
  }

  /**
   * Appends a template set (id 2) with the IPv4 and IPv6 templates, then an options template set
   * (id 3) with the statistics and interface name templates.
   */
  static void writeTemplateSets(ByteBuf out) {
    int set = out.writerIndex();
    out.writeShort(TEMPLATE_SET_ID).writeShort(0); // 4: set header, length patched below
    writeTemplate(out, TEMPLATE_IPV4, IPV4_FIELDS);
    writeTemplate(out, TEMPLATE_IPV6, IPV6_FIELDS);
    out.setShort(set + 2, out.writerIndex() - set);

    set = out.writerIndex();
    out.writeShort(OPTIONS_TEMPLATE_SET_ID).writeShort(0);
    writeOptionsTemplate(out, TEMPLATE_EXPORTER_STATS, EXPORTER_STATS_FIELDS, 1);
    writeOptionsTemplate(out, TEMPLATE_INTERFACE_NAMES, INTERFACE_NAME_FIELDS, 1);
    out.setShort(set + 2, out.writerIndex() - set);
  }

  /** Bytes {@link #writeTemplateSets} writes. */
  static int templateSetsLength() {
    return SET_HEADER_LENGTH
        + 4
        + IPV4_FIELDS.length * 2 // 4: template id + field count; 4 per (id, length) pair
        + 4
        + IPV6_FIELDS.length * 2
        + SET_HEADER_LENGTH
        + 6
        + EXPORTER_STATS_FIELDS.length * 2 // 6: id, field count, scope field count
        + 6
        + INTERFACE_NAME_FIELDS.length * 2;
  }

  private static void writeTemplate(ByteBuf out, int id, int[] fields) {
    out.writeShort(id).writeShort(fields.length / 2);
    writeFieldSpecifiers(out, fields);
  }

  private static void writeOptionsTemplate(ByteBuf out, int id, int[] fields, int scopeCount) {
    out.writeShort(id).writeShort(fields.length / 2).writeShort(scopeCount);
    writeFieldSpecifiers(out, fields);
  }

  private static void writeFieldSpecifiers(ByteBuf out, int[] fields) {
    for (int i = 0; i < fields.length; i += 2) {
      out.writeShort(fields[i]).writeShort(fields[i + 1]); // enterprise bit clear: IANA elements
    }
  }

  static int recordLength(int[] fields) {
    int n = 0;
    for (int i = 1; i < fields.length; i += 2) {
      n += fields[i];
    }
    return n;
  }
}
