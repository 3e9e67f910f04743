package dev.flowgate.exporters.netflow;

import static dev.flowgate.exporters.netflow.NetflowConstants.*;

import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.encode.EncodeCursor;
import dev.flowgate.exporters.encode.ExportTotals;
import dev.flowgate.exporters.encode.TemplateFormatEncoder;
import io.netty.buffer.ByteBuf;
import java.util.SortedMap;

/**
 * Encodes NetFlow v9 export packets (RFC 3954) with {@link NetflowV9Templates}' templates.
 *
 * <p>Times are absolute: flowStartMilliseconds/flowEndMilliseconds (types 152/153, shared with
 * IPFIX), which nfdump 1.7, pmacct and Wireshark decode in v9 too. That avoids v9's
 * FIRST_SWITCHED/LAST_SWITCHED, which are relative to a 32-bit sysUptime (wraps after 49.7 days,
 * cannot express a flow older than the exporter). The header still carries sysUptime: ms since an
 * epoch given at construction, stamped on the same whole second as UNIX secs.
 *
 * <p>ICMP flows carry type * 256 + code in ICMP_TYPE (type 32, for IPv4 and IPv6 alike: nfdump
 * reads ICMPv6 type/code from it, not from 139) and, as NetFlow collectors expect, in L4_DST_PORT.
 * Flowsets are padded to 4 bytes.
 */
public final class NetflowV9Encoder extends TemplateFormatEncoder {

  private static final int PROTO_ICMP = 1;
  private static final int PROTO_ICMPV6 = 58;

  private final long uptimeEpochMillis;

  /**
   * @param sourceId the header's source id (the observation domain), unsigned 32-bit
   * @param maxMessageSize the longest export packet, header included
   * @param uptimeEpochMillis when sysUptime was 0, in ms since the Unix epoch
   */
  public NetflowV9Encoder(long sourceId, int maxMessageSize, long uptimeEpochMillis) {
    super("source id", sourceId, maxMessageSize, minimumMessageSize(), 65535); // 65535: UDP
    this.uptimeEpochMillis = uptimeEpochMillis;
  }

  /** The smallest max message size that holds the template packet. */
  public static int minimumMessageSize() {
    return V9_HEADER_LENGTH + NetflowV9Templates.templateFlowsetsLength();
  }

  @Override
  public boolean encodeData(FlowColumns flows, EncodeCursor cursor, ByteBuf out) {
    int rows = flows.rowCount();
    cursor.records = 0;
    cursor.packets = 0;
    cursor.bytes = 0;
    if (cursor.row >= rows) {
      return false;
    }
    int packet = out.writerIndex();
    // 3: the most padding the last flowset can need
    int limit = packet + maxMessageSize() - 3;
    writeHeader(out);
    int flowset = -1;
    int flowsetTemplate = 0;
    int row = cursor.row;
    for (; row < rows; row++) {
      boolean ipv4 = flows.isIpv4(row);
      boolean macs = flows.hasMacs(row);
      int template =
          ipv4
              ? (macs ? V9_TEMPLATE_IPV4_MACS : V9_TEMPLATE_IPV4)
              : (macs ? V9_TEMPLATE_IPV6_MACS : V9_TEMPLATE_IPV6);
      boolean newFlowset = flowset < 0 || template != flowsetTemplate;
      int need =
          (ipv4 ? NetflowV9Templates.IPV4_RECORD_LENGTH : NetflowV9Templates.IPV6_RECORD_LENGTH)
              + (macs ? NetflowV9Templates.MACS_LENGTH : 0);
      if (newFlowset) {
        // 4 + 3: header of the new flowset and the padding that may close the previous one
        need += V9_FLOWSET_HEADER_LENGTH + 3;
      }
      if (out.writerIndex() + need > limit) {
        break;
      }
      if (newFlowset) {
        if (flowset >= 0) {
          NetflowV9Templates.closeFlowset(out, flowset);
        }
        flowset = out.writerIndex();
        flowsetTemplate = template;
        out.writeShort(template).writeShort(0);
      }
      writeRecord(flows, row, ipv4, macs, out);
      cursor.records++;
      cursor.packets += flows.packets(row);
      cursor.bytes += flows.bytes(row);
    }
    NetflowV9Templates.closeFlowset(out, flowset);
    finish(out, packet, cursor.records);
    cursor.row = row;
    return true;
  }

