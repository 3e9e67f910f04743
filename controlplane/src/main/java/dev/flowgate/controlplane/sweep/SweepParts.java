package dev.flowgate.controlplane.sweep;

import java.nio.ByteBuffer;

/**
 * A journaled sweep's input as the journal holds it: parts of packed flow keys and stats, in the
 * order the sweep read them from the kernel and merged them, each merged as one batch. The live
 * sweep, the replay of a crashed run and the interval's Arrow IPC stream all read it this way, so a
 * replay merges exactly what the sweep merged, chunk for chunk.
 */
public interface SweepParts {

  /** How many parts. */
  int parts();

  /** Entries of part {@code i}. */
  int entries(int i);

  /**
   * Reads part {@code i} into the buffers from their positions (room for {@link #entries} entries
   * needed; positions unchanged).
   *
   * @throws java.io.UncheckedIOException if the journal cannot be read
   */
  void read(int i, ByteBuffer keys, ByteBuffer values);
}
