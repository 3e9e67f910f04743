package dev.flowgate.controlplane.sweep;

import java.nio.ByteBuffer;

/**
 * Where a sweep records what it took from the kernel before the kernel's copy is cleared, so that a
 * crash loses no count ({@code dev.flowgate.controlplane.journal.CrashJournal}).
 *
 * <p>A sweep calls, in order: {@link #begin}; {@link #part} for each chunk read from the retired
 * flow table (not yet cleared); {@link #end} once the whole half is recorded; then, if that
 * returned true, it clears the kernel's copy and calls {@link #cleared} (the flow cache's merge,
 * and so exports, start only after this, reading the sweep's input back through {@link #parts});
 * {@link #exported} once the merge and expiry are done and every finished batch they produced was
 * accepted by the sinks. A sweep never holds more of the half than one part.
 */
public interface SweepJournal {

  /**
   * Starts recording one sweep's input.
   *
   * @param nowMs the epoch ms the cache expires flows at
   * @param epochOffsetNs the offset that turns kernel times into epoch times for this sweep
   * @param expire whether the cache expires flows after merging the entries
   * @return the sweep's sequence number
   */
  long begin(long nowMs, long epochOffsetNs, boolean expire);

  /** Records {@code count} packed flow keys and stats (from the buffers' positions). */
  void part(ByteBuffer keys, ByteBuffer values, int count);

  /**
   * Ends the sweep's input: {@code count} entries in all its parts. Returns true when every part
   * and the end are recorded so that they survive the process being killed and can be read back
   * ({@link #parts}); false if the journal could not record them (the sweep must then not rely on
   * the journal: nothing it recorded counts at a replay without this end).
   */
  boolean end(int count);

  /**
   * The input of sweep {@code sequence}, the last one {@link #end}ed with true, readable until the
   * next {@link #begin}.
   *
   * @throws IllegalStateException for another sweep
   */
  SweepParts parts(long sequence);

  /** The sweep's entries are gone from the kernel. */
  void cleared(long sequence);

  /** Everything the sweep finished has been accepted by the sinks. */
  void exported(long sequence);
}
