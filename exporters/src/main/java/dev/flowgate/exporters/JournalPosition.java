package dev.flowgate.exporters;

/**
 * Where a batch of finished flows sits in the crash journal's export: the sequence number of the
 * journaled sweep (or stop's finish-all) that finished them, and the index of the batch's first row
 * among that sweep's finished flows (0 for its first batch). A replay of the sweep after a crash
 * finishes the same flows in the same order, so a sink that keeps a journal of its own can say how
 * many of them it holds ({@link FlowSink#heldRows}).
 *
 * @param sequence the journal sequence number of the sweep
 * @param row the sweep's row the batch starts at
 */
public record JournalPosition(long sequence, long row) {

  /** The position {@code rows} rows further in the same sweep. */
  public JournalPosition plus(long rows) {
    return new JournalPosition(sequence, row + rows);
  }
}
