package dev.flowgate.controlplane.journal;

import dev.flowgate.controlplane.cache.FinishedFlowConsumer;
import dev.flowgate.exporters.JournalPosition;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Where the {@link ExportGate} hands the flow cache's finished batches, each with its place in the
 * crash journal, so that a replay of a sweep whose export a crash cut can go only to the sinks that
 * miss it (the fan-out asks each sink what it holds: {@code FlowSink.heldRows}).
 */
public interface JournaledExport {

  /** Hands a batch on; {@code at} is null for one no journaled sweep finished. */
  void accept(VectorSchemaRoot finished, JournalPosition at);

  /**
   * Hands on a batch of a replayed sweep whose export a crash cut: the sinks that hold part of it
   * get the rest, the others all of it. Returns true if a sink that cannot tell whether it holds
   * the batch got it again (the batch is in doubt: a destination may hold it twice).
   */
  boolean acceptReplayed(VectorSchemaRoot finished, JournalPosition at);

  /** A consumer without sinks to ask: a replayed batch goes to it whole, in doubt. */
  static JournaledExport of(FinishedFlowConsumer consumer) {
    return new JournaledExport() {
      @Override
      public void accept(VectorSchemaRoot finished, JournalPosition at) {
        consumer.accept(finished);
      }

      @Override
      public boolean acceptReplayed(VectorSchemaRoot finished, JournalPosition at) {
        consumer.accept(finished);
        return true;
      }
    };
  }
}
