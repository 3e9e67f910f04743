package dev.flowgate.controlplane.cache;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Receives the flow cache's finished flow records: rows of {@code FlowSchema}, each with its
 * flowEndReason set.
 */
@FunctionalInterface
public interface FinishedFlowConsumer {

  /**
   * Takes one batch. The root is the cache's reused batch: it is valid only during this call, so
   * encode, write or copy it before returning and keep no reference to it or its buffers. Called on
   * the cache's (the sweeper's) thread; it should not throw: the flows in the batch have already
   * left the cache and are counted as finished.
   *
   * @param finished one to {@link FlowCacheOptions#maxBatchRows()} finished flow records
   */
  void accept(VectorSchemaRoot finished);
}
