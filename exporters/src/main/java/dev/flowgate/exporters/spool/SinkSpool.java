package dev.flowgate.exporters.spool;

import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.FlowRecordWriter;
import dev.flowgate.exporters.FlowSchema;
import dev.flowgate.exporters.FlowSink;
import dev.flowgate.exporters.JournalPosition;
import dev.flowgate.exporters.Volume;
import dev.flowgate.exporters.log.RateLimitedLog;
import dev.flowgate.exporters.outcome.SinkOutcomes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One sink's journal of flow records until delivery: what a sink was handed waits here, on disk,
 * until the sink says it was delivered; a restart resumes from it. Generic: it holds {@link
 * FlowSchema} rows, not encoded messages, so a sink encodes at send time (fresh sequence numbers
 * and export times for a re-sent record) and any sink type can use it.
 *
 * <p><b>How a sink uses it.</b> {@link #open} at start (it counts what the last run left
 * undelivered as handed to the sink's {@link SinkOutcomes}); {@link #append} each batch the sink is
 * handed (the sink counts it handed first); the sink's sender thread calls {@link #read} to get the
 * next frame of rows in order, sends them, and calls {@link #commit} with {@link
 * Frame#position(int)} of the first row not yet delivered (or {@link Frame#end()}) as they are
 * delivered; after an error that may have lost what was sent but not committed (a broken
 * connection, an ICMP error) it calls {@link #rewind} and reads those rows again. {@link #close} at
 * the end keeps the files for the next start; {@link #discard} gives up on everything left (counted
 * dropped) and deletes the directory.
 *
 * <p><b>On disk.</b> A directory per sink holds segment files {@code <start position>.seg}, each a
 * run of frames (a 48-byte header: magic, rows, packets, bytes, CRC-32C of the payload, the row
 * width, the crash journal's sweep sequence and that sweep's row after the frame's last ({@link
 * #heldRows}); then the payload, column after column, {@link #ROW_BYTES} bytes a row), and a {@code
 * cursor} file with the position delivered up to, the position sent up to (the end of the last
 * frame read) and the sink's mark ({@link #commit(long, long)}). A position is a byte offset in the
 * sink's endless stream: row {@code r} of a frame at {@code s} is at {@code s + 48 + r * ROW_BYTES}
 * (frames of another schema, another row width, are not read). Writes go to the page cache without
 * fsync: a kill -9 of the process keeps them, a power loss may lose the last seconds (a torn frame
 * is found by its CRC at start and cut off).
 *
 * <p><b>Bound.</b> Segments on disk never exceed {@code limitBytes} in total: before a frame that
 * would pass it, the oldest segments are deleted and the rows in them not yet read are counted
 * dropped in the ledger (rows read but not yet committed belong to the sender: {@link #rewind} says
 * which ones it can no longer re-read). A write that fails (disk full) drops the frame, counted and
 * logged (at most once a minute), and the spool keeps going.
 *
 * <p>Thread-safe: one lock guards the index and the files; the appender and the reader may be
 * different threads.
 */
public final class SinkSpool implements AutoCloseable {

  /** Default bound on the segments of one sink: 256 MiB (2.2 million flow records of 117 B). */
  public static final long DEFAULT_LIMIT_BYTES = 256L << 20;

  /** Smallest accepted bound: 1 MiB (a dozen full frames). */
  public static final long MIN_LIMIT_BYTES = 1L << 20;

  /** Rows in one frame at most: 1,024 (117 KiB), the unit of reading and of an in-doubt re-send. */
  public static final int MAX_FRAME_ROWS = 1024;

  /** Bytes of one row on disk: the sum of the schema's fixed column widths (117). */
  public static final int ROW_BYTES;

  /**
   * Bytes of a frame header as written: 48 (32 before frames carried their {@link JournalPosition};
   * such frames are still read).
   */
  public static final int HEADER_BYTES = 48;

  /** Not from the crash journal: a frame appended without a {@link JournalPosition}. */
  private static final long NO_SEQUENCE = -1;

  private static final int MAGIC = 0x46475332; // "FGS2": with the journal position
  private static final int OLD_MAGIC = 0x46475331; // "FGS1": without it
  private static final int OLD_HEADER_BYTES = 32;
  private static final int CURSOR_MAGIC = 0x46474332; // "FGC2"
  private static final int CURSOR_BYTES = 40; // magic, pad, delivered, sent, mark, check
  private static final int[] WIDTHS;

  static {
    List<org.apache.arrow.vector.types.pojo.Field> fields = FlowSchema.SCHEMA.getFields();
    WIDTHS = new int[fields.size()];
    int sum = 0;
    for (int c = 0; c < WIDTHS.length; c++) {
      WIDTHS[c] = width(fields.get(c).getType());
      sum += WIDTHS[c];
    }
    ROW_BYTES = sum;
  }

  private static int width(ArrowType type) {
    if (type instanceof ArrowType.FixedSizeBinary b) {
      return b.getByteWidth();
    }
    if (type instanceof ArrowType.Int i) {
      return i.getBitWidth() / 8;
    }
    if (type instanceof ArrowType.Timestamp) {
      return 8;
    }
    throw new IllegalStateException("FlowSchema column of a type the spool cannot store: " + type);
  }

  /**
   * A run of rows read from the spool: rows {@code [firstRow, rows)} of the frame at {@code start}.
   */
  public record Frame(long start, int rows, int firstRow, Volume volume, int headerBytes) {

    /** The position of row {@code row}: commit it once the rows before it are delivered. */
    public long position(int row) {
      return start + headerBytes + (long) row * ROW_BYTES;
    }

    /** The position after the frame's last row. */
    public long end() {
      return position(rows);
    }
  }

  /** What the spool holds and did, at one moment. */
  public record Stats(
      long bytesOnDisk,
      long limitBytes,
      int segments,
      long pendingRows,
      long droppedRows,
      long writeErrors,
      Volume resumed,
      Volume inDoubt) {}

  /**
   * A frame on disk; {@code sequence} and {@code rowEnd}: the journal sweep its rows came from and
   * that sweep's row after its last ({@link #NO_SEQUENCE}: not known).
   */
  private record FrameInfo(
      long start, int header, int rows, long packets, long bytes, long sequence, long rowEnd) {
    long end() {
      return data() + (long) rows * ROW_BYTES;
    }

    long data() {
      return start + header;
    }
  }

  private static final class Segment {
    final long start;
    final Path path;
    final FileChannel channel;
    final List<FrameInfo> frames = new ArrayList<>();
    long end; // position after the last good frame
    boolean sealed; // a write failed and could not be undone: append to a new segment

    Segment(long start, Path path, FileChannel channel) {
      this.start = start;
      this.path = path;
      this.channel = channel;
      this.end = start;
    }

    long bytes() {
      return end - start;
    }
  }

  private final Path dir;
  private final long limitBytes;
  private final long segmentBytes;
  private final SinkOutcomes outcomes;
  private final FileChannel cursorFile;
  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition appended = lock.newCondition();
  private final ByteBuffer header =
      ByteBuffer.allocateDirect(HEADER_BYTES).order(ByteOrder.BIG_ENDIAN);
  private final ByteBuffer cursorBuf =
      ByteBuffer.allocateDirect(CURSOR_BYTES).order(ByteOrder.BIG_ENDIAN);
  private final CRC32C crc = new CRC32C();
  private final RateLimitedLog writeLog =
      new RateLimitedLog(LoggerFactory.getLogger(SinkSpool.class), Level.WARN);
  private long bytesOnDisk;
  private long delivered; // committed position
  private long readPosition; // next position the reader returns
  private long lastReadEnd; // end of the last frame read
  private long tail; // position after the last frame appended
  private long sent; // persisted: the end of the last frame read
  private long droppedRows;
  private long mark;
  private long writeErrors;
  private final Volume resumed;
  private final Volume inDoubt;
  private boolean closed;

  private SinkSpool(Path dir, long limitBytes, SinkOutcomes outcomes, FileChannel cursorFile)
      throws IOException {
    this.dir = dir;
    this.limitBytes = limitBytes;
    this.segmentBytes = Math.max(128L << 10, Math.min(64L << 20, limitBytes / 8));
    this.outcomes = outcomes;
    this.cursorFile = cursorFile;
    scan();
    long[] cursor = readCursor();
    if (segments.isEmpty()) {
      tail = Math.max(0, Math.max(cursor[0], cursor[1]));
    } else {
      tail = segments.lastEntry().getValue().end;
    }
    long first = segments.isEmpty() ? tail : segments.firstKey();
    delivered = Math.min(Math.max(cursor[0], first), tail);
    sent = Math.min(Math.max(cursor[1], delivered), tail);
    readPosition = delivered;
    lastReadEnd = delivered;
    resumed = volumeBetween(delivered, tail);
    inDoubt = volumeBetween(delivered, sent);
    // delivered segments the last run had not yet deleted
    dropDeliveredSegments();
    outcomes.handed(resumed);
    outcomes.inDoubt(inDoubt);
  }

  /**
   * Opens (creating it if needed) the spool of one sink in {@code dir}, bounded by {@code
   * limitBytes}. What the last run left undelivered is counted handed in {@code outcomes} ({@link
   * Stats#resumed()}) and will be read again; of it, what was read but not committed before the
   * last run ended (sent, outcome unknown) is {@link Stats#inDoubt()}.
   *
   * @throws IllegalArgumentException if {@code limitBytes} is below {@link #MIN_LIMIT_BYTES}
   * @throws IOException if the directory or its cursor cannot be created or read, or another spool
   *     has it open (a lock on the cursor file: one reader and one writer per directory)
   */
  public static SinkSpool open(Path dir, long limitBytes, SinkOutcomes outcomes)
      throws IOException {
    if (limitBytes < MIN_LIMIT_BYTES) {
      throw new IllegalArgumentException(
          "spool limit must be at least " + MIN_LIMIT_BYTES + " bytes, was " + limitBytes);
    }
    Files.createDirectories(dir);
    FileChannel cursor =
        FileChannel.open(
            dir.resolve("cursor"),
            StandardOpenOption.CREATE,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    try {
      java.nio.channels.FileLock lock;
      try {
        lock = cursor.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new IOException("spool " + dir + " is in use (by a sink still delivering it)");
      }
      return new SinkSpool(dir, limitBytes, outcomes, cursor);
    } catch (IOException | RuntimeException e) {
      cursor.close();
      throw e;
    }
  }

  /** The spool's directory. */
  public Path directory() {
    return dir;
  }

  /** The file in a spool's directory that says which sink it belongs to ({@link #describe}). */
  public static final String DESCRIPTION_FILE = "sink.properties";

  /**
   * Stores {@code settings} (the sink's own words: its type, its destination and how to encode for
   * it) in the spool's directory, replacing what was there, so a start that no longer has the sink
   * in its config can still deliver what the spool holds ({@link #description}). Written as a
   * temporary file and renamed; a failure is logged and leaves the old description.
   */
  public void describe(Map<String, String> settings) {
    Properties p = new Properties();
    p.putAll(settings);
    Path tmp = dir.resolve(DESCRIPTION_FILE + ".tmp");
    try {
      try (var out = Files.newOutputStream(tmp)) {
        p.store(out, "the sink this spool belongs to (flowgate)");
      }
      Files.move(
          tmp,
          dir.resolve(DESCRIPTION_FILE),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      deleteQuietly(tmp);
      writeLog.report(
          "describe", "spool " + dir + ": cannot store its sink's settings (" + e + ")");
    }
  }

  /**
   * What {@link #describe} stored in the spool directory {@code dir}; empty if nothing was (a spool
   * of an older version, a sink type that does not describe itself) or it cannot be read.
   */
  public static Map<String, String> description(Path dir) {
    Properties p = new Properties();
    try (var in = Files.newInputStream(dir.resolve(DESCRIPTION_FILE))) {
      p.load(in);
    } catch (IOException | IllegalArgumentException e) {
      return Map.of();
    }
    Map<String, String> out = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
    return out;
  }

  /**
   * True if a spool of this process has the directory {@code dir} open (its lock is held): a sink
   * is using it. A directory without a cursor is not in use.
   */
  public static boolean isInUse(Path dir) {
    Path cursor = dir.resolve("cursor");
    if (!Files.exists(cursor)) {
      return false;
    }
    try (FileChannel ch = FileChannel.open(cursor, StandardOpenOption.WRITE)) {
      FileLock lock = ch.tryLock();
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    } catch (IOException e) {
      return false; // unreadable: the caller finds out when it opens it
    }
  }

  /**
   * Appends every row of {@code batch} (a {@link FlowSchema#SCHEMA} root), in frames of at most
   * {@link #MAX_FRAME_ROWS}. The caller has counted the rows handed; what cannot be kept (the disk
   * is full, the spool is closed) is counted dropped here. Returns the rows kept.
   */
  public long append(VectorSchemaRoot batch) {
    return append(batch, null);
  }

  /**
   * Like {@link #append(VectorSchemaRoot)} for a batch the crash journal placed at {@code at}
   * (null: nowhere): each frame records the sweep and the sweep's row after its last, so that after
   * a crash {@link #heldRows} tells how much of a sweep this spool holds, and a replay of that
   * sweep hands it only the rest.
   */
  public long append(VectorSchemaRoot batch, JournalPosition at) {
    FlowColumns flows = new FlowColumns(batch);
    int total = flows.rowCount();
    long kept = 0;
    lock.lock();
    try {
      for (int from = 0; from < total; from += MAX_FRAME_ROWS) {
        int rows = Math.min(MAX_FRAME_ROWS, total - from);
        if (appendFrame(batch, flows, from, rows, at)) {
          kept += rows;
        }
      }
      if (kept > 0) {
        appended.signalAll();
      }
    } finally {
      lock.unlock();
    }
    return kept;
  }

  /**
   * The next frame in order, its rows copied into {@code into} (rows {@code [0, frame.rows())}, of
   * which the caller sends from {@link Frame#firstRow()}), waiting up to {@code timeoutNanos} for
   * one; null if none came or the spool is closed. The frame counts as sent from now on (in doubt
   * after a kill until committed).
   */
  public Frame read(FlowRecordWriter into, long timeoutNanos) throws InterruptedException {
    lock.lock();
    try {
      long left = timeoutNanos;
      while (true) {
        if (closed) {
          return null;
        }
        Frame frame = readLocked(into);
        if (frame != null) {
          return frame;
        }
        if (left <= 0) {
          return null;
        }
        left = appended.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Everything before {@code position} was delivered: the cursor moves there (persisted, page
   * cache) and segments wholly delivered are deleted.
   */
  public void commit(long position) {
    commit(position, mark);
  }

  /**
   * Like {@link #commit(long)}, also persisting {@code mark}: a value of the sink's own that a
   * restart reads back ({@link #mark()}), e.g. the sequence number to continue from.
   */
  public void commit(long position, long mark) {
    lock.lock();
    try {
      this.mark = mark;
      if (position <= delivered || closed) {
        if (!closed) {
          writeCursor();
        }
        return;
      }
      delivered = Math.min(position, tail);
      if (delivered >= lastReadEnd) {
        // nothing in flight: skip what the limit deleted past it
        delivered = Math.max(delivered, readPosition);
      }
      readPosition = Math.max(readPosition, delivered);
      dropDeliveredSegments();
      writeCursor();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The reader goes back to the last committed position: the rows read since are read again (the
   * sender could not deliver them). Returns that position, which is later than the committed one
   * when the limit deleted rows read and not yet committed: rows before it are gone (the sender
   * counts them dropped).
   */
  public long rewind() {
    return rewind(false);
  }

  /**
   * Like {@link #rewind()}; {@code refused} says the rows read since the commit are known not to
   * have arrived (the destination refused them), so a restart does not count them in doubt.
   */
  public long rewind(boolean refused) {
    lock.lock();
    try {
      long first = segments.isEmpty() ? lastEnd() : segments.firstKey();
      readPosition = Math.max(delivered, first);
      lastReadEnd = readPosition;
      if (refused && sent > readPosition) {
        sent = readPosition;
        writeCursor();
      }
      return readPosition;
    } finally {
      lock.unlock();
    }
  }

  /** The sink's value last committed with {@link #commit(long, long)} (0 if none ever was). */
  public long mark() {
    lock.lock();
    try {
      return mark;
    } finally {
      lock.unlock();
    }
  }

  /**
   * How many of the finished flows of crash-journal sweep {@code sequence} this spool holds: the
   * sweep's rows {@code [0, n)}, read from the last frame on disk (frames are appended in the
   * sweep's order, and a frame cut by a kill is not on disk). 0 when the last frame belongs to an
   * earlier sweep or there is none; {@link FlowSink#HELD_UNKNOWN} when it cannot tell: the last
   * frame carries no journal position (appended without one, or by a version before positions) or
   * belongs to a later sweep (a journal that was reset: its sequence numbers mean nothing here).
   */
  public long heldRows(long sequence) {
    lock.lock();
    try {
      FrameInfo last = null;
      for (Segment s : segments.descendingMap().values()) {
        if (!s.frames.isEmpty()) {
          last = s.frames.get(s.frames.size() - 1);
          break;
        }
      }
      if (last == null) {
        return 0;
      }
      if (last.sequence() == NO_SEQUENCE || last.sequence() > sequence) {
        return FlowSink.HELD_UNKNOWN;
      }
      return last.sequence() == sequence ? last.rowEnd() : 0;
    } finally {
      lock.unlock();
    }
  }

  /** True when every row appended was committed (nothing to read, nothing in flight). */
  public boolean isDrained() {
    lock.lock();
    try {
      return delivered >= lastEnd();
    } finally {
      lock.unlock();
    }
  }

  /** The spool now. */
  public Stats stats() {
    lock.lock();
    try {
      long pending = 0;
      for (Segment s : segments.values()) {
        for (FrameInfo f : s.frames) {
          if (f.end() > delivered) {
            pending += f.start() >= delivered ? f.rows() : rowsFrom(f, delivered);
          }
        }
      }
      return new Stats(
          bytesOnDisk,
          limitBytes,
          segments.size(),
          pending,
          droppedRows,
          writeErrors,
          resumed,
          inDoubt);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Gives up on every row not yet read (counted dropped for {@code reason}) and deletes the spool's
   * files and directory; the sender must have stopped. For a sink the operator removed.
   */
  public void discard(String reason) {
    lock.lock();
    try {
      Volume left = volumeBetween(readPosition, lastEnd());
      droppedRows += rowsBetween(readPosition, lastEnd());
      if (!left.isZero()) {
        outcomes.dropped(left, reason);
      }
      for (Segment s : segments.values()) {
        closeQuietly(s.channel);
        deleteQuietly(s.path);
      }
      segments.clear();
      bytesOnDisk = 0;
      closeLocked();
      deleteQuietly(dir.resolve("cursor"));
      deleteQuietly(dir.resolve(DESCRIPTION_FILE));
      deleteQuietly(dir);
    } finally {
      lock.unlock();
    }
  }

  /** Persists the cursor and closes the files; what is undelivered stays for the next start. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (!closed) {
        writeCursor();
        closeLocked();
      }
    } finally {
      lock.unlock();
    }
  }

  // ---- append

  private boolean appendFrame(
      VectorSchemaRoot batch, FlowColumns flows, int from, int rows, JournalPosition origin) {
    Volume volume = flows.volume(from, from + rows);
    if (closed) {
      droppedRows += rows;
      outcomes.dropped(volume, "spool closed");
      return false;
    }
    long frameBytes = HEADER_BYTES + (long) rows * ROW_BYTES;
    makeRoom(frameBytes);
    Segment seg = null;
    try {
      seg = activeSegment(frameBytes);
      ByteBuffer[] parts = new ByteBuffer[WIDTHS.length + 1];
      crc.reset();
      for (int c = 0; c < WIDTHS.length; c++) {
        ByteBuffer col =
            batch.getVector(c).getDataBuffer().nioBuffer((long) from * WIDTHS[c], rows * WIDTHS[c]);
        crc.update(col.duplicate());
        parts[c + 1] = col;
      }
      header.clear();
      header.putInt(MAGIC).putInt(rows).putLong(volume.packets()).putLong(volume.bytes());
      long sequence = origin == null ? NO_SEQUENCE : origin.sequence();
      long rowEnd = origin == null ? 0 : origin.row() + from + rows;
      header.putInt((int) crc.getValue()).putInt(ROW_BYTES).putLong(sequence).putLong(rowEnd);
      header.flip();
      parts[0] = header;
      long at = seg.bytes();
      long left = frameBytes;
      seg.channel.position(at);
      while (left > 0) {
        long n = seg.channel.write(parts);
        left -= n;
      }
      FrameInfo info = new FrameInfo(seg.end, HEADER_BYTES, rows, volume.packets(), volume.bytes(), sequence, rowEnd);
      seg.frames.add(info);
      seg.end = info.end();
      tail = seg.end;
      bytesOnDisk += frameBytes;
      writeLog.clear("write");
      return true;
    } catch (IOException e) {
      writeErrors++;
      droppedRows += rows;
      if (seg != null) {
        try {
          seg.channel.truncate(seg.bytes());
        } catch (IOException ignored) {
          // the torn frame stays past seg.end (a restart cuts it off); append elsewhere
          seg.sealed = true;
        }
      }
      writeLog.report(
          "write",
          "spool " + dir + ": cannot write " + rows + " flow records (" + e + "); dropped");
      outcomes.dropped(volume, "spool write failed: " + e);
      return false;
    }
  }

  /** Deletes the oldest segments until {@code frameBytes} more fit under the limit. */
  private void makeRoom(long frameBytes) {
    while (bytesOnDisk + frameBytes > limitBytes && !segments.isEmpty()) {
      Map.Entry<Long, Segment> oldest = segments.pollFirstEntry();
      Segment s = oldest.getValue();
      long from = Math.max(readPosition, s.start);
      Volume lost = volumeBetween(s, from);
      long rows = rowsBetween(s, from);
      bytesOnDisk -= s.bytes();
      closeQuietly(s.channel);
      deleteQuietly(s.path);
      if (rows > 0) {
        droppedRows += rows;
        outcomes.dropped(
            lost,
            "spool limit of "
                + limitBytes
                + " bytes reached: the oldest "
                + rows
                + " undelivered flow records dropped");
      }
      boolean inFlight = readPosition > delivered;
      readPosition = Math.max(readPosition, s.end);
      if (!inFlight && delivered < readPosition) {
        delivered = readPosition;
        lastReadEnd = readPosition;
        writeCursor();
      }
    }
  }

  private Segment activeSegment(long frameBytes) throws IOException {
    Segment last = segments.isEmpty() ? null : segments.lastEntry().getValue();
    if (last != null
        && !last.sealed
        && (last.bytes() == 0 || last.bytes() + frameBytes <= segmentBytes)) {
      return last;
    }
    if (last != null && last.bytes() == 0) {
      segments.pollLastEntry(); // sealed and empty: its name is the new segment's
      closeQuietly(last.channel);
    }
    long start = lastEnd();
    Path path = dir.resolve(String.format("%020d.seg", start));
    FileChannel ch =
        FileChannel.open(
            path,
            StandardOpenOption.CREATE,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
    Segment seg = new Segment(start, path, ch);
    segments.put(start, seg);
    return seg;
  }

  private long lastEnd() {
    return tail;
  }

  // ---- read

  private Frame readLocked(FlowRecordWriter into) {
    Long from = segments.floorKey(readPosition);
    for (Segment s : (from == null ? segments : segments.tailMap(from, true)).values()) {
      int i = firstFrameEndingAfter(s, readPosition);
      if (i < 0) {
        continue;
      }
      FrameInfo f = s.frames.get(i);
      int firstRow = readPosition > f.start() ? (int) ((readPosition - f.data()) / ROW_BYTES) : 0;
      try {
        readRows(s, f, into);
      } catch (IOException e) {
        // unreadable (the disk lost it): count it dropped and go on
        writeErrors++;
        droppedRows += f.rows() - firstRow;
        outcomes.dropped(volumeOf(s, f, firstRow), "spool read failed: " + e);
        readPosition = f.end();
        continue;
      }
      Volume v =
          firstRow == 0
              ? new Volume(f.packets(), f.bytes())
              : volumeFromRows(into, firstRow, f.rows());
      readPosition = f.end();
      lastReadEnd = readPosition;
      if (readPosition > sent) {
        sent = readPosition;
        writeCursor();
      }
      return new Frame(f.start(), f.rows(), firstRow, v, f.header());
    }
    return null;
  }

  /**
   * Reads a frame's columns straight into {@code into}'s vectors in one scattering read (the
   * columns lie back to back on disk), not a read a column. The appender also positions the
   * segment's channel before it writes; both hold the lock.
   */
  private void readRows(Segment s, FrameInfo f, FlowRecordWriter into) throws IOException {
    into.ensureCapacity(f.rows());
    long at = f.data() - s.start;
    VectorSchemaRoot root = into.root();
    ByteBuffer[] parts = new ByteBuffer[WIDTHS.length];
    long left = 0;
    for (int c = 0; c < WIDTHS.length; c++) {
      int len = f.rows() * WIDTHS[c];
      parts[c] = root.getVector(c).getDataBuffer().nioBuffer(0, len);
      left += len;
    }
    s.channel.position(at);
    while (left > 0) {
      long n = s.channel.read(parts);
      if (n < 0) {
        throw new IOException("short read at " + s.channel.position());
      }
      left -= n;
    }
    into.publish(f.rows());
  }

  private static Volume volumeFromRows(FlowRecordWriter into, int from, int to) {
    FlowColumns cols = new FlowColumns(into.root());
    long p = 0;
    long b = 0;
    for (int r = from; r < to; r++) {
      p += cols.packets(r);
      b += cols.bytes(r);
    }
    return new Volume(p, b);
  }

  private static int firstFrameEndingAfter(Segment s, long position) {
    int lo = 0;
    int hi = s.frames.size() - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (s.frames.get(mid).end() > position) {
        found = mid;
        hi = mid - 1;
      } else {
        lo = mid + 1;
      }
    }
    return found;
  }

  // ---- volumes of stored rows

  private Volume volumeBetween(long from, long to) {
    Volume v = Volume.ZERO;
    for (Segment s : segments.values()) {
      for (FrameInfo f : s.frames) {
        if (f.end() <= from || f.start() >= to) {
          continue;
        }
        v = v.plus(volumeOfRange(s, f, from, to));
      }
    }
    return v;
  }

  private long rowsBetween(long from, long to) {
    long rows = 0;
    for (Segment s : segments.values()) {
      for (FrameInfo f : s.frames) {
        if (f.end() <= from || f.start() >= to) {
          continue;
        }
        rows += rowIndex(f, Math.min(to, f.end())) - rowIndex(f, from);
      }
    }
    return rows;
  }

  private Volume volumeBetween(Segment s, long from) {
    Volume v = Volume.ZERO;
    for (FrameInfo f : s.frames) {
      if (f.end() > from) {
        v = v.plus(volumeOfRange(s, f, from, Long.MAX_VALUE));
      }
    }
    return v;
  }

  private long rowsBetween(Segment s, long from) {
    long rows = 0;
    for (FrameInfo f : s.frames) {
      if (f.end() > from) {
        rows += f.rows() - rowIndex(f, from);
      }
    }
    return rows;
  }

  private static long rowsFrom(FrameInfo f, long from) {
    return f.rows() - rowIndex(f, from);
  }

  /** The row at or after {@code position} within {@code f}, clamped to [0, rows]. */
  private static int rowIndex(FrameInfo f, long position) {
    if (position <= f.data()) {
      return 0;
    }
    long r = (position - f.data() + ROW_BYTES - 1) / ROW_BYTES;
    return (int) Math.min(f.rows(), r);
  }

  private Volume volumeOfRange(Segment s, FrameInfo f, long from, long to) {
    int a = rowIndex(f, from);
    int b = to >= f.end() ? f.rows() : rowIndex(f, to);
    if (a == 0 && b == f.rows()) {
      return new Volume(f.packets(), f.bytes());
    }
    if (a >= b) {
      return Volume.ZERO;
    }
    return sumColumns(s, f, a, b);
  }

  private Volume volumeOf(Segment s, FrameInfo f, int firstRow) {
    return volumeOfRange(s, f, f.data() + (long) firstRow * ROW_BYTES, f.end());
  }

  /** Sums the packets and bytes columns of rows [a, b) of a frame, read from its file. */
  private Volume sumColumns(Segment s, FrameInfo f, int a, int b) {
    long colAt = f.data() - s.start;
    long packetsAt = 0;
    long bytesAt = 0;
    for (int c = 0; c < WIDTHS.length; c++) {
      if (c == FlowSchema.PACKETS_INDEX) {
        packetsAt = colAt;
      } else if (c == FlowSchema.BYTES_INDEX) {
        bytesAt = colAt;
      }
      colAt += (long) f.rows() * WIDTHS[c];
    }
    ByteBuffer buf = ByteBuffer.allocate((b - a) * 8).order(ByteOrder.LITTLE_ENDIAN);
    long p = 0;
    long by = 0;
    try {
      readFully(s.channel, buf, packetsAt + a * 8L);
      buf.flip();
      while (buf.hasRemaining()) {
        p += buf.getLong();
      }
      buf.clear();
      readFully(s.channel, buf, bytesAt + a * 8L);
      buf.flip();
      while (buf.hasRemaining()) {
        by += buf.getLong();
      }
    } catch (IOException e) {
      // unreadable: estimate by the row share of the frame (logged)
      writeLog.report("read", "spool " + dir + ": cannot read a frame's counters (" + e + ")");
      long share = b - a;
      return new Volume(f.packets() * share / f.rows(), f.bytes() * share / f.rows());
    }
    return new Volume(p, by);
  }

  // ---- segments and cursor on disk

  private void dropDeliveredSegments() {
    while (segments.size() > 1) {
      Segment s = segments.firstEntry().getValue();
      if (s.end > delivered) {
        return;
      }
      segments.pollFirstEntry();
      bytesOnDisk -= s.bytes();
      closeQuietly(s.channel);
      deleteQuietly(s.path);
    }
  }

  private void scan() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
    }
    for (Path path : files) {
      String name = path.getFileName().toString();
      long start;
      try {
        start = Long.parseLong(name.substring(0, name.length() - 4));
      } catch (NumberFormatException e) {
        continue; // not ours
      }
      FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      Segment seg = new Segment(start, path, ch);
      long size = ch.size();
      ByteBuffer hdr = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.BIG_ENDIAN);
      while (seg.bytes() + OLD_HEADER_BYTES <= size) {
        hdr.clear().limit((int) Math.min(HEADER_BYTES, size - seg.bytes()));
        readFully(ch, hdr, seg.bytes());
        hdr.flip();
        int magic = hdr.getInt();
        int head = magic == OLD_MAGIC ? OLD_HEADER_BYTES : HEADER_BYTES;
        if (magic != MAGIC && magic != OLD_MAGIC || hdr.limit() < head) {
          break;
        }
        int rows = hdr.getInt();
        long packets = hdr.getLong();
        long bytes = hdr.getLong();
        int sum = hdr.getInt();
        int rowBytes = hdr.getInt();
        long sequence = magic == MAGIC ? hdr.getLong() : NO_SEQUENCE;
        long rowEnd = magic == MAGIC ? hdr.getLong() : 0;
        if (rowBytes != ROW_BYTES) {
          LoggerFactory.getLogger(SinkSpool.class)
              .warn(
                  "spool {}: frames of {}-byte rows from another version of the flow schema"
                      + " ({} now): {} bytes left unread and deleted",
                  path,
                  rowBytes,
                  ROW_BYTES,
                  size - seg.bytes());
          break;
        }
        long frameBytes = head + (long) rows * ROW_BYTES;
        if (rows <= 0
            || rows > MAX_FRAME_ROWS
            || seg.bytes() + frameBytes > size
            || !crcMatches(ch, seg.bytes() + head, rows * ROW_BYTES, sum)) {
          break;
        }
        FrameInfo f = new FrameInfo(seg.end, head, rows, packets, bytes, sequence, rowEnd);
        seg.frames.add(f);
        seg.end = f.end();
      }
      if (seg.bytes() < size) {
        ch.truncate(seg.bytes()); // a torn tail (power loss, disk full)
      }
      if (seg.frames.isEmpty()) {
        ch.close();
        Files.deleteIfExists(path);
        continue;
      }
      segments.put(start, seg);
      bytesOnDisk += seg.bytes();
    }
  }

  private boolean crcMatches(FileChannel ch, long at, int len, int expected) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(len);
    readFully(ch, buf, at);
    buf.flip();
    crc.reset();
    crc.update(buf);
    return (int) crc.getValue() == expected;
  }

  private long[] readCursor() throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(CURSOR_BYTES).order(ByteOrder.BIG_ENDIAN);
    if (cursorFile.size() < CURSOR_BYTES) {
      return new long[] {Long.MIN_VALUE, Long.MIN_VALUE};
    }
    readFully(cursorFile, buf, 0);
    buf.flip();
    int magic = buf.getInt();
    buf.getInt();
    long d = buf.getLong();
    long s = buf.getLong();
    long m = buf.getLong();
    long check = buf.getLong();
    if (magic != CURSOR_MAGIC || check != (d ^ s ^ m ^ 0x5bd1e995L)) {
      return new long[] {Long.MIN_VALUE, Long.MIN_VALUE}; // unreadable: resend everything
    }
    mark = m;
    return new long[] {d, s};
  }

  private void writeCursor() {
    cursorBuf.clear();
    cursorBuf.putInt(CURSOR_MAGIC).putInt(0).putLong(delivered).putLong(sent).putLong(mark);
    cursorBuf.putLong(delivered ^ sent ^ mark ^ 0x5bd1e995L).flip();
    try {
      while (cursorBuf.hasRemaining()) {
        cursorFile.write(cursorBuf, cursorBuf.position());
      }
    } catch (IOException e) {
      // the cursor lags: a restart re-sends more than needed (in doubt), nothing is lost
      writeLog.report("cursor", "spool " + dir + ": cannot write the cursor (" + e + ")");
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer dst, long at) throws IOException {
    long pos = at;
    while (dst.hasRemaining()) {
      int n = ch.read(dst, pos);
      if (n < 0) {
        throw new IOException("short read at " + pos);
      }
      pos += n;
    }
  }

  private void closeLocked() {
    closed = true;
    for (Segment s : segments.values()) {
      closeQuietly(s.channel);
    }
    closeQuietly(cursorFile);
    appended.signalAll();
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // closing a file we only read or appended to
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // left behind: a later start deletes or ignores it
    }
  }
}
