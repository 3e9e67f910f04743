package dev.flowgate.exporters.arrow;

import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.FlowSchema;
import dev.flowgate.exporters.FlowSink;
import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.Volume;
import dev.flowgate.exporters.log.RateLimitedLog;
import dev.flowgate.exporters.outcome.SinkOutcomes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Writes finished flows as rolling Arrow IPC files (the random-access file format, so readers can
 * seek to any batch) under one directory: {@code flows-20261125T134500Z.arrow}, one file per rotate
 * interval, named by the interval's UTC start.
 *
 * <ul>
 *   <li>Each {@link #write} appends one record batch to the current file. A file is written as
 *       {@code <name>.arrow.tmp} and renamed to {@code <name>.arrow} atomically once its footer is
 *       on disk, so a reader that lists {@code *.arrow} never sees a half file.
 *   <li>The first write of a new interval finishes the previous file; so does {@link #tick} (called
 *       once per sweep, so a quiet interval's file is not held open) and {@link #close()}. No file
 *       is created for an interval without flows.
 *   <li>Retention: after a file is finished, the oldest finished files beyond {@code max-files} are
 *       deleted. The file being written is not counted. Other files in the directory are never
 *       touched.
 *   <li>Crashes: a batch is handed to the kernel before {@link #write} returns (no user-space
 *       buffer), so a JVM crash loses at most the batch being written. A file left as {@code .tmp}
 *       is recovered by the next sink on that directory at its first tick, row or close, whichever
 *       comes first (so also by a run that gets no flow): every whole batch is copied into a
 *       finished file ({@link TempFileRecovery}).
 *   <li>Errors: an I/O error is counted and logged, never thrown out of {@link #write}; the batch's
 *       rows are counted as dropped, the batches already in the file are saved under its finished
 *       name (on a full disk, as soon as a tick finds room for the copy; queued until then), and
 *       the next write starts a new file.
 *   <li>Outcomes ({@link #report()}, sink name {@value #SINK_NAME}): rows are queued while their
 *       file is being written and delivered once the file holding them was renamed into place
 *       (finished, or recovered after an error); a batch whose write failed, and the batches of a
 *       file that could be neither finished nor recovered, failed.
 * </ul>
 *
 * <p>Threads: the flow cache calls {@link #write} on its sweeper thread, and this sink does its
 * disk I/O right there instead of on a thread of its own: the batch is copied into the sink's one
 * reused root and written to a local file (a few ms per 5000-row batch, copy and page-cache write
 * together: BENCHMARKS.md, "Figures that were in javadoc"). The rarer slow calls are a rotation
 * (footer, one fsync, a rename, retention deletes) and a directory on a slow or stalled disk, which
 * stalls the sweeper for as long: put the directory on a local disk. {@link #write}, {@link #tick}
 * and {@link #close} are synchronized; {@link #stats} may be called from any thread.
 */
public final class ArrowFileSink implements FlowSink {

  private static final Logger LOG = LoggerFactory.getLogger(ArrowFileSink.class);

  /** The sink name in outcomes, metrics and the status API. */
  public static final String SINK_NAME = "arrow";

  private final FlowDirectory directory;
  private final int maxFiles;
  private final long intervalMillis;
  private final Clock clock;
  private final BufferAllocator allocator;
  private final VectorSchemaRoot root;

  private final AtomicLong filesWritten = new AtomicLong();
  private final AtomicLong batchesWritten = new AtomicLong();
  private final AtomicLong rowsWritten = new AtomicLong();
  private final AtomicLong writeErrors = new AtomicLong();
  private final AtomicLong rowsDropped = new AtomicLong();
  private final AtomicLong filesDeleted = new AtomicLong();
  private final AtomicLong filesRecovered = new AtomicLong();
  private volatile Path currentFile;
  private volatile String lastError;
  private final SinkOutcomes outcomes = new SinkOutcomes(SINK_NAME);

  /** Write failures: the first of each kind, then a summary at most once a minute. */
  private final RateLimitedLog problems = new RateLimitedLog(LOG, Level.WARN);

  // guarded by this
  private OpenFlowFile current;
  private final List<Volume> currentBatches = new ArrayList<>(); // the flows of each batch in it
  private Instant currentStart;
  private boolean prepared;
  private boolean recoveryTried; // by a tick or the close, before any row came

  /** A failed file whose recovery failed too: its batches wait, queued, for a retry. */
  private record Unrecovered(Path temporary, List<Volume> batches, String error) {}

  private final List<Unrecovered> unrecovered = new ArrayList<>();
  private boolean closed;

  /**
   * A sink for {@code options} (validated and copied) whose buffers come from a child of {@code
   * allocator}. Touches no file until its first tick (which looks for files a crash left) or row.
   *
   * @throws IllegalArgumentException if the options lack a directory
   */
  public ArrowFileSink(ArrowFileSinkOptions options, BufferAllocator allocator) {
    ArrowFileSinkOptions copy = new ArrowFileSinkOptions(options).validate();
    this.directory = new FlowDirectory(copy.directory());
    this.maxFiles = copy.maxFiles();
    this.intervalMillis = copy.rotateInterval().toMillis();
    this.clock = copy.clock();
    this.allocator = allocator.newChildAllocator("arrow-file-sink", 0, Long.MAX_VALUE);
    this.root = VectorSchemaRoot.create(FlowSchema.SCHEMA, this.allocator);
  }

  /**
   * Copies the rows of {@code finished} and appends them to the current file as one record batch,
   * first finishing the previous file if its interval is over. An empty batch writes nothing. Disk
   * I/O happens on the calling thread (see the class comment); I/O errors are counted in {@link
   * #stats}, not thrown.
   *
   * @throws IllegalArgumentException if {@code finished} is not a {@link FlowSchema#SCHEMA} root
   * @throws IllegalStateException if the sink is closed
   */
  @Override
  public synchronized void write(VectorSchemaRoot finished) {
    if (!FlowSchema.SCHEMA.equals(finished.getSchema())) {
      throw new IllegalArgumentException("not a FlowSchema batch: " + finished.getSchema());
    }
    Volume flows = total(finished);
    outcomes.handed(flows);
    if (closed) {
      outcomes.dropped(flows, "sink closed");
      throw new IllegalStateException("arrow file sink on " + directory.path() + " is closed");
    }
    Instant start = intervalStart(clock.instant());
    rotateIfDue(start);
    int rows = finished.getRowCount();
    if (rows == 0) {
      return;
    }
    copyRows(finished);
    try {
      if (current == null) {
        open(start);
      }
      current.writeBatch();
      currentBatches.add(flows);
      batchesWritten.incrementAndGet();
      rowsWritten.addAndGet(rows);
    } catch (IOException e) {
      rowsDropped.addAndGet(rows);
      failed("writing " + rows + " flows", e);
      outcomes.failed(flows, "writing " + rows + " flows: " + e);
      if (current != null) {
        abandonCurrent();
      }
    }
  }

  /**
   * Finishes the current file if its rotate interval is over, by the sink's clock (the one its
   * writes read, so a write late in a sweep and the tick after it agree; {@code nowMs} is not
   * used). Cheap when nothing is due; once per sweep, a file is finished on time even when no flow
   * ends.
   */
  @Override
  public synchronized void tick(long nowMs) {
    if (!closed) {
      recoverOnce();
      retryRecoveries();
      rotateIfDue(intervalStart(clock.instant()));
    }
    outcomes.tick();
  }

  /** Finishes the current file (footer, sync, rename) and releases the sink's buffers. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    recoverOnce();
    closed = true;
    try {
      if (current != null) {
        finishCurrent();
      }
      retryRecoveries(); // what is still left waits, queued, for the next start's recovery
    } finally {
      root.close();
      allocator.close();
    }
  }

  @Override
  public SinkReport report() {
    return outcomes.report();
  }

  /** The counters now. */
  public ArrowFileSinkStats stats() {
    return new ArrowFileSinkStats(
        directory.path(),
        filesWritten.get(),
        batchesWritten.get(),
        rowsWritten.get(),
        writeErrors.get(),
        rowsDropped.get(),
        filesDeleted.get(),
        filesRecovered.get(),
        currentFile,
        lastError);
  }

  @Override
  public String toString() {
    return "ArrowFileSink[" + directory.path() + "]";
  }

  private Instant intervalStart(Instant now) {
    return Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), intervalMillis) * intervalMillis);
  }

  private void rotateIfDue(Instant start) {
    if (current != null && !start.equals(currentStart)) {
      finishCurrent();
    }
  }

  /** Refills the sink's root with the rows of {@code finished}, reusing its buffers. */
  private void copyRows(VectorSchemaRoot finished) {
    root.setRowCount(0);
    for (FieldVector vector : root.getFieldVectors()) {
      vector.reset();
    }
    VectorSchemaRootAppender.append(false, root, finished);
  }

  private void open(Instant start) throws IOException {
    directory.create(); // again for every file: it may have been removed under a running sink
    if (!prepared) {
      prepare();
    }
    FlowFileName name = directory.freeName(start);
    current =
        OpenFlowFile.create(directory.temporaryPath(name), directory.finishedPath(name), root);
    currentStart = start;
    currentFile = current.temporary();
  }

  /**
   * Recovers what a previous run left unfinished without waiting for this sink's first row (at its
   * first tick or its close): a run that gets no flow after a kill -9 still turns the killed run's
   * {@code .tmp} file into a finished one. Tried once; a failure is counted and the first file's
   * open tries again.
   */
  private void recoverOnce() {
    if (prepared || recoveryTried) {
      return;
    }
    recoveryTried = true;
    try {
      prepare();
    } catch (IOException e) {
      failed("recovering in " + directory.path(), e);
    }
  }

  /** Once per sink: recovers what a previous run left unfinished. */
  private void prepare() throws IOException {
    for (Path leftover : directory.temporaryFiles()) {
      recover(leftover);
    }
    prepared = true;
    applyRetention();
  }

  private void finishCurrent() {
    OpenFlowFile file = current;
    current = null;
    currentFile = null;
    try {
      file.finish();
      filesWritten.incrementAndGet();
      settle(currentBatches.size(), null);
    } catch (IOException e) {
      failed("finishing " + file.temporary(), e);
      file.abandon();
      settleOrKeep(file.temporary(), "finishing " + file.temporary() + ": " + e);
    }
    applyRetention();
  }

  private void abandonCurrent() {
    OpenFlowFile file = current;
    current = null;
    currentFile = null;
    file.abandon();
    settleOrKeep(file.temporary(), "the file " + file.temporary() + " failed");
    applyRetention();
  }

  /**
   * The current file's first {@code saved} batches are in a file renamed into place (delivered);
   * the rest failed with {@code error}.
   */
  private void settle(long saved, String error) {
    settle(currentBatches, saved, error);
    currentBatches.clear();
  }

  private void settle(List<Volume> batches, long saved, String error) {
    for (int i = 0; i < batches.size(); i++) {
      if (i < saved) {
        outcomes.delivered(batches.get(i));
      } else {
        outcomes.failed(batches.get(i), error + " (not recovered)");
      }
    }
  }

  /**
   * After the current file failed: recovers its whole batches into its finished name. When the
   * recovery itself fails (no room for the copy on a full disk), its batches stay queued with the
   * {@code .tmp} file, and each tick tries again ({@link #retryRecoveries}); what is still there at
   * the close is left for the next start's recovery, queued.
   */
  private void settleOrKeep(Path temporary, String error) {
    long saved = recover(temporary);
    if (saved < 0) {
      unrecovered.add(new Unrecovered(temporary, List.copyOf(currentBatches), error));
      currentBatches.clear();
    } else {
      settle(saved, error);
    }
  }

  /** Tries again to recover the files whose recovery failed; settles those it recovers. */
  private void retryRecoveries() {
    for (java.util.Iterator<Unrecovered> it = unrecovered.iterator(); it.hasNext(); ) {
      Unrecovered u = it.next();
      long saved = recover(u.temporary());
      if (saved >= 0) {
        settle(u.batches(), saved, u.error());
        it.remove();
      }
    }
  }

  /**
   * Saves the whole batches of a temporary file under its finished name. Returns how many were
   * saved, or -1 if the recovery failed (the temporary file is left in place).
   */
  private long recover(Path temporary) {
    try {
      if (!Files.exists(temporary)) {
        return 0;
      }
      Path finished = FlowDirectory.finishedPathOf(temporary);
      if (Files.exists(finished)) {
        // a recovery that was cut between its rename and this delete: the data is saved already
        Files.delete(temporary);
        return 0;
      }
      long batches = TempFileRecovery.recover(temporary, finished, allocator);
      if (batches > 0) {
        filesRecovered.incrementAndGet();
        LOG.info("recovered " + batches + " flow batches from " + temporary + " into " + finished);
      }
      return batches;
    } catch (IOException e) {
      failed("recovering " + temporary, e);
      return -1;
    }
  }

  private static Volume total(VectorSchemaRoot finished) {
    return new FlowColumns(finished).volume();
  }

  private void applyRetention() {
    try {
      for (Path old : directory.beyondNewest(maxFiles)) {
        try {
          Files.deleteIfExists(old);
          filesDeleted.incrementAndGet();
        } catch (IOException e) {
          failed("deleting " + old, e);
        }
      }
    } catch (IOException e) {
      failed("listing " + directory.path(), e);
    }
  }

  private void failed(String what, IOException e) {
    writeErrors.incrementAndGet();
    lastError = what + ": " + e;
    String kind = what.contains(" ") ? what.substring(0, what.indexOf(' ')) : what; // "writing"
    problems.report(kind, "arrow file sink on " + directory.path() + ": " + what + ": " + e);
  }
}
