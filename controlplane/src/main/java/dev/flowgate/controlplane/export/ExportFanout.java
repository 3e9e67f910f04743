package dev.flowgate.controlplane.export;

import dev.flowgate.controlplane.accounting.Accounting;
import dev.flowgate.controlplane.cache.FinishedFlowConsumer;
import dev.flowgate.exporters.FlowSink;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Hands each finished batch of the flow cache to every sink, and tallies it as exported for the
 * accounting invariant. A sink that throws is logged and counted; the others still get the batch.
 */
public final class ExportFanout implements FinishedFlowConsumer, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ExportFanout.class.getName());

  private final List<FlowSink> sinks;
  private final Accounting accounting;
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong sinkFailures = new AtomicLong();

  public ExportFanout(List<FlowSink> sinks, Accounting accounting) {
    this.sinks = List.copyOf(sinks);
    this.accounting = accounting;
  }

  @Override
  public void accept(VectorSchemaRoot finished) {
    accounting.addExported(finished);
    records.addAndGet(finished.getRowCount());
    for (FlowSink sink : sinks) {
      try {
        sink.write(finished);
      } catch (RuntimeException e) {
        sinkFailures.incrementAndGet();
        LOG.log(Level.WARNING, "sink " + sink + " failed", e);
      }
    }
  }

  /** Finished flow records handed on since start. */
  public long records() {
    return records.get();
  }

  /** Sink write calls that threw. */
  public long sinkFailures() {
    return sinkFailures.get();
  }

  /** The sinks, for their statistics. */
  public List<FlowSink> sinks() {
    return sinks;
  }

  @Override
  public void close() {
    for (FlowSink sink : sinks) {
      try {
        sink.close();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "closing sink " + sink, e);
      }
    }
  }
}
