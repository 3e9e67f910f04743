package dev.flowgate.controlplane.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a journal file's frames front to back and checks each one; what it finds is the input of
 * the replay.
 *
 * <ul>
 *   <li>A frame cut short by the end of the file (the process died while writing it) ends the scan
 *       quietly: {@link #tornBytes()}. Nothing was cleared from the kernel on its account.
 *   <li>Sweep parts not followed by their sweep's end frame (the process died, or the journal
 *       failed, while the sweep was journaled in parts) are ignored; at the end of the file they
 *       count as torn too, and appends continue from where they start. Nothing was cleared from the
 *       kernel on their account either.
 *   <li>A whole frame that fails its checks (magic, type, CRC32C) ends the scan and is reported
 *       ({@link #corruption()}): the frames after it cannot be replayed without it.
 * </ul>
 */
final class JournalScan {

  /** One sweep (or the finish-all at a stop) and what the journal says happened to it. */
  static final class Op {
    final long sequence;
    final byte type;
    final byte flags;
    final long offset;
    final int payloadLength;
    // the sweep's parts (a sweep frame with FLAG_PARTS), else null: the entries are in the frame
    JournalParts parts;
    boolean cleared;
    boolean exported;

    Op(long sequence, byte type, byte flags, long offset, int payloadLength) {
      this.sequence = sequence;
      this.type = type;
      this.flags = flags;
      this.offset = offset;
      this.payloadLength = payloadLength;
    }
  }

  private final List<Op> ops = new ArrayList<>();
  private long validEnd;
  private long tornBytes;
  private String corruption;
  private long maxSequence = -1;

  private JournalScan() {}

  /** Scans the whole file. */
  static JournalScan of(FileChannel ch) throws IOException {
    JournalScan s = new JournalScan();
    s.scan(ch);
    return s;
  }

  private void scan(FileChannel ch) throws IOException {
    Map<Long, Op> bySeq = new LinkedHashMap<>();
    long size = ch.size();
    ByteBuffer head = ByteBuffer.allocate(JournalFrame.HEADER).order(ByteOrder.LITTLE_ENDIAN);
    long pos = 0;
    // parts of a sweep whose end frame has not come yet, and where the first of them starts
    JournalParts pending = null;
    long pendingSeq = -1;
    long pendingAt = -1;
    while (pos < size) {
      if (size - pos < JournalFrame.HEADER + JournalFrame.TRAILER) {
        break; // torn
      }
      head.clear();
      while (head.hasRemaining() && ch.read(head, pos + head.position()) > 0) {
        // read the header
      }
      head.flip();
      int magic = head.getInt(0);
      byte type = head.get(4);
      byte flags = head.get(5);
      long seq = head.getLong(8);
      long len = Integer.toUnsignedLong(head.getInt(16));
      if (magic != JournalFrame.MAGIC
          || type < JournalFrame.SWEEP
          || type > JournalFrame.SWEEP_PART) {
        corruption = "frame at byte " + pos + ": bad magic or type";
        break;
      }
      long frameEnd = pos + JournalFrame.HEADER + len + JournalFrame.TRAILER;
      if (frameEnd > size) {
        break; // torn: its writer died before the frame was whole
      }
      MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, pos, frameEnd - pos);
      m.order(ByteOrder.LITTLE_ENDIAN);
      int stored = m.getInt((int) (frameEnd - pos) - JournalFrame.TRAILER);
      int crc =
          JournalFrame.crc(m.duplicate().limit((int) (frameEnd - pos) - JournalFrame.TRAILER));
      if (crc != stored) {
        corruption =
            JournalFrame.typeName(type)
                + " frame of sweep "
                + seq
                + " at byte "
                + pos
                + ": CRC32C mismatch";
        break;
      }
      if (type == JournalFrame.SWEEP && (flags & ~JournalFrame.KNOWN_FLAGS) != 0) {
        corruption =
            "sweep frame "
                + seq
                + " at byte "
                + pos
                + ": flags 0x"
                + Integer.toHexString(flags & 0xFF)
                + " are not known to this version (written by a newer flowgate?)";
        break;
      }
      if (type == JournalFrame.SWEEP && !sweepLengthOk(m, len, flags)) {
        corruption = "sweep frame " + seq + " at byte " + pos + ": entry count and length differ";
        break;
      }
      if (type == JournalFrame.SWEEP_PART && !partLengthOk(m, len)) {
        corruption = "sweep part of " + seq + " at byte " + pos + ": entry count and length differ";
        break;
      }
      maxSequence = Math.max(maxSequence, seq);
      if (pending != null
          && pendingSeq != seq) { // abandoned: that sweep never ended, nothing was cleared for it
        pending = null;
      }
      if (type == JournalFrame.SWEEP_PART) {
        if (pending == null) {
          pending = new JournalParts(ch);
          pendingSeq = seq;
          pendingAt = pos;
        }
        pending.add(pos, m.getInt(JournalFrame.HEADER));
        pos = frameEnd;
        continue;
      }
      if (type == JournalFrame.SWEEP && (flags & JournalFrame.FLAG_PARTS) != 0) {
        long n = m.getInt(JournalFrame.HEADER + 16);
        long got = pending == null ? 0 : pending.total();
        if (got != n) {
          corruption =
              "sweep frame "
                  + seq
                  + " at byte "
                  + pos
                  + ": its parts hold "
                  + got
                  + " entries, the frame says "
                  + n;
          break;
        }
      }
      switch (type) {
        case JournalFrame.SWEEP, JournalFrame.FINISH_ALL -> {
          Op op = new Op(seq, type, flags, pos, (int) len);
          if ((flags & JournalFrame.FLAG_PARTS) != 0) {
            op.parts = pending != null ? pending : new JournalParts(ch);
          }
          bySeq.put(seq, op);
          ops.add(op);
        }
        case JournalFrame.CLEARED -> {
          Op op = bySeq.get(seq);
          if (op != null) {
            op.cleared = true;
          }
        }
        default -> {
          Op op = bySeq.get(seq);
          if (op != null) {
            op.exported = true;
          }
        }
      }
      pending = null;
      pos = frameEnd;
    }
    if (pending != null && corruption == null) {
      pos = pendingAt; // a sweep cut while journaled in parts: torn, overwritten by the next run
    }
    validEnd = pos;
    tornBytes = corruption == null ? size - pos : 0;
  }

  private static boolean sweepLengthOk(ByteBuffer frame, long len, byte flags) {
    int fixed = JournalFrame.sweepFixed(flags);
    if (len < fixed) {
      return false;
    }
    long n = frame.getInt(JournalFrame.HEADER + 16);
    if ((flags & JournalFrame.FLAG_PARTS) != 0) {
      return n >= 0 && len == fixed; // the entries are in the parts
    }
    return n >= 0 && fixed + n * (JournalReplay.KEY + JournalFrame.statsSize(flags)) == len;
  }

  private static boolean partLengthOk(ByteBuffer frame, long len) {
    if (len < JournalFrame.PART_FIXED) {
      return false;
    }
    long n = frame.getInt(JournalFrame.HEADER);
    return n >= 0 && JournalFrame.PART_FIXED + n * (JournalReplay.KEY + JournalReplay.VALUE) == len;
  }

  /** Sweeps and finish-alls in file order, with their cleared / exported marks. */
  List<Op> ops() {
    return ops;
  }

  /** The end of the last whole, intact frame: appends continue from here. */
  long validEnd() {
    return validEnd;
  }

  /** Bytes of a frame cut short at the end of the file (0 if none). */
  long tornBytes() {
    return tornBytes;
  }

  /** What failed its checks, or null. */
  String corruption() {
    return corruption;
  }

  /** The highest sequence number of any intact frame, -1 if none. */
  long maxSequence() {
    return maxSequence;
  }
}
