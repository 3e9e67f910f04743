package dev.flowgate.controlplane.samples;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Writes pcapng blocks (draft-ietf-opsawg-pcapng): a section header, an interface description per
 * interface (link type Ethernet, nanosecond timestamps), enhanced packet blocks with the original
 * length, and interface statistics. Little-endian; every block and option padded to 4 bytes.
 */
final class PcapngWriter {

  /** Section Header Block type; also reads as "\n\r\r\n" whatever the byte order. */
  static final int SHB = 0x0A0D0D0A;

  /** Interface Description Block type. */
  static final int IDB = 0x00000001;

  /** Interface Statistics Block type. */
  static final int ISB = 0x00000005;

  /** Enhanced Packet Block type. */
  static final int EPB = 0x00000006;

  /** Byte-order magic of the section header. */
  static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;

  /** LINKTYPE_ETHERNET. */
  static final int LINKTYPE_ETHERNET = 1;

  static final int OPT_ENDOFOPT = 0;
  static final int OPT_COMMENT = 1;
  static final int SHB_USERAPPL = 4;
  static final int IF_NAME = 2;
  static final int IF_TSRESOL = 9;
  static final int EPB_FLAGS = 2;
  static final int ISB_STARTTIME = 2;
  static final int ISB_ENDTIME = 3;
  static final int ISB_IFRECV = 4;
  static final int ISB_IFDROP = 5;
  static final int ISB_USRDELIV = 8;

  /** if_tsresol 9: timestamps count nanoseconds (10^-9 s). */
  static final int NANOSECONDS = 9;

  private PcapngWriter() {}

  /** A section header of unknown length naming the application (shb_userappl). */
  static void sectionHeader(ByteBuf out, String application) {
    int start = beginBlock(out, SHB);
    out.writeIntLE(BYTE_ORDER_MAGIC); // 4: byte-order magic
    out.writeShortLE(1).writeShortLE(0); // 4: version 1.0
    out.writeLongLE(-1); // 8: section length unknown (a stream)
    option(out, SHB_USERAPPL, application.getBytes(StandardCharsets.UTF_8));
    endBlock(out, start);
  }

  /** An interface description: Ethernet, {@code snapLen}, its name, nanosecond timestamps. */
  static void interfaceDescription(ByteBuf out, String name, int snapLen) {
    int start = beginBlock(out, IDB);
    out.writeShortLE(LINKTYPE_ETHERNET).writeShortLE(0); // 4: link type, reserved
    out.writeIntLE(snapLen); // 4: snap length
    option(out, IF_NAME, name.getBytes(StandardCharsets.UTF_8));
    out.writeShortLE(IF_TSRESOL).writeShortLE(1).writeIntLE(NANOSECONDS); // 8: 1 byte + 3 pad
    endBlock(out, start);
  }

  /**
   * An enhanced packet: {@code capLen} bytes of {@code data} from {@code off}, the original length,
   * the direction in epb_flags (1 inbound, 2 outbound) and a comment (pre-encoded UTF-8, may be
   * empty).
   */
  static void enhancedPacket(
      ByteBuf out,
      int interfaceId,
      long timeNanos,
      byte[] data,
      int off,
      int capLen,
      int origLen,
      int direction,
      byte[] comment) {
    int pad = -capLen & 3;
    int commentPad = -comment.length & 3;
    // 28: type, length, interface, 2 x timestamp, captured, original; the data; 8: epb_flags;
    // the comment option if any; 4: end of options; 4: length again
    int length =
        28 + capLen + pad + 8 + (comment.length > 0 ? 4 + comment.length + commentPad : 0) + 4 + 4;
    out.ensureWritable(length);
    out.writeIntLE(EPB).writeIntLE(length);
    out.writeIntLE(interfaceId);
    out.writeIntLE((int) (timeNanos >>> 32)).writeIntLE((int) timeNanos); // 8: ns, high then low
    out.writeIntLE(capLen).writeIntLE(origLen);
    out.writeBytes(data, off, capLen);
    out.writeZero(pad);
    out.writeShortLE(EPB_FLAGS).writeShortLE(4).writeIntLE(direction == 1 ? 2 : 1);
    if (comment.length > 0) {
      out.writeShortLE(OPT_COMMENT).writeShortLE(comment.length);
      out.writeBytes(comment);
      out.writeZero(commentPad);
    }
    out.writeIntLE(OPT_ENDOFOPT); // 4: opt_endofopt, length 0
    out.writeIntLE(length);
  }

  /**
   * Interface statistics at {@code endNanos}: the capture's start and end, samples taken while it
   * ran ({@code received}), lost ({@code dropped}) and written ({@code delivered}), and a comment.
   */
  static void interfaceStatistics(
      ByteBuf out,
      int interfaceId,
      long startNanos,
      long endNanos,
      long received,
      long dropped,
      long delivered,
      String comment) {
    int start = beginBlock(out, ISB);
    out.writeIntLE(interfaceId);
    out.writeIntLE((int) (endNanos >>> 32)).writeIntLE((int) endNanos);
    timeOption(out, ISB_STARTTIME, startNanos);
    timeOption(out, ISB_ENDTIME, endNanos);
    u64Option(out, ISB_IFRECV, received);
    u64Option(out, ISB_IFDROP, dropped);
    u64Option(out, ISB_USRDELIV, delivered);
    option(out, OPT_COMMENT, comment.getBytes(StandardCharsets.UTF_8));
    endBlock(out, start);
  }

  private static int beginBlock(ByteBuf out, int type) {
    int start = out.writerIndex();
    out.writeIntLE(type).writeIntLE(0); // 8: type, length patched by endBlock
    return start;
  }

  /** Writes opt_endofopt and the trailing length, and patches the leading one. */
  private static void endBlock(ByteBuf out, int start) {
    out.writeIntLE(OPT_ENDOFOPT);
    int length = out.writerIndex() - start + 4;
    out.writeIntLE(length);
    out.setIntLE(start + 4, length);
  }

  private static void option(ByteBuf out, int code, byte[] value) {
    out.writeShortLE(code).writeShortLE(value.length);
    out.writeBytes(value);
    out.writeZero(-value.length & 3);
  }

  private static void u64Option(ByteBuf out, int code, long value) {
    out.writeShortLE(code).writeShortLE(8).writeLongLE(value);
  }

  private static void timeOption(ByteBuf out, int code, long nanos) {
    out.writeShortLE(code).writeShortLE(8);
    out.writeIntLE((int) (nanos >>> 32)).writeIntLE((int) nanos);
  }
}
