package dev.flowgate.exporters.arrow;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;

/**
 * The flow file being written: an Arrow IPC file under its temporary name, renamed to its finished
 * name once the footer is on disk, so a reader listing {@code *.arrow} never opens a half file.
 *
 * <p>The writer goes straight to the {@link FileChannel} with no buffer in between: once {@link
 * #writeBatch} returns, the batch is in the kernel's page cache and survives a crash of the JVM
 * (not a power loss: the file is synced only when it is finished). A file left under its temporary
 * name by a crash holds the schema and every whole batch in stream form after the 8-byte file
 * magic; {@link TempFileRecovery} turns it into a finished file.
 */
final class OpenFlowFile {

  private final Path temporary;
  private final Path finished;
  private final FileChannel channel;
  private final ArrowFileWriter writer;
  private long batches;

  private OpenFlowFile(Path temporary, Path finished, FileChannel channel, ArrowFileWriter writer) {
    this.temporary = temporary;
    this.finished = finished;
    this.channel = channel;
    this.writer = writer;
  }

  /**
   * Creates {@code temporary} (it must not exist) and writes the file magic and the schema of
   * {@code root}, whose current contents each {@link #writeBatch} will append.
   */
  static OpenFlowFile create(Path temporary, Path finished, VectorSchemaRoot root)
      throws IOException {
    FileChannel channel =
        FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try {
      ArrowFileWriter writer = new ArrowFileWriter(root, null, channel);
      writer.start();
      return new OpenFlowFile(temporary, finished, channel, writer);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel, e);
      throw e;
    }
  }

  /** Appends the root's current rows as one record batch. */
  void writeBatch() throws IOException {
    writer.writeBatch();
    batches++;
  }

  /**
   * Writes the footer, syncs the file and renames it to its finished name (atomically: a reader
   * sees either no file or the whole file).
   */
  void finish() throws IOException {
    writer.end();
    channel.force(true);
    channel.close();
    Files.move(temporary, finished, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Closes the file after a failure, leaving it under its temporary name. */
  void abandon() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // the file is given up already; the caller has counted the failure that led here
    }
  }

  /** The record batches written so far. */
  long batches() {
    return batches;
  }

  /** The temporary name. */
  Path temporary() {
    return temporary;
  }

  /** The finished name. */
  Path finished() {
    return finished;
  }

  private static void closeQuietly(FileChannel channel, Exception cause) {
    try {
      channel.close();
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }
}
