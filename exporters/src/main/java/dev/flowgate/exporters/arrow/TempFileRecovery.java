package dev.flowgate.exporters.arrow;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamReader;

/**
 * Turns a flow file left under its temporary name (by a crash, or abandoned after a write error)
 * into a finished file holding every whole record batch it contains.
 *
 * <p>An Arrow IPC file is the 8-byte magic {@code ARROW1\0\0}, then the stream format (schema,
 * record batches), then a footer. A file cut short has no footer, but the stream after the magic
 * can be read batch by batch until the cut; those batches are copied into a new file ({@code .part}
 * while written) which is renamed to the finished name. The temporary file is then deleted.
 */
final class TempFileRecovery {

  /** "ARROW1" and two bytes of padding. */
  private static final int FILE_MAGIC_BYTES = 8;

  private TempFileRecovery() {}

  /**
   * Recovers {@code temporary} into {@code finished} (which must not exist) and deletes {@code
   * temporary}.
   *
   * @return the record batches recovered; 0 when the file held none (no file is written then)
   * @throws IOException if the temporary file cannot be read from the start or the finished file
   *     cannot be written; {@code temporary} is left in place then
   */
  static long recover(Path temporary, Path finished, BufferAllocator allocator) throws IOException {
    Path part = finished.resolveSibling(finished.getFileName() + FlowFileName.RECOVERY_SUFFIX);
    Files.deleteIfExists(part);
    long batches = 0;
    try (BufferAllocator child = allocator.newChildAllocator("arrow-recovery", 0, Long.MAX_VALUE);
        FileChannel in = FileChannel.open(temporary, StandardOpenOption.READ)) {
      if (in.size() > FILE_MAGIC_BYTES) {
        in.position(FILE_MAGIC_BYTES);
        batches = copyWholeBatches(in, part, child);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(part);
      throw e instanceof IOException io ? io : new IOException("recovering " + temporary, e);
    }
    if (batches > 0) {
      Files.move(part, finished, StandardCopyOption.ATOMIC_MOVE);
    } else {
      Files.deleteIfExists(part);
    }
    Files.delete(temporary);
    return batches;
  }

  private static long copyWholeBatches(FileChannel in, Path part, BufferAllocator allocator)
      throws IOException {
    try (ArrowStreamReader reader = new ArrowStreamReader(in, allocator)) {
      try {
        reader.getVectorSchemaRoot();
      } catch (IOException | RuntimeException cutInSchema) {
        return 0; // cut before the schema was whole: nothing to recover
      }
      long batches = 0;
      try (FileChannel out =
              FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          ArrowFileWriter writer = new ArrowFileWriter(reader.getVectorSchemaRoot(), null, out)) {
        writer.start();
        while (loadNextWholeBatch(reader)) {
          writer.writeBatch();
          batches++;
        }
        writer.end();
        out.force(true);
      }
      return batches;
    }
  }

  /** The next batch, or false at the end of the stream or where the file was cut. */
  private static boolean loadNextWholeBatch(ArrowStreamReader reader) {
    try {
      return reader.loadNextBatch();
    } catch (IOException | RuntimeException cut) {
      return false;
    }
  }
}
