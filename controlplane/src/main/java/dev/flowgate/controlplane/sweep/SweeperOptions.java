package dev.flowgate.controlplane.sweep;

import java.util.Objects;

/**
 * How a {@link Sweeper} drains: the size of the interval batch's chunks, whether it keeps each
 * interval as an Arrow IPC stream, where it records sweeps before the kernel's copy is cleared, and
 * who hears the drained counts per interface.
 */
public final class SweeperOptions {

  /**
   * {@value}: entries per chunk: one journal part, one flow cache merge, one batch of the interval
   * stream; also what a drain takes per JNI crossing. The sweeper's chunk buffers are 1.8 MiB (116
   * bytes an entry) and the interval batch at most this many rows (about 3.7 MB): what a sweep
   * holds whatever the flows (it was 65,536, 7.3 MiB and 15 MB, while sweeps copied whole halves).
   */
  public static final int DEFAULT_CHUNK_ENTRIES = 1 << 14;

  /** Drained counts go nowhere. */
  public static final Sweeper.DrainTally NO_TALLY = (ifindex, direction, packets, bytes) -> {};

  private int chunkEntries = DEFAULT_CHUNK_ENTRIES;
  private boolean keepIntervalIpc;
  private SweepJournal journal;
  private Sweeper.DrainTally tally = NO_TALLY;

  /** Options with every default: 16,384-entry chunks, no IPC stream, no journal, no tally. */
  public SweeperOptions() {}

  /** Entries per chunk. */
  public int chunkEntries() {
    return chunkEntries;
  }

  /** Sets the entries per chunk, at least 1. */
  public SweeperOptions chunkEntries(int chunkEntries) {
    if (chunkEntries < 1) {
      throw new IllegalArgumentException("chunk entries must be at least 1, was " + chunkEntries);
    }
    this.chunkEntries = chunkEntries;
    return this;
  }

  /**
   * Whether the sweeper keeps the last interval for an Arrow IPC stream written on request ({@link
   * Sweeper#writeLastInterval}); needs a {@link #journal} (the copy it is written from).
   */
  public boolean keepIntervalIpc() {
    return keepIntervalIpc;
  }

  /** Keeps (true) or not (false, the default) the last interval for an Arrow IPC stream. */
  public SweeperOptions keepIntervalIpc(boolean keep) {
    this.keepIntervalIpc = keep;
    return this;
  }

  /** The journal every sweep is recorded in before the kernel's copy is cleared, or null. */
  public SweepJournal journal() {
    return journal;
  }

  /**
   * Records every sweep in {@code journal} (null: none, the default). With a journal the sweeper
   * copies a whole half of the flow table per sweep; without one it drains in chunks (what tests
   * and the journal benchmark compare it with).
   */
  public SweeperOptions journal(SweepJournal journal) {
    this.journal = journal;
    return this;
  }

  /** Who hears the packets and bytes drained per (ifindex, direction). */
  public Sweeper.DrainTally tally() {
    return tally;
  }

  /** Sets who hears the drained counts per (ifindex, direction); {@link #NO_TALLY} by default. */
  public SweeperOptions tally(Sweeper.DrainTally tally) {
    this.tally = Objects.requireNonNull(tally, "tally");
    return this;
  }
}
