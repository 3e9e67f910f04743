package dev.flowgate.exporters;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A destination for finished flows: a collector, an Arrow IPC file, a test probe.
 *
 * <p>The flow cache calls {@link #write} with a batch of {@link FlowSchema} rows that it refills
 * after the call returns, so a sink copies or encodes what it needs before returning and never
 * keeps a reference to the root. Sinks do their blocking I/O on their own threads.
 */
public interface FlowSink extends AutoCloseable {

  /**
   * Takes every row of {@code finished} (a {@link FlowSchema#SCHEMA} root). Returns once the rows
   * are encoded or copied; delivery happens later and its failures are counted by the sink.
   */
  void write(VectorSchemaRoot finished);

  /** {@link #heldRows}: the sink keeps no journal of its own, or cannot tell. */
  long HELD_UNKNOWN = -1;

  /**
   * Like {@link #write(VectorSchemaRoot)} for a batch the crash journal placed at {@code at}: a
   * sink that keeps a journal of its own (a spool) records the position with the rows, for {@link
   * #heldRows}. By default the same as {@link #write(VectorSchemaRoot)}.
   */
  default void write(VectorSchemaRoot finished, JournalPosition at) {
    write(finished);
  }

  /**
   * How many of the finished flows of crash-journal sweep {@code sequence} this sink holds in a
   * journal of its own that survives a kill: the sweep's rows {@code [0, n)}, as handed with {@link
   * #write(VectorSchemaRoot, JournalPosition)} (0: none of them). A replay of a sweep whose export
   * a crash cut hands such a sink only the rows it does not hold. {@link #HELD_UNKNOWN} (the
   * default) for a sink without such a journal: it gets the whole sweep again, counted in doubt.
   * Asked on the sweeper's thread, before the replay hands the sweep's first batch.
   */
  default long heldRows(long sequence) {
    return HELD_UNKNOWN;
  }

  /**
   * What became of everything {@link #write} was handed, in packets and bytes of flow records:
   * delivered, dropped, failed or still queued, adding up exactly to what was handed ({@link
   * SinkReport}). Every sink keeps this ledger (an {@link
   * dev.flowgate.exporters.outcome.SinkOutcomes}); a batch handed after {@link #close()} is counted
   * handed and dropped before {@link #write} throws. Any thread may call it.
   */
  SinkReport report();

  /**
   * Called once per sweep, after the sweep's finished flows were written: the moment for work due
   * by time rather than by a batch (e.g. finishing a file whose interval is over although no flow
   * ended). Cheap when nothing is due. Does nothing by default.
   *
   * @param nowMs the epoch ms of the sweep; a sink that keeps a clock of its own may read that
   *     instead, so its writes and its ticks agree
   */
  default void tick(long nowMs) {}

  /** True when nothing handed waits for its outcome (queued is zero). */
  default boolean isIdle() {
    return report().queued().isZero();
  }

  /**
   * Gives up on everything still queued (counted dropped for {@code reason}) and closes: for a sink
   * removed from the config whose time to deliver ran out. By default the same as {@link #close()}.
   */
  default void abandon(String reason) {
    close();
  }

  /** Delivers what is still queued (bounded wait), then releases sockets and threads. */
  @Override
  void close();
}
