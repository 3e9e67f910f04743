package dev.flowgate.controlplane.sweep;

import java.nio.ByteBuffer;

/**
 * Where a sweep records what it took from the kernel before the kernel's copy is cleared, so that a
 * crash loses no count ({@code dev.flowgate.controlplane.journal.CrashJournal}).
 *
 * <p>A sweep calls, in order: {@link #drained} once the retired flow map has been read (not yet
 * cleared), {@link #cleared} once its entries are deleted from the kernel (the flow cache's merge,
 * and so exports, start only after this), {@link #exported} once the merge and expiry are done and
 * every finished batch they produced was accepted by the sinks.
 */
public interface SweepJournal {

  /**
   * Records one sweep's input: {@code count} packed flow keys and stats as the kernel returned
   * them, and what the flow cache will do with them. Returns when the record would survive the
   * process being killed.
   *
   * @param nowMs the epoch ms the cache expires flows at
   * @param epochOffsetNs the offset that turns kernel times into epoch times for this sweep
   * @param expire whether the cache expires flows after merging these entries
   * @return the sweep's sequence number
   */
  long drained(
      long nowMs,
      long epochOffsetNs,
      boolean expire,
      ByteBuffer keys,
      ByteBuffer values,
      int count);

  /** The sweep's entries are gone from the kernel. */
  void cleared(long sequence);

  /** Everything the sweep finished has been accepted by the sinks. */
  void exported(long sequence);
}
