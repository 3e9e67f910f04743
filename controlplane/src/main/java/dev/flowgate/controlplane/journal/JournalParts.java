package dev.flowgate.controlplane.journal;

import dev.flowgate.bpf.Layout;
import dev.flowgate.controlplane.sweep.SweepParts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * The sweep part frames of one sweep in a journal file ({@link JournalFrame#SWEEP_PART}): where
 * each starts and how many entries it holds; read back with {@code pread} one part at a time, so
 * nothing of the file is mapped or held.
 */
final class JournalParts implements SweepParts {
  private FileChannel file;
  private long[] at = new long[16];
  private int[] entries = new int[16];
  private int parts;
  private long total;

  JournalParts(FileChannel file) {
    this.file = file;
  }

  /** Forgets every part; the next ones are in {@code file}. */
  void reset(FileChannel file) {
    this.file = file;
    parts = 0;
    total = 0;
  }

  /** A part frame starting at byte {@code frameAt} of the file, holding {@code n} entries. */
  void add(long frameAt, int n) {
    if (parts == at.length) {
      at = Arrays.copyOf(at, 2 * parts);
      entries = Arrays.copyOf(entries, 2 * parts);
    }
    at[parts] = frameAt;
    entries[parts] = n;
    parts++;
    total += n;
  }

  /** Entries in all parts. */
  long total() {
    return total;
  }

  /** The file the parts are in. */
  FileChannel file() {
    return file;
  }

  @Override
  public int parts() {
    return parts;
  }

  @Override
  public int entries(int i) {
    return entries[i];
  }

  @Override
  public void read(int i, ByteBuffer keys, ByteBuffer values) {
    int n = entries[i];
    long k = at[i] + JournalFrame.HEADER + JournalFrame.PART_FIXED;
    try {
      readFully(keys.duplicate().limit(keys.position() + n * Layout.FLOW_KEY_SIZE), k);
      readFully(
          values.duplicate().limit(values.position() + n * Layout.FLOW_STATS_SIZE),
          k + (long) n * Layout.FLOW_KEY_SIZE);
    } catch (IOException e) {
      throw new UncheckedIOException("reading part " + i + " of a sweep back from the journal", e);
    }
  }

  private void readFully(ByteBuffer b, long position) throws IOException {
    long p = position;
    while (b.hasRemaining()) {
      int got = file.read(b, p);
      if (got < 0) {
        throw new IOException("the journal ends at byte " + p + ", inside a sweep part");
      }
      p += got;
    }
  }
}
