package dev.flowgate.exporters.netflow;

import static dev.flowgate.exporters.netflow.NetflowConstants.*;

import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.encode.EncodeCursor;
import dev.flowgate.exporters.encode.ExportTotals;
import dev.flowgate.exporters.encode.FlowMessageEncoder;
import io.netty.buffer.ByteBuf;
import java.util.SortedMap;

/**
 * Encodes NetFlow v5 export packets: a 24-byte header and up to 30 fixed 48-byte IPv4 records.
 *
 * <p>v5 cannot carry what flowgate measures in three cases, and each is counted in the {@link
 * EncodeCursor} rather than hidden: IPv6 rows are skipped ({@code skippedIpv6}); a row whose packet
 * or byte count exceeds 32 bits is split into as many records as needed, with counts that add up
 * exactly ({@code extraSplitRecords}); an ifindex above 65535 is sent as 0 ({@code
 * truncatedInterfaces}). There are no templates or options records; the header's sampling interval
 * is 0 (unsampled). Times are sysUptime-relative as in {@link NetflowV9Encoder}.
 */
public final class NetflowV5Encoder implements FlowMessageEncoder {

  private final int engineId;
  private final int maxMessageSize;
  private final int maxRecords;
  private final long uptimeEpochMillis;

  /**
   * @param engineId the header's engine id (the observation domain's low 8 bits)
   * @param maxMessageSize the longest export packet; at most 30 records fit in any case
   * @param uptimeEpochMillis when sysUptime was 0, in ms since the Unix epoch
   */
  public NetflowV5Encoder(int engineId, int maxMessageSize, long uptimeEpochMillis) {
    if (maxMessageSize < V5_HEADER_LENGTH + V5_RECORD_LENGTH || maxMessageSize > 65535) {
      throw new IllegalArgumentException(
          "max message size "
              + maxMessageSize
              + " not in "
              + (V5_HEADER_LENGTH + V5_RECORD_LENGTH)
              + "..65535");
    }
    this.engineId = engineId & 0xFF;
    this.maxMessageSize = maxMessageSize;
    // 24: header; 48 per record; and never more than v5's 30
    this.maxRecords =
        Math.min(V5_MAX_RECORDS, (maxMessageSize - V5_HEADER_LENGTH) / V5_RECORD_LENGTH);
    this.uptimeEpochMillis = uptimeEpochMillis;
  }

  @Override
  public int maxMessageSize() {
    return maxMessageSize;
  }

  @Override
  public boolean hasTemplates() {
    return false;
  }

  /** How many records a row needs so that no part's packets or bytes exceed 2^32 - 1. */
  public static long partsNeeded(long packets, long bytes) {
    return Math.max(1, Math.max(ceilDivUnsigned(packets), ceilDivUnsigned(bytes)));
  }

  /**
   * Part {@code part} of {@code total} split over {@code parts} records: the first parts get the
   * remainder.
   */
  public static long share(long total, long parts, long part) {
    long base = Long.divideUnsigned(total, parts);
    long extra = Long.remainderUnsigned(total, parts);
    return base + (part < extra ? 1 : 0);
  }

  private static long ceilDivUnsigned(long v) {
    return v == 0 ? 0 : Long.divideUnsigned(v - 1, V5_MAX_COUNTER) + 1;
  }

