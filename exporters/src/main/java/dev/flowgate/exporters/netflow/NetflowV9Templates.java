package dev.flowgate.exporters.netflow;

import static dev.flowgate.exporters.netflow.NetflowConstants.*;

import io.netty.buffer.ByteBuf;

/**
 * The NetFlow v9 templates flowgate announces, as (field type, length) pairs in record order, and
 * their encoding into a template flowset and an options template flowset (RFC 3954 sections 5.2 and
 * 6.1). {@link NetflowV9Encoder} writes data records in exactly this order.
 */
public final class NetflowV9Templates {

  /** IPv4 flow record fields (template 256). */
  static final int[] IPV4_FIELDS =
      flowFields(IPV4_SRC_ADDR, IPV4_DST_ADDR, 4, IPV4_NEXT_HOP, false);

  /** IPv6 flow record fields (template 257). */
  static final int[] IPV6_FIELDS =
      flowFields(IPV6_SRC_ADDR, IPV6_DST_ADDR, 16, IPV6_NEXT_HOP, false);

  /** IPv4 flow record fields with MAC addresses (template 260). */
  static final int[] IPV4_MACS_FIELDS =
      flowFields(IPV4_SRC_ADDR, IPV4_DST_ADDR, 4, IPV4_NEXT_HOP, true);

  /** IPv6 flow record fields with MAC addresses (template 261). */
  static final int[] IPV6_MACS_FIELDS =
      flowFields(IPV6_SRC_ADDR, IPV6_DST_ADDR, 16, IPV6_NEXT_HOP, true);

  private static final int[] DATA_TEMPLATE_IDS = {
    V9_TEMPLATE_IPV4, V9_TEMPLATE_IPV6, V9_TEMPLATE_IPV4_MACS, V9_TEMPLATE_IPV6_MACS
  };

  private static final int[][] DATA_TEMPLATE_FIELDS = {
    IPV4_FIELDS, IPV6_FIELDS, IPV4_MACS_FIELDS, IPV6_MACS_FIELDS
  };

  /** Bytes the MAC addresses add to a record: 6 + 6. */
  public static final int MACS_LENGTH = 12;

  /** Exporter statistics (options template 258): scope System, three totals. */
  static final int[] EXPORTER_STATS_SCOPE = {V9_SCOPE_SYSTEM, 4};

  static final int[] EXPORTER_STATS_FIELDS = {
    TOTAL_PKTS_EXP, 8,
    TOTAL_FLOWS_EXP, 8,
    TOTAL_BYTES_EXP, 8,
  };

  /** Interface names (options template 259): scope Interface, IF_NAME. */
  static final int[] INTERFACE_NAME_SCOPE = {V9_SCOPE_INTERFACE, 4};

  static final int[] INTERFACE_NAME_FIELDS = {IF_NAME, IF_NAME_LENGTH};

  /** Bytes of one IPv4 data record. */
  public static final int IPV4_RECORD_LENGTH = length(IPV4_FIELDS);

  /** Bytes of one IPv6 data record. */
  public static final int IPV6_RECORD_LENGTH = length(IPV6_FIELDS);

  /** Bytes of the exporter statistics record: scope and fields. */
  public static final int EXPORTER_STATS_RECORD_LENGTH =
      length(EXPORTER_STATS_SCOPE) + length(EXPORTER_STATS_FIELDS);

  /** Bytes of one interface name record. */
  public static final int INTERFACE_NAME_RECORD_LENGTH =
      length(INTERFACE_NAME_SCOPE) + length(INTERFACE_NAME_FIELDS);

  /** Template records written by {@link #writeTemplateFlowsets}: four templates, two options. */
  static final int TEMPLATE_RECORD_COUNT = 6;

  private NetflowV9Templates() {}

