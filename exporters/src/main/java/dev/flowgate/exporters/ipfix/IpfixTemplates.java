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
      flowFields(
          SOURCE_IPV4_ADDRESS,
          DESTINATION_IPV4_ADDRESS,
          4,
          ICMP_TYPE_CODE_IPV4,
          IP_NEXT_HOP_IPV4_ADDRESS,
          false);

  /** IPv6 flow record fields (template 257). */
  static final int[] IPV6_FIELDS =
      flowFields(
          SOURCE_IPV6_ADDRESS,
          DESTINATION_IPV6_ADDRESS,
          16,
          ICMP_TYPE_CODE_IPV6,
          IP_NEXT_HOP_IPV6_ADDRESS,
          false);

  /** IPv4 flow record fields with the MAC addresses (template 262). */
  static final int[] IPV4_MACS_FIELDS =
      flowFields(
          SOURCE_IPV4_ADDRESS,
          DESTINATION_IPV4_ADDRESS,
          4,
          ICMP_TYPE_CODE_IPV4,
          IP_NEXT_HOP_IPV4_ADDRESS,
          true);

  /** IPv6 flow record fields with the MAC addresses (template 263). */
  static final int[] IPV6_MACS_FIELDS =
      flowFields(
          SOURCE_IPV6_ADDRESS,
          DESTINATION_IPV6_ADDRESS,
          16,
          ICMP_TYPE_CODE_IPV6,
          IP_NEXT_HOP_IPV6_ADDRESS,
          true);

  /** The data templates in announcement order, ids and fields. */
  private static final int[] DATA_TEMPLATE_IDS = {
    TEMPLATE_IPV4, TEMPLATE_IPV6, TEMPLATE_IPV4_MACS, TEMPLATE_IPV6_MACS
  };

  private static final int[][] DATA_TEMPLATE_FIELDS = {
    IPV4_FIELDS, IPV6_FIELDS, IPV4_MACS_FIELDS, IPV6_MACS_FIELDS
  };

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

  /** Bytes the MAC addresses add to a record (templates 262 and 263): 6 + 6. */
  public static final int MACS_LENGTH = 12;

  /** Bytes of the exporter statistics options record. */
  public static final int EXPORTER_STATS_RECORD_LENGTH = recordLength(EXPORTER_STATS_FIELDS);

  /** Bytes of one interface name options record. */
  public static final int INTERFACE_NAME_RECORD_LENGTH = recordLength(INTERFACE_NAME_FIELDS);

  private IpfixTemplates() {}

  /**
   * A flow record's fields: the family's addresses ({@code addressLength} bytes each), then the
   * fields every family carries, with the family's ICMP type/code element, the next hop of the
   * family and the forwarding status, then (with {@code macs}) the two MAC addresses.
   */
  private static int[] flowFields(
      int sourceAddress,
      int destinationAddress,
      int addressLength,
      int icmpTypeCode,
      int nextHop,
      boolean macs) {
    int[] common = {
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
      nextHop, addressLength,
      FORWARDING_STATUS, 1,
    };
    if (!macs) {
      return common;
    }
    int[] all = java.util.Arrays.copyOf(common, common.length + 4);
    all[common.length] = SOURCE_MAC_ADDRESS;
    all[common.length + 1] = 6;
    all[common.length + 2] = DESTINATION_MAC_ADDRESS;
    all[common.length + 3] = 6;
    return all;
  }

  /**
   * Appends a template set (id 2) with the flow templates (IPv4, IPv6, then both with MACs), then
   * an options template set (id 3) with the statistics and interface name templates.
   */
  static void writeTemplateSets(ByteBuf out) {
    int set = out.writerIndex();
    out.writeShort(TEMPLATE_SET_ID).writeShort(0); // 4: set header, length patched below
    for (int i = 0; i < DATA_TEMPLATE_IDS.length; i++) {
      writeTemplate(out, DATA_TEMPLATE_IDS[i], DATA_TEMPLATE_FIELDS[i]);
    }
    out.setShort(set + 2, out.writerIndex() - set);

    set = out.writerIndex();
    out.writeShort(OPTIONS_TEMPLATE_SET_ID).writeShort(0);
    writeOptionsTemplate(out, TEMPLATE_EXPORTER_STATS, EXPORTER_STATS_FIELDS, 1);
    writeOptionsTemplate(out, TEMPLATE_INTERFACE_NAMES, INTERFACE_NAME_FIELDS, 1);
    out.setShort(set + 2, out.writerIndex() - set);
  }

  /** Bytes {@link #writeTemplateSets} writes. */
  static int templateSetsLength() {
    int flowTemplates = 0;
    for (int[] fields : DATA_TEMPLATE_FIELDS) {
      flowTemplates += 4 + fields.length * 2; // 4: template id + field count; 4 per (id, length)
    }
    return SET_HEADER_LENGTH
        + flowTemplates
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
