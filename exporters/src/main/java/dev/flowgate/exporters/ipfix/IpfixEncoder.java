package dev.flowgate.exporters.ipfix;

import static dev.flowgate.exporters.ipfix.IpfixConstants.*;

import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.encode.EncodeCursor;
import dev.flowgate.exporters.encode.ExportTotals;
import dev.flowgate.exporters.encode.TemplateFormatEncoder;
import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.SortedMap;

/**
 * Encodes IPFIX messages (RFC 7011): flow data records with {@link IpfixTemplates}' templates,
 * options records, never longer than the configured maximum. A row's template is its family's, with
 * MAC addresses when the row carries them; rows of different templates may alternate in a batch:
 * each run of one template becomes one data set.
 *
 * <p>ICMP flows (protocol 1, and 58 over IPv6) carry their type and code in icmpTypeCodeIPv4/IPv6
 * and zero transport ports; other flows carry a zero icmpTypeCode.
 */
public final class IpfixEncoder extends TemplateFormatEncoder {

  private static final int PROTO_ICMP = 1;
  private static final int PROTO_ICMPV6 = 58;

  private static final VarHandle SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private final byte[] scratch; // one message, assembled by encodeData

  /**
   * @param observationDomainId written in every message header (unsigned 32-bit)
   * @param maxMessageSize the longest message, header included; must hold the template message
   */
  public IpfixEncoder(long observationDomainId, int maxMessageSize) {
    super(
        "observation domain id",
        observationDomainId,
        maxMessageSize,
        minimumMessageSize(),
        MAX_MESSAGE_LENGTH);
    this.scratch = new byte[maxMessageSize];
  }

  /** The smallest max message size that holds the template message and any one record. */
  public static int minimumMessageSize() {
    return MESSAGE_HEADER_LENGTH + IpfixTemplates.templateSetsLength();
  }

  /**
   * {@inheritDoc}
   *
   * <p>The hot path: records are assembled in a scratch array with big-endian array views (no
   * per-field bounds or capacity checks on {@code out}) and copied into {@code out} once per
   * message. Not for concurrent callers: one thread encodes data (templates and options may be
   * encoded by another).
   */
  @Override
  public boolean encodeData(FlowColumns flows, EncodeCursor cursor, ByteBuf out) {
    int rows = flows.rowCount();
    cursor.records = 0;
    cursor.packets = 0;
    cursor.bytes = 0;
    if (cursor.row >= rows) {
      return false;
    }
    byte[] b = scratch;
    int limit = maxMessageSize(); // p counts from the message start
    int p = MESSAGE_HEADER_LENGTH; // 16: the header is written last, once the length is known
    int set = -1; // offset of the open data set, -1 if none
    int setTemplate = 0;
    int row = cursor.row;
    for (; row < rows; row++) {
      boolean ipv4 = flows.isIpv4(row);
      boolean macs = flows.hasMacs(row);
      int template =
          ipv4
              ? (macs ? TEMPLATE_IPV4_MACS : TEMPLATE_IPV4)
              : (macs ? TEMPLATE_IPV6_MACS : TEMPLATE_IPV6);
      boolean newSet = set < 0 || template != setTemplate;
      int need =
          (ipv4 ? IpfixTemplates.IPV4_RECORD_LENGTH : IpfixTemplates.IPV6_RECORD_LENGTH)
              + (macs ? IpfixTemplates.MACS_LENGTH : 0);
      if (newSet) {
        need += SET_HEADER_LENGTH; // 4: the header of the set this record opens
      }
      if (p + need > limit) {
        break;
      }
      if (newSet) {
        if (set >= 0) {
          SHORT.set(b, set + 2, (short) (p - set)); // set length: header + records
        }
        set = p;
        setTemplate = template;
        SHORT.set(b, p, (short) template);
        p += SET_HEADER_LENGTH;
      }
      if (ipv4) {
        INT.set(b, p, flows.srcIpv4(row)); // 4: sourceIPv4Address
        INT.set(b, p + 4, flows.dstIpv4(row)); // 4: destinationIPv4Address
        p += 8;
      } else {
        LONG.set(b, p, flows.srcHigh(row)); // 16: sourceIPv6Address
        LONG.set(b, p + 8, flows.srcLow(row));
        LONG.set(b, p + 16, flows.dstHigh(row)); // 16: destinationIPv6Address
        LONG.set(b, p + 24, flows.dstLow(row));
        p += 32;
      }
      p = writeCommonFields(flows, row, ipv4, b, p);
      if (ipv4) {
        INT.set(b, p, flows.nextHopIpv4(row)); // 4: ipNextHopIPv4Address
        p += 4;
      } else {
        LONG.set(b, p, flows.nextHopHigh(row)); // 16: ipNextHopIPv6Address
        LONG.set(b, p + 8, flows.nextHopLow(row));
        p += 16;
      }
      b[p++] = (byte) flows.forwardingStatus(row); // 1: forwardingStatus
      if (macs) {
        putMac(b, p, flows.srcMac(row)); // 6: sourceMacAddress
        putMac(b, p + 6, flows.dstMac(row)); // 6: destinationMacAddress
        p += 12;
      }
      cursor.records++;
      cursor.packets += flows.packets(row);
      cursor.bytes += flows.bytes(row);
    }
    SHORT.set(b, set + 2, (short) (p - set));
    SHORT.set(b, 0, (short) VERSION); // 2: version
    SHORT.set(b, 2, (short) p); // 2: message length: header + sets
    INT.set(b, 4, 0); // 4: export time, stamped when sent
    INT.set(b, 8, 0); // 4: sequence number, stamped when sent
    INT.set(b, 12, observationDomainId()); // 4: observation domain
    out.writeBytes(b, 0, p);
    cursor.row = row;
    return true;
  }