  /**
   * A flow record's fields: the family's addresses ({@code addressLength} bytes each), then the
   * fields every family carries alike (ICMP_TYPE too, for IPv4 and IPv6), the family's next hop,
   * the forwarding status, then (with {@code macs}) the two MAC addresses.
   */
  private static int[] flowFields(
      int srcAddr, int dstAddr, int addressLength, int nextHop, boolean macs) {
    int[] common = {
      srcAddr, addressLength,
      dstAddr, addressLength,
      L4_SRC_PORT, 2,
      L4_DST_PORT, 2,
      PROTOCOL, 1,
      SRC_TOS, 1,
      TCP_FLAGS, 1,
      IN_BYTES, 8,
      IN_PKTS, 8,
      FLOW_START_MILLISECONDS, 8,
      FLOW_END_MILLISECONDS, 8,
      INPUT_SNMP, 4,
      OUTPUT_SNMP, 4,
      SRC_VLAN, 2,
      ICMP_TYPE, 2,
      DIRECTION, 1,
      FLOW_END_REASON, 1,
      IP_PROTOCOL_VERSION, 1,
      nextHop, addressLength,
      FORWARDING_STATUS, 1,
    };
    if (!macs) {
      return common;
    }
    int[] all = java.util.Arrays.copyOf(common, common.length + 4);
    all[common.length] = IN_SRC_MAC;
    all[common.length + 1] = 6;
    all[common.length + 2] = IN_DST_MAC;
    all[common.length + 3] = 6;
    return all;
  }

  /** Appends the template flowset and the options template flowset, each padded to 4 bytes. */
  static void writeTemplateFlowsets(ByteBuf out) {
    int flowset = out.writerIndex();
    out.writeShort(V9_TEMPLATE_FLOWSET_ID).writeShort(0); // 4: flowset header, length below
    for (int i = 0; i < DATA_TEMPLATE_IDS.length; i++) {
      writeTemplate(out, DATA_TEMPLATE_IDS[i], DATA_TEMPLATE_FIELDS[i]);
    }
    closeFlowset(out, flowset);

    flowset = out.writerIndex();
    out.writeShort(V9_OPTIONS_TEMPLATE_FLOWSET_ID).writeShort(0);
    writeOptionsTemplate(
        out, V9_TEMPLATE_EXPORTER_STATS, EXPORTER_STATS_SCOPE, EXPORTER_STATS_FIELDS);
    writeOptionsTemplate(
        out, V9_TEMPLATE_INTERFACE_NAMES, INTERFACE_NAME_SCOPE, INTERFACE_NAME_FIELDS);
    closeFlowset(out, flowset);
  }

  /** Bytes {@link #writeTemplateFlowsets} writes, padding included. */
  static int templateFlowsetsLength() {
    int templates = V9_FLOWSET_HEADER_LENGTH;
    for (int[] fields : DATA_TEMPLATE_FIELDS) {
      templates += 4 + fields.length * 2; // 4: template id + field count; 4 per (type, length)
    }
    int options =
        V9_FLOWSET_HEADER_LENGTH
            + 6
            + (EXPORTER_STATS_SCOPE.length + EXPORTER_STATS_FIELDS.length) * 2 // 6: id, lengths
            + 6
            + (INTERFACE_NAME_SCOPE.length + INTERFACE_NAME_FIELDS.length) * 2;
    return pad4(templates) + pad4(options);
  }

  /** Pads the flowset that starts at {@code flowset} to a 4-byte multiple and sets its length. */
  static void closeFlowset(ByteBuf out, int flowset) {
    int length = out.writerIndex() - flowset;
    out.writeZero(pad4(length) - length); // RFC 3954: pad so the next flowset is 4-byte aligned
    out.setShort(flowset + 2, out.writerIndex() - flowset);
  }

  static int pad4(int n) {
    return (n + 3) & ~3;
  }

  private static void writeTemplate(ByteBuf out, int id, int[] fields) {
    out.writeShort(id).writeShort(fields.length / 2);
    writePairs(out, fields);
  }

  private static void writeOptionsTemplate(ByteBuf out, int id, int[] scope, int[] fields) {
    out.writeShort(id);
    out.writeShort(scope.length * 2); // option scope length: 4 bytes per (type, length) pair
    out.writeShort(fields.length * 2); // option length: 4 bytes per pair
    writePairs(out, scope);
    writePairs(out, fields);
  }

  private static void writePairs(ByteBuf out, int[] pairs) {
    for (int i = 0; i < pairs.length; i += 2) {
      out.writeShort(pairs[i]).writeShort(pairs[i + 1]);
    }
  }

  static int length(int[] pairs) {
    int n = 0;
    for (int i = 1; i < pairs.length; i += 2) {
      n += pairs[i];
    }
    return n;
  }
}
