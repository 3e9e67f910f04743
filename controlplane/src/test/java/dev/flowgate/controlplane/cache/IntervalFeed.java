package dev.flowgate.controlplane.cache;

import dev.flowgate.controlplane.sweep.DrainedEntries;
import dev.flowgate.controlplane.sweep.IntervalBatchBuilder;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Turns hand-built drains into interval batches the way the sweeper will (offset 0: ms = ns/1e6).
 */
final class IntervalFeed implements AutoCloseable {

  private final IntervalBatchBuilder builder;

  IntervalFeed(BufferAllocator allocator) {
    builder = new IntervalBatchBuilder(allocator, 64);
  }

  VectorSchemaRoot batch(DrainedEntries drain) {
    builder.clear();
    builder.append(drain.keys(), drain.values(), drain.count(), 0);
    return builder.root();
  }

  @Override
  public void close() {
    builder.close();
  }
}