  /**
   * Everything after the addresses, in {@link IpfixTemplates#IPV4_FIELDS} order: 55 bytes at {@code
   * p}; returns the offset after them.
   */
  private static int writeCommonFields(FlowColumns flows, int row, boolean ipv4, byte[] b, int p) {
    int protocol = flows.protocol(row);
    boolean icmp = protocol == (ipv4 ? PROTO_ICMP : PROTO_ICMPV6);
    int direction = flows.direction(row);
    int dstPort = flows.dstPort(row);
    SHORT.set(b, p, (short) (icmp ? 0 : flows.srcPort(row))); // 2: sourceTransportPort
    SHORT.set(b, p + 2, (short) (icmp ? 0 : dstPort)); // 2: destinationTransportPort
    b[p + 4] = (byte) protocol; // 1: protocolIdentifier
    b[p + 5] = (byte) flows.tos(row); // 1: ipClassOfService
    SHORT.set(b, p + 6, (short) flows.tcpFlags(row)); // 2: tcpControlBits
    LONG.set(b, p + 8, flows.bytes(row)); // 8: octetDeltaCount
    LONG.set(b, p + 16, flows.packets(row)); // 8: packetDeltaCount
    LONG.set(b, p + 24, flows.startMillis(row)); // 8: flowStartMilliseconds
    LONG.set(b, p + 32, flows.endMillis(row)); // 8: flowEndMilliseconds
    INT.set(b, p + 40, (int) flows.ingressInterface(row)); // 4: ingressInterface
    INT.set(b, p + 44, (int) flows.egressInterface(row)); // 4: egressInterface
    SHORT.set(b, p + 48, (short) flows.vlanId(row)); // 2: vlanId
    SHORT.set(b, p + 50, (short) (icmp ? dstPort : 0)); // 2: icmpTypeCodeIPv4 / IPv6
    b[p + 52] = (byte) direction; // 1: flowDirection
    b[p + 53] = (byte) flows.endReason(row); // 1: flowEndReason
    b[p + 54] = (byte) (ipv4 ? 4 : 6); // 1: ipVersion
    return p + 55; // 55: 2+2+1+1+2 + 4*8 + 4+4 + 2+2 + 1+1+1, the fields above
  }

  /** A 48-bit MAC address as its six bytes, most significant first (wire order). */
  private static void putMac(byte[] b, int p, long mac) {
    SHORT.set(b, p, (short) (mac >>> 32));
    INT.set(b, p + 2, (int) mac);
  }

  @Override
  public void encodeTemplates(ByteBuf out) {
    int message = out.writerIndex();
    writeHeader(out);
    IpfixTemplates.writeTemplateSets(out);
    out.setShort(message + 2, out.writerIndex() - message);
  }

  @Override
  public boolean encodeOptionsData(
      ExportTotals totals,
      SortedMap<Long, String> interfaceNames,
      EncodeCursor cursor,
      ByteBuf out) {
    cursor.records = 0;
    boolean first = cursor.row == 0;
    int remaining = interfaceNames.size() - Math.max(0, cursor.row - 1);
    if (!first && remaining <= 0) {
      return false;
    }
    int message = out.writerIndex();
    int limit = message + maxMessageSize();
    writeHeader(out);
    if (first) {
      int set = out.writerIndex();
      out.writeShort(TEMPLATE_EXPORTER_STATS).writeShort(0);
      out.writeInt(observationDomainId()); // 4: observationDomainId (scope)
      out.writeLong(totals.messages()); // 8: exportedMessageTotalCount
      out.writeLong(totals.records()); // 8: exportedFlowRecordTotalCount
      out.writeLong(totals.octets()); // 8: exportedOctetTotalCount
      out.writeLong(totals.notSentRecords()); // 8: notSentFlowTotalCount
      out.setShort(set + 2, out.writerIndex() - set);
      cursor.records++;
      cursor.row = 1; // row 0 is the statistics record, rows 1.. the interfaces
    }
    // 4 + 16 each: ingressInterface (scope), interfaceName
    int set =
        writeInterfaceNames(
            interfaceNames, cursor, out, limit, TEMPLATE_INTERFACE_NAMES, INTERFACE_NAME_LENGTH);
    if (set >= 0) {
      out.setShort(set + 2, out.writerIndex() - set);
    }
    out.setShort(message + 2, out.writerIndex() - message);
    return true;
  }

  @Override
  public void stamp(ByteBuf message, long nowMillis, long sequence) {
    int at = message.readerIndex();
    message.setInt(at + 4, (int) (nowMillis / 1000)); // 4: export time, seconds since the epoch
    message.setInt(at + 8, (int) sequence); // 8: sequence number, modulo 2^32
  }

  @Override
  public long sequenceStep(int records) {
    return records; // RFC 7011: the count of data records sent
  }

  /**
   * 16 bytes: version, length (patched later), export time and sequence (stamped later), domain.
   */
  private void writeHeader(ByteBuf out) {
    out.writeShort(VERSION).writeShort(0).writeInt(0).writeInt(0).writeInt(observationDomainId());
  }
}