  @Override
  public boolean encodeData(FlowColumns flows, EncodeCursor cursor, ByteBuf out) {
    int rows = flows.rowCount();
    cursor.records = 0;
    cursor.packets = 0;
    cursor.bytes = 0;
    while (cursor.row < rows && !flows.isIpv4(cursor.row)) {
      skipIpv6(flows, cursor); // v5 has no IPv6 record format
      cursor.row++;
      cursor.part = 0;
    }
    if (cursor.row >= rows) {
      return false;
    }
    int packet = out.writerIndex();
    out.writeShort(V5_VERSION).writeShort(0); // 4: version, count (set below)
    out.writeInt(0)
        .writeInt(0)
        .writeInt(0)
        .writeInt(0); // 16: uptime, secs, nsecs, sequence (stamped)
    out.writeByte(0).writeByte(engineId).writeShort(0); // 4: engine type, engine id, sampling 0
    while (cursor.row < rows && cursor.records < maxRecords) {
      int row = cursor.row;
      if (!flows.isIpv4(row)) {
        skipIpv6(flows, cursor);
        cursor.row++;
        continue;
      }
      long packets = flows.packets(row);
      long bytes = flows.bytes(row);
      long parts = partsNeeded(packets, bytes);
      long packetShare = share(packets, parts, cursor.part);
      long byteShare = share(bytes, parts, cursor.part);
      writeRecord(flows, row, packetShare, byteShare, cursor, out);
      cursor.packets += packetShare;
      cursor.bytes += byteShare;
      if (cursor.part > 0) {
        cursor.extraSplitRecords++;
      }
      cursor.records++;
      if (++cursor.part == parts) {
        cursor.part = 0;
        cursor.row++;
      }
    }
    out.setShort(packet + 2, cursor.records);
    return true;
  }

  private static void skipIpv6(FlowColumns flows, EncodeCursor cursor) {
    cursor.skippedIpv6++;
    cursor.skippedIpv6Packets += flows.packets(cursor.row);
    cursor.skippedIpv6Bytes += flows.bytes(cursor.row);
    cursor.part = 0;
  }

  /** One 48-byte record. */
  private void writeRecord(
      FlowColumns flows, int row, long packets, long bytes, EncodeCursor cursor, ByteBuf out) {
    long input = flows.ingressInterface(row);
    long output = flows.egressInterface(row);
    if (input > 0xFFFF || output > 0xFFFF) {
      if (cursor.part == 0) {
        cursor.truncatedInterfaces++;
      }
      input = input > 0xFFFF ? 0 : input;
      output = output > 0xFFFF ? 0 : output;
    }
    out.writeInt(flows.srcIpv4(row)); // 4: srcaddr
    out.writeInt(flows.dstIpv4(row)); // 4: dstaddr
    out.writeInt(flows.nextHopIpv4(row)); // 4: nexthop (0: none known)
    out.writeShort((int) input); // 2: input
    out.writeShort((int) output); // 2: output
    out.writeInt((int) packets); // 4: dPkts
    out.writeInt((int) bytes); // 4: dOctets
    out.writeInt(uptime(flows.startMillis(row))); // 4: First
    out.writeInt(uptime(flows.endMillis(row))); // 4: Last
    out.writeShort(flows.protocol(row) == 1 ? 0 : flows.srcPort(row)); // 2: srcport
    out.writeShort(flows.dstPort(row)); // 2: dstport (ICMP: type * 256 + code)
    out.writeByte(0); // 1: pad1
    out.writeByte(flows.tcpFlags(row)); // 1: tcp_flags
    out.writeByte(flows.protocol(row)); // 1: prot
    out.writeByte(flows.tos(row)); // 1: tos
    out.writeInt(0); // 4: src_as, dst_as
    out.writeShort(0); // 2: src_mask, dst_mask
    out.writeShort(0); // 2: pad2
  }

  private int uptime(long epochMillis) {
    return (int) Math.max(0, epochMillis - uptimeEpochMillis);
  }

  @Override
  public void encodeTemplates(ByteBuf out) {
    // v5 has a fixed format: nothing to announce
  }

  @Override
  public boolean encodeOptionsData(
      ExportTotals totals,
      SortedMap<Long, String> interfaceNames,
      EncodeCursor cursor,
      ByteBuf out) {
    cursor.records = 0;
    return false; // v5 has no options records
  }

  @Override
  public void stamp(ByteBuf message, long nowMillis, long sequence) {
    int at = message.readerIndex();
    long unixSecs = nowMillis / 1000;
    // sysUptime on the same whole second as unix_secs (nsecs 0), so secs*1000 - uptime = epoch
    message.setInt(at + 4, (int) Math.max(0, unixSecs * 1000 - uptimeEpochMillis));
    message.setInt(at + 8, (int) unixSecs); // 8: unix_secs
    message.setInt(at + 12, 0); // 12: unix_nsecs
    message.setInt(at + 16, (int) sequence); // 16: flow_sequence, flows sent before this packet
  }

  @Override
  public long sequenceStep(int records) {
    return records;
  }
}