  private void writeRecord(FlowColumns flows, int row, boolean ipv4, boolean macs, ByteBuf out) {
    if (ipv4) {
      out.writeInt(flows.srcIpv4(row)).writeInt(flows.dstIpv4(row)); // 4 + 4
    } else {
      out.writeLong(flows.srcHigh(row)).writeLong(flows.srcLow(row)); // 16
      out.writeLong(flows.dstHigh(row)).writeLong(flows.dstLow(row)); // 16
    }
    int protocol = flows.protocol(row);
    boolean icmp = protocol == (ipv4 ? PROTO_ICMP : PROTO_ICMPV6);
    out.writeShort(icmp ? 0 : flows.srcPort(row)); // 2: L4_SRC_PORT
    out.writeShort(flows.dstPort(row)); // 2: L4_DST_PORT (ICMP: type * 256 + code)
    out.writeByte(protocol); // 1: PROTOCOL
    out.writeByte(flows.tos(row)); // 1: SRC_TOS
    out.writeByte(flows.tcpFlags(row)); // 1: TCP_FLAGS
    out.writeLong(flows.bytes(row)); // 8: IN_BYTES
    out.writeLong(flows.packets(row)); // 8: IN_PKTS
    out.writeLong(flows.startMillis(row)); // 8: flowStartMilliseconds
    out.writeLong(flows.endMillis(row)); // 8: flowEndMilliseconds
    out.writeInt((int) flows.ingressInterface(row)); // 4: INPUT_SNMP
    out.writeInt((int) flows.egressInterface(row)); // 4: OUTPUT_SNMP
    out.writeShort(flows.vlanId(row)); // 2: SRC_VLAN
    out.writeShort(icmp ? flows.dstPort(row) : 0); // 2: ICMP_TYPE (both families)
    out.writeByte(flows.direction(row)); // 1: DIRECTION
    out.writeByte(flows.endReason(row)); // 1: flowEndReason
    out.writeByte(ipv4 ? 4 : 6); // 1: IP_PROTOCOL_VERSION
    if (ipv4) {
      out.writeInt(flows.nextHopIpv4(row)); // 4: IPV4_NEXT_HOP
    } else {
      out.writeLong(flows.nextHopHigh(row)).writeLong(flows.nextHopLow(row)); // 16: IPV6_NEXT_HOP
    }
    out.writeByte(flows.forwardingStatus(row)); // 1: FORWARDING_STATUS
    if (macs) {
      long src = flows.srcMac(row);
      long dst = flows.dstMac(row);
      out.writeShort((int) (src >>> 32)).writeInt((int) src); // 6: IN_SRC_MAC
      out.writeShort((int) (dst >>> 32)).writeInt((int) dst); // 6: IN_DST_MAC
    }
  }

  @Override
  public void encodeTemplates(ByteBuf out) {
    int packet = out.writerIndex();
    writeHeader(out);
    NetflowV9Templates.writeTemplateFlowsets(out);
    finish(out, packet, NetflowV9Templates.TEMPLATE_RECORD_COUNT);
  }

  @Override
  public boolean encodeOptionsData(
      ExportTotals totals,
      SortedMap<Long, String> interfaceNames,
      EncodeCursor cursor,
      ByteBuf out) {
    cursor.records = 0;
    boolean first = cursor.row == 0;
    if (!first && interfaceNames.size() - (cursor.row - 1) <= 0) {
      return false;
    }
    int packet = out.writerIndex();
    int limit = packet + maxMessageSize() - 3; // 3: room for the last flowset's padding
    writeHeader(out);
    if (first) {
      int flowset = out.writerIndex();
      out.writeShort(V9_TEMPLATE_EXPORTER_STATS).writeShort(0);
      out.writeInt(observationDomainId()); // 4: scope System: the source id
      out.writeLong(totals.messages()); // 8: TOTAL_PKTS_EXP
      out.writeLong(totals.records()); // 8: TOTAL_FLOWS_EXP
      out.writeLong(totals.octets()); // 8: TOTAL_BYTES_EXP
      NetflowV9Templates.closeFlowset(out, flowset);
      cursor.records++;
      cursor.row = 1; // row 0 is the statistics record, rows 1.. the interfaces
    }
    // 4 + 16 each: scope Interface (the ifindex), IF_NAME
    int flowset =
        writeInterfaceNames(
            interfaceNames, cursor, out, limit, V9_TEMPLATE_INTERFACE_NAMES, IF_NAME_LENGTH);
    if (flowset >= 0) {
      NetflowV9Templates.closeFlowset(out, flowset);
    }
    finish(out, packet, cursor.records);
    return true;
  }

  @Override
  public void stamp(ByteBuf message, long nowMillis, long sequence) {
    int at = message.readerIndex();
    long unixSecs = nowMillis / 1000;
    // sysUptime on the same whole second as unixSecs, so that unixSecs*1000 - sysUptime = epoch
    message.setInt(at + 4, (int) Math.max(0, unixSecs * 1000 - uptimeEpochMillis));
    message.setInt(at + 8, (int) unixSecs); // 8: UNIX secs
    message.setInt(at + 12, (int) sequence); // 12: package sequence, modulo 2^32
  }

  @Override
  public long sequenceStep(int records) {
    return 1; // RFC 3954: the count of export packets sent
  }

  /** 20 bytes: version, count (set by finish), sysUptime, secs, sequence (stamped), source id. */
  private void writeHeader(ByteBuf out) {
    out.writeShort(V9_VERSION)
        .writeShort(0)
        .writeInt(0)
        .writeInt(0)
        .writeInt(0)
        .writeInt(observationDomainId());
  }

  private static void finish(ByteBuf out, int packet, int records) {
    out.setShort(packet + 2, records); // count: every record of the packet, templates included
  }
}
