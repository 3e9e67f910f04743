package dev.flowgate.controlplane.journal;

import dev.flowgate.controlplane.cache.FlowCache;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The flow cache's state at a checkpoint, in one file: the crash journal's replay starts from it.
 * Little-endian:
 *
 * <pre>
 *  0 u32 magic 0x46475331 ("1SGF" in file order), 4 u32 version 2,
 *  8 u64 last sequence number the state includes, 16 u32 flows, 20 u32 eviction hand,
 * 24 flows x {@value FlowCache#ENTRY_LONGS} i64 (the cache's entries in id order),
 *    u32 CRC32C of everything before it
 * </pre>
 *
 * Written as {@code <name>.tmp}, forced to disk and renamed over the previous one, so the file is
 * always a whole snapshot (a torn one is never renamed). A version 1 snapshot (before the gateway
 * words: {@value #V1_ENTRY_LONGS} longs an entry) is read as entries with zero gateway words.
 */
final class CacheSnapshot {
  static final int MAGIC = 0x46475331;
  static final int VERSION = 2;
  static final int V1 = 1;
  static final int V1_ENTRY_LONGS = 10;
  static final int HEADER = 24;
  private static final int CHUNK_LONGS = 1 << 17; // 1 MiB of entries per write

  /** A snapshot read back: its state and the last sequence number it includes. */
  record Loaded(long lastSequence, int flows, int evictionHand, LongBuffer entries) {}

  private CacheSnapshot() {}

  /** Writes the cache's state; returns the file's size in bytes. */
  static long write(Path file, FlowCache cache, long lastSequence) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    LongBuffer entries = cache.entries();
    int flows = entries.remaining() / FlowCache.ENTRY_LONGS;
    CRC32C crc = new CRC32C();
    long size;
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer head = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
      head.putInt(MAGIC)
          .putInt(VERSION)
          .putLong(lastSequence)
          .putInt(flows)
          .putInt(cache.evictionHand())
          .flip();
      crc.update(head.duplicate());
      writeFully(ch, head);
      ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_LONGS * 8).order(ByteOrder.LITTLE_ENDIAN);
      while (entries.hasRemaining()) {
        int m = Math.min(CHUNK_LONGS, entries.remaining());
        chunk.clear();
        LongBuffer view = chunk.asLongBuffer();
        view.put(entries.slice().limit(m));
        entries.position(entries.position() + m);
        chunk.limit(m * 8);
        crc.update(chunk.duplicate());
        writeFully(ch, chunk);
      }
      ByteBuffer tail = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      tail.putInt((int) crc.getValue()).flip();
      writeFully(ch, tail);
      ch.force(true);
      size = ch.size();
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return size;
  }

  /**
   * Reads a snapshot back (memory-mapped).
   *
   * @throws JournalCorruptException if it is not a whole, intact snapshot
   */
  static Loaded read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < HEADER + 4) {
        throw new JournalCorruptException(file + ": " + size + " bytes, too short for a snapshot");
      }
      MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      m.order(ByteOrder.LITTLE_ENDIAN);
      int version = m.getInt(4);
      if (m.getInt(0) != MAGIC || (version != VERSION && version != V1)) {
        throw new JournalCorruptException(
            file + ": not a flowgate cache snapshot (version " + V1 + " or " + VERSION + ")");
      }
      int stride = version == V1 ? V1_ENTRY_LONGS : FlowCache.ENTRY_LONGS;
      long last = m.getLong(8);
      int flows = m.getInt(16);
      int hand = m.getInt(20);
      long want = HEADER + (long) flows * stride * 8 + 4;
      if (flows < 0 || want != size) {
        throw new JournalCorruptException(
            file + ": " + flows + " flows need " + want + " bytes, the file has " + size);
      }
      CRC32C crc = new CRC32C();
      crc.update(m.duplicate().position(0).limit((int) size - 4));
      if ((int) crc.getValue() != m.getInt((int) size - 4)) {
        throw new JournalCorruptException(file + ": CRC32C mismatch");
      }
      LongBuffer entries =
          m.duplicate()
              .order(ByteOrder.LITTLE_ENDIAN)
              .position(HEADER)
              .limit((int) size - 4)
              .slice()
              .order(ByteOrder.LITTLE_ENDIAN)
              .asLongBuffer();
      return new Loaded(last, flows, hand, version == V1 ? widen(entries, flows) : entries);
    }
  }

  /** Version 1 entries with zero gateway words appended to each. */
  private static LongBuffer widen(LongBuffer v1, int flows) {
    LongBuffer out = LongBuffer.allocate(flows * FlowCache.ENTRY_LONGS);
    long[] e = new long[FlowCache.ENTRY_LONGS];
    for (int i = 0; i < flows; i++) {
      java.util.Arrays.fill(e, 0);
      v1.get(e, 0, V1_ENTRY_LONGS);
      out.put(e);
    }
    return out.flip();
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }
}
