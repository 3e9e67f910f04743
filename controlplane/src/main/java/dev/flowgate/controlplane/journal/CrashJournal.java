package dev.flowgate.controlplane.journal;

import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.sweep.SweepJournal;
import dev.flowgate.controlplane.sweep.SweepParts;
import dev.flowgate.controlplane.sweep.Sweeper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The crash journal under {@code <state-directory>/journal/}: whatever has left the kernel but not
 * yet the sinks is on file, so kill -9 or a crash of the process loses no count.
 *
 * <ul>
 *   <li>{@code journal.log}: frames ({@link JournalFrame}) appended by the sweeps: a sweep's input
 *       as the kernel returned it, in parts of one chunk each and an end frame (written before the
 *       kernel's copy is deleted), then "cleared", then "exported" once the sinks accepted what the
 *       sweep finished; a "finish-all" at a stop. The sweep merges its parts read back from here.
 *   <li>{@code cache.snapshot}: the flow cache at the last checkpoint ({@link CacheSnapshot}); a
 *       checkpoint writes it and empties the log, so a replay reads at most about two snapshots'
 *       worth.
 * </ul>
 *
 * <p><b>Durability.</b> A frame is written with {@code write(2)} before the kernel's copy is
 * cleared: once the call returns it is in the page cache and survives the death of the process
 * (kill -9, a JVM crash, the OOM killer). It is not forced to disk unless {@code syncFrames}: a
 * power loss or kernel crash also loses the kernel's own flow maps and totals, which the journal
 * cannot stand in for. Snapshots are forced before they replace the previous one.
 *
 * <p><b>Errors.</b> A write that fails is logged and counted ({@link #writeErrors()}); the sweep
 * goes on without the journal (exporting is worth more than crash safety) and the next checkpoint
 * starts a fresh log. Used on the sweeper's thread only; the counters may be read from any thread.
 */
public final class CrashJournal implements SweepJournal, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CrashJournal.class);

  /** The log's file name in the journal directory. */
  public static final String LOG_FILE = "journal.log";

  /** The snapshot's file name in the journal directory. */
  public static final String SNAPSHOT_FILE = "cache.snapshot";

  /** A checkpoint is due once the log holds this much, or twice the last snapshot if more. */
  public static final long MIN_CHECKPOINT_BYTES = 16L << 20;

  /** A checkpoint is due this long after the last one if the log is not empty: 60 s. */
  public static final long CHECKPOINT_INTERVAL_MS = 60_000;

  /** What a checkpoint writes the next log as before it replaces the log (deleted at open). */
  static final String NEXT_LOG_FILE = "journal.log.next";

  private final Path snapshotFile;
  private final Path logFile;
  private FileChannel log;
  // the parts of the last sweep begun (in log, or in the log a checkpoint replaced, kept open
  // until the next sweep begins so the sweep's interval can still be read back)
  private final JournalParts last;
  private long lastSequence = -1;
  private boolean lastWhole;
  private byte lastFlags;
  private long lastNowMs;
  private long lastEpochOffsetNs;
  private final boolean syncFrames;
  private final ByteBuffer head = JournalFrame.headerBuffer();
  private final ByteBuffer tail = ByteBuffer.allocateDirect(4).order(ByteOrder.LITTLE_ENDIAN);
  private final ByteBuffer[] gather = new ByteBuffer[4];
  private JournalScan scan;
  private long size;
  private long nextSequence;
  private FlowCache timeoutsOf;
  private ExportGate positions;
  private long snapshotBytes;
  private long lastCheckpointNanos = System.nanoTime();
  private boolean broken;
  private volatile long writeErrors;
  private volatile long bytesWritten;
  private volatile long checkpoints;

  private CrashJournal(Path dir, boolean syncFrames) throws IOException {
    Files.createDirectories(dir);
    this.snapshotFile = dir.resolve(SNAPSHOT_FILE);
    this.syncFrames = syncFrames;
    this.logFile = dir.resolve(LOG_FILE);
    Files.deleteIfExists(dir.resolve(NEXT_LOG_FILE)); // a checkpoint cut before its rename
    this.log =
        FileChannel.open(
            logFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    this.scan = JournalScan.of(log);
    this.size = scan.validEnd();
    long snapshotLast = -1;
    if (Files.exists(snapshotFile)) {
      snapshotBytes = Files.size(snapshotFile);
      snapshotLast = snapshotSequence(snapshotFile);
    }
    this.nextSequence = Math.max(scan.maxSequence(), snapshotLast) + 1;
    this.last = new JournalParts(log);
  }

  /**
   * Opens (creating) the journal in {@code dir} and reads what a previous run left, for {@link
   * #replay}.
   *
   * @param syncFrames force every frame to disk (survives a power loss; costs an fsync per sweep)
   */
  public static CrashJournal open(Path dir, boolean syncFrames) {
    try {
      return new CrashJournal(dir, syncFrames);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the crash journal in " + dir, e);
    }
  }

  /**
   * Rebuilds what the previous run held (see {@link JournalReplay}) into {@code cache}, an empty
   * cache whose consumer is {@code gate}, re-running sweeps through {@code sweeper}. Call once,
   * before the first sweep; then {@link #checkpoint} so the replayed state is the new start.
   */
  public ReplayOutcome replay(FlowCache cache, Sweeper sweeper, ExportGate gate) {
    if (scan == null) {
      throw new IllegalStateException("replay runs once, before the first sweep");
    }
    try {
      ReplayOutcome out = JournalReplay.run(log, scan, snapshotFile, cache, sweeper, gate);
      scan = null;
      log.truncate(size); // drop a torn or corrupt tail: new frames follow intact ones
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("replaying the crash journal", e);
    }
  }

  @Override
  public long begin(long nowMs, long epochOffsetNs, boolean expire) {
    long seq = nextSequence++;
    announce(seq);
    if (last.file() != log) {
      closeQuietly(last.file()); // the log a checkpoint replaced: its last sweep is over
    }
    last.reset(log);
    lastSequence = seq;
    lastWhole = !broken;
    lastFlags = expire ? JournalFrame.FLAG_EXPIRE : 0;
    lastNowMs = nowMs;
    lastEpochOffsetNs = epochOffsetNs;
    return seq;
  }

  @Override
  public void part(ByteBuffer keys, ByteBuffer values, int count) {
    if (!lastWhole) {
      return; // a part is missing already: the sweep's end will not be written
    }
    int payload = JournalFrame.PART_FIXED + keys.remaining() + values.remaining();
    JournalFrame.header(head, JournalFrame.SWEEP_PART, (byte) 0, lastSequence, payload);
    head.putInt(count).flip();
    gather[0] = head;
    gather[1] = keys.duplicate();
    gather[2] = values.duplicate();
    tail.clear();
    tail.putInt(0, JournalFrame.crc(head, keys, values));
    gather[3] = tail;
    long at = size;
    if (append(gather)) {
      last.add(at, count);
    } else {
      lastWhole = false;
    }
  }

  @Override
  public boolean end(int count) {
    if (!lastWhole || last.total() != count) {
      lastWhole = false;
      return false;
    }
    lastWhole =
        sweepFrame(
                lastSequence,
                lastNowMs,
                lastEpochOffsetNs,
                (byte) (lastFlags | JournalFrame.FLAG_PARTS),
                null,
                null,
                count)
            && !broken;
    return lastWhole;
  }

  @Override
  public SweepParts parts(long sequence) {
    if (sequence != lastSequence || !lastWhole) {
      throw new IllegalStateException(
          "sweep "
              + sequence
              + " is not the last sweep journaled whole ("
              + lastSequence
              + (lastWhole ? ")" : ", not whole)"));
    }
    return last;
  }

  /**
   * Journals a sweep's input as one frame, the format before sweeps were journaled in parts:
   * replays still read it, and tests write such journals with it.
   */
  long drained(
      long nowMs,
      long epochOffsetNs,
      boolean expire,
      ByteBuffer keys,
      ByteBuffer values,
      int count) {
    long seq = nextSequence++;
    announce(seq);
    sweepFrame(
        seq, nowMs, epochOffsetNs, expire ? JournalFrame.FLAG_EXPIRE : 0, keys, values, count);
    return seq;
  }

  /**
   * Journals, as a sweep's input without expiry, the entries an upgrade drained from an older
   * schema's pins ({@code OlderSchemaPins}), before those pins are removed: then "cleared" once
   * they are gone, "exported" once merged. A replay re-merges them like a sweep's and reports them
   * ({@link ReplayOutcome#olderPinsJournaled()}): old pins still there are in the journal and are
   * removed unread.
   *
   * @return the frame's sequence number, for {@link #cleared} and {@link #exported}
   */
  public long olderPins(
      long nowMs, long epochOffsetNs, ByteBuffer keys, ByteBuffer values, int count) {
    long seq = nextSequence++;
    announce(seq);
    sweepFrame(seq, nowMs, epochOffsetNs, JournalFrame.FLAG_OLDER_PINS, keys, values, count);
    return seq;
  }

  /**
   * A sweep input frame: the entries follow in it, or ({@link JournalFrame#FLAG_PARTS}, {@code
   * keys} and {@code values} null) they are in the sweep's parts before it.
   *
   * @return whether it was written
   */
  private boolean sweepFrame(
      long seq,
      long nowMs,
      long epochOffsetNs,
      int kind,
      ByteBuffer keys,
      ByteBuffer values,
      int count) {
    boolean timeouts = timeoutsOf != null;
    byte flags =
        (byte)
            (kind | (timeouts ? JournalFrame.FLAG_TIMEOUTS : 0) | JournalFrame.FLAG_GATEWAY_STATS);
    boolean entries = keys != null;
    int payload =
        JournalFrame.sweepFixed(flags) + (entries ? keys.remaining() + values.remaining() : 0);
    JournalFrame.header(head, JournalFrame.SWEEP, flags, seq, payload);
    head.putLong(nowMs).putLong(epochOffsetNs).putInt(count);
    if (timeouts) {
      // at most 24 h = 86,400,000 ms: fits an i32
      head.putInt((int) timeoutsOf.idleTimeoutMs()).putInt((int) timeoutsOf.activeTimeoutMs());
    }
    head.flip();
    gather[0] = head;
    tail.clear();
    if (entries) {
      gather[1] = keys.duplicate();
      gather[2] = values.duplicate();
      tail.putInt(0, JournalFrame.crc(head, keys, values));
      gather[3] = tail;
    } else {
      tail.putInt(0, JournalFrame.crc(head));
      gather[1] = tail;
      gather[2] = null;
      gather[3] = null;
    }
    return append(gather);
  }

  @Override
  public void cleared(long sequence) {
    marker(JournalFrame.CLEARED, sequence);
  }

  @Override
  public void exported(long sequence) {
    marker(JournalFrame.EXPORTED, sequence);
  }

  /**
   * Records with every sweep frame the timeouts {@code cache} expires flows by (read as each frame
   * is written, so a reload's new timeouts go with the sweeps made under them): a replay after a
   * reload then expires as the killed run did. Without it frames carry none, and a replay uses the
   * replaying cache's own.
   */
  public void recordTimeoutsOf(FlowCache cache) {
    this.timeoutsOf = cache;
  }

  /**
   * Tells {@code gate} each sweep's (and finish-all's) sequence number as it starts, so the batches
   * it finishes go to the sinks with their {@link dev.flowgate.exporters.JournalPosition}.
   */
  public void announceSweepsTo(ExportGate gate) {
    this.positions = gate;
  }

  private void announce(long seq) {
    if (positions != null) {
      positions.sweep(seq);
    }
  }

  /**
   * Records that the stop's finish-all starts; returns its sequence number for {@link #exported}.
   */
  public long finishing() {
    long seq = nextSequence++;
    announce(seq);
    marker(JournalFrame.FINISH_ALL, seq);
    return seq;
  }

  /**
   * Whether a checkpoint is due: the log holds {@link #MIN_CHECKPOINT_BYTES} and twice the last
   * snapshot, or the last checkpoint is {@link #CHECKPOINT_INTERVAL_MS} old, or a write failed.
   */
  public boolean checkpointDue() {
    return broken
        || size >= Math.max(MIN_CHECKPOINT_BYTES, 2 * snapshotBytes)
        || size > 0
            && System.nanoTime() - lastCheckpointNanos >= CHECKPOINT_INTERVAL_MS * 1_000_000;
  }

  /**
   * Writes the cache's state as the new snapshot and empties the log. Call between sweeps, after
   * the last sweep's "exported" frame: the snapshot then stands for every frame so far. When the
   * log holds the last sweep's parts (its interval can still be asked for), the log is replaced by
   * an empty file instead of truncated, and the old one stays open, unlinked, until the next sweep
   * begins.
   */
  public void checkpoint(FlowCache cache) {
    try {
      snapshotBytes = CacheSnapshot.write(snapshotFile, cache, nextSequence - 1);
      if (last.file() == log && last.parts() > 0) {
        Path next = logFile.resolveSibling(NEXT_LOG_FILE);
        FileChannel fresh =
            FileChannel.open(
                next,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
          Files.move(
              next, logFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
          closeQuietly(fresh);
          throw e;
        }
        log = fresh; // last keeps the replaced file
      } else {
        log.truncate(0);
        log.position(0);
      }
      size = 0;
      broken = false;
      lastCheckpointNanos = System.nanoTime();
      checkpoints++;
    } catch (IOException e) {
      failed("checkpoint", e);
    }
  }

  /** Bytes in the log now. */
  public long size() {
    return size;
  }

  /** Bytes appended since start. */
  public long bytesWritten() {
    return bytesWritten;
  }

  /** Checkpoints since start. */
  public long checkpoints() {
    return checkpoints;
  }

  /** Writes that failed since start (each leaves a sweep unprotected until the next checkpoint). */
  public long writeErrors() {
    return writeErrors;
  }

  @Override
  public void close() {
    if (last.file() != log) {
      closeQuietly(last.file());
    }
    try {
      log.close();
    } catch (IOException e) {
      LOG.warn("closing the crash journal", e);
    }
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      LOG.warn("closing a replaced crash journal log", e);
    }
  }

  private void marker(byte type, long seq) {
    JournalFrame.header(head, type, (byte) 0, seq, 0);
    head.flip();
    tail.clear();
    tail.putInt(0, JournalFrame.crc(head));
    gather[0] = head;
    gather[1] = tail;
    gather[2] = null;
    gather[3] = null;
    append(gather);
  }

  /** Appends a frame; false if the journal is broken or the write failed (then broken). */
  private boolean append(ByteBuffer[] parts) {
    if (broken) {
      return false;
    }
    int count = parts[2] == null ? 2 : 4;
    try {
      long want = 0;
      for (int i = 0; i < count; i++) {
        want += parts[i].remaining();
      }
      long done = 0;
      log.position(size);
      while (done < want) {
        done += log.write(parts, 0, count);
      }
      if (syncFrames) {
        log.force(false);
      }
      size += want;
      bytesWritten += want;
      return true;
    } catch (IOException e) {
      failed("write", e);
      try {
        log.truncate(size); // no half frame in front of the next checkpoint's fresh log
      } catch (IOException ignored) {
        // the next checkpoint truncates
      }
      return false;
    }
  }

  private void failed(String what, IOException e) {
    broken = true;
    long n = ++writeErrors;
    if (n == 1 || n % 100 == 0) {
      LOG.error(
          "crash journal "
              + what
              + " failed ("
              + n
              + " failures): sweeps are"
              + " not protected against a crash until a checkpoint succeeds",
          e);
    }
  }

  private static long snapshotSequence(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      while (b.hasRemaining() && ch.read(b) > 0) {
        // header
      }
      return b.position() == 16 ? b.getLong(8) : -1;
    }
  }
}
