package dev.flowgate.exporters.encode;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;

/**
 * What the template-based formats (IPFIX and NetFlow v9) encode alike: an unsigned 32-bit
 * observation domain in every message header, a maximum message size checked at construction, and
 * interface name options records (a 4-byte ifindex scope and a zero padded name) in a set of their
 * own. The wire layout of everything else stays in the format's encoder.
 */
public abstract class TemplateFormatEncoder implements FlowMessageEncoder {

  /** Bytes of a set (IPFIX) or flowset (NetFlow v9) header: 2 id, 2 length. */
  private static final int SET_HEADER_LENGTH = 4;

  /** Bytes of an interface name record's scope: the ifindex. */
  private static final int INTERFACE_SCOPE_LENGTH = 4;

  private final long observationDomainId;
  private final int maxMessageSize;

  /**
   * @param idName what the format calls the observation domain id, for the error message
   * @param observationDomainId written in every message header; must be unsigned 32-bit
   * @param maxMessageSize the longest message, header included; must be in {@code
   *     smallest..largest}
   * @param smallest the format's smallest usable maximum (it must hold the template message)
   * @param largest the format's largest message
   */
  protected TemplateFormatEncoder(
      String idName, long observationDomainId, int maxMessageSize, int smallest, int largest) {
    if (observationDomainId < 0 || observationDomainId > 0xFFFFFFFFL) {
      throw new IllegalArgumentException(idName + " not unsigned 32-bit: " + observationDomainId);
    }
    if (maxMessageSize < smallest || maxMessageSize > largest) {
      throw new IllegalArgumentException(
          "max message size " + maxMessageSize + " not in " + smallest + ".." + largest);
    }
    this.observationDomainId = observationDomainId;
    this.maxMessageSize = maxMessageSize;
  }

  @Override
  public final int maxMessageSize() {
    return maxMessageSize;
  }

  @Override
  public final boolean hasTemplates() {
    return true;
  }

  /** The observation domain id as the 32 bits a header carries. */
  protected final int observationDomainId() {
    return (int) observationDomainId;
  }

  /**
   * Appends interface name records, from interface {@code cursor.row - 1} of {@code interfaceNames}
   * on, as many as end at or before {@code limit}, in one set with id {@code templateId}: per
   * record the ifindex (4 bytes) and the name as UTF-8 cut and zero padded to {@code nameLength}
   * bytes. Counts each record in {@code cursor.records} and {@code cursor.row}. The set's length is
   * left 0: returns where the set starts, for the caller to close it, or -1 if no record was
   * written.
   */
  protected static int writeInterfaceNames(
      SortedMap<Long, String> interfaceNames,
      EncodeCursor cursor,
      ByteBuf out,
      int limit,
      int templateId,
      int nameLength) {
    int skip = cursor.row - 1; // row 0 is the statistics record, rows 1.. the interfaces
    int set = -1;
    for (Map.Entry<Long, String> e : interfaceNames.entrySet()) {
      if (skip-- > 0) {
        continue;
      }
      int need = INTERFACE_SCOPE_LENGTH + nameLength + (set < 0 ? SET_HEADER_LENGTH : 0);
      if (out.writerIndex() + need > limit) {
        break;
      }
      if (set < 0) {
        set = out.writerIndex();
        out.writeShort(templateId).writeShort(0); // 4: set header, length set by the caller
      }
      out.writeInt(e.getKey().intValue()); // 4: ifindex (scope)
      byte[] name = e.getValue().getBytes(StandardCharsets.UTF_8);
      int n = Math.min(name.length, nameLength);
      out.writeBytes(name, 0, n).writeZero(nameLength - n); // nameLength: name, zero padded
      cursor.records++;
      cursor.row++;
    }
    return set;
  }
}
