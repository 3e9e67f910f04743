package dev.flowgate.controlplane.journal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The crash journal's frame format. Every frame, little-endian:
 *
 * <pre>
 *  0  u32  magic 0x4A474631 ("1FGJ" in file order)
 *  4  u8   type: 1 sweep input, 2 cleared, 3 exported, 4 finish-all, 5 sweep part
 *  5  u8   flags (sweep input only): bit 0 = the sweep expires flows after its merge; bit 1 = the
 *           payload carries the timeouts in force (every frame written since the reload issue;
 *           frames without it are replayed with the timeouts of the config replaying them); bit 2 =
 *           the stats are schema 5's 72-byte flow_stats with the gateway fields (frames without it,
 *           written before, carry schema 4's 40-byte stats and replay with zero gateway fields);
 *           bit 3 = an upgrade's older-schema entries; bit 4 = the entries are in the sweep part
 *           frames of the same sequence number before this one (the sweep input frame is then the
 *           sweep's end: its n is the parts' total and no entries follow)
 *  6  u16  0
 *  8  u64  sequence number of the sweep (or finish-all) the frame is about
 * 16  u32  payload length L
 * 20  L    payload
 * 20+L u32 CRC32C of bytes 0 .. 20+L
 * </pre>
 *
 * Sweep input payload: i64 nowMs, i64 epochOffsetNs, i32 n, with bit 1 then i32 idle timeout ms and
 * i32 active timeout ms (what the sweep expired flows by: a reload may have changed them), then n
 * packed {@code struct flow_key} (44 bytes each) and n packed {@code struct flow_stats} (72 bytes,
 * or 40 each), as the kernel returned them.
 *
 * <p>Sweep part payload: i32 n, then n packed {@code struct flow_key} and n {@code struct
 * flow_stats} (72 bytes): one chunk of a sweep that journals its input in parts (every sweep since
 * the journal stopped copying whole halves). Parts count only once the sweep input frame with bit 4
 * of their sequence number follows them; parts without it (the process died, or the journal failed,
 * before the sweep's end was written) are ignored: nothing was cleared from the kernel on their
 * account. The other frames have no payload. A flag bit or frame type this version does not know
 * makes the frame corrupt (refused with a clear report, never misread).
 */
final class JournalFrame {
  static final int MAGIC = 0x4A474631;
  static final int HEADER = 20;
  static final int TRAILER = 4;
  static final int SWEEP_FIXED = 20;

  /** The fixed part of a sweep input payload with {@link #FLAG_TIMEOUTS}: 20 + two i32. */
  static final int SWEEP_FIXED_TIMEOUTS = 28;

  static final byte SWEEP = 1;
  static final byte CLEARED = 2;
  static final byte EXPORTED = 3;
  static final byte FINISH_ALL = 4;
  static final byte SWEEP_PART = 5;

  /** The fixed part of a sweep part's payload: i32 n. */
  static final int PART_FIXED = 4;

  static final byte FLAG_EXPIRE = 1;
  static final byte FLAG_TIMEOUTS = 2;
  static final byte FLAG_GATEWAY_STATS = 4;

  /**
   * The entries came from an older schema's pins at an upgrade ({@code OlderSchemaPins}), not from
   * this table: their replay deletes nothing from the kernel's flow table.
   */
  static final byte FLAG_OLDER_PINS = 8;

  /** The sweep's entries are in its sweep part frames before this one; none follow. */
  static final byte FLAG_PARTS = 16;

  /** Every flag bit this version reads. */
  static final byte KNOWN_FLAGS =
      FLAG_EXPIRE | FLAG_TIMEOUTS | FLAG_GATEWAY_STATS | FLAG_OLDER_PINS | FLAG_PARTS;

  /** schema 4's flow_stats: what a frame without {@link #FLAG_GATEWAY_STATS} carries. */
  static final int OLD_STATS_SIZE = 40;

  /** Bytes of one flow_stats in a sweep input payload with these flags. */
  static int statsSize(byte flags) {
    return (flags & FLAG_GATEWAY_STATS) != 0
        ? dev.flowgate.bpf.Layout.FLOW_STATS_SIZE
        : OLD_STATS_SIZE;
  }

  /** Bytes before the keys of a sweep input payload with these flags. */
  static int sweepFixed(byte flags) {
    return (flags & FLAG_TIMEOUTS) != 0 ? SWEEP_FIXED_TIMEOUTS : SWEEP_FIXED;
  }

  private JournalFrame() {}

  /** A little-endian direct buffer for a frame header (and a sweep's fixed payload). */
  static ByteBuffer headerBuffer() {
    return ByteBuffer.allocateDirect(HEADER + SWEEP_FIXED_TIMEOUTS).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Fills {@code b} (cleared first) with a frame header, positioned for more payload. */
  static void header(ByteBuffer b, byte type, byte flags, long seq, int payloadLength) {
    b.clear();
    b.putInt(MAGIC).put(type).put(flags).putShort((short) 0).putLong(seq).putInt(payloadLength);
  }

  /** CRC32C over every buffer's remaining bytes, buffers' positions unchanged. */
  static int crc(ByteBuffer... parts) {
    CRC32C c = new CRC32C();
    for (ByteBuffer p : parts) {
      c.update(p.duplicate());
    }
    return (int) c.getValue();
  }

  static String typeName(byte type) {
    return switch (type) {
      case SWEEP -> "sweep";
      case CLEARED -> "cleared";
      case EXPORTED -> "exported";
      case FINISH_ALL -> "finish-all";
      case SWEEP_PART -> "sweep part";
      default -> "type " + type;
    };
  }
}
