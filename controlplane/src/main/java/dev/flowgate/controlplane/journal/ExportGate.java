package dev.flowgate.controlplane.journal;

import dev.flowgate.controlplane.cache.FinishedFlowConsumer;
import dev.flowgate.exporters.FlowSchema;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Sits between the flow cache and the sinks so that a replay can decide what a re-run sweep's
 * finished flows become: sent on ({@link Mode#FORWARD}), dropped because the crashed run exported
 * them already ({@link Mode#DISCARD}), or sent on and counted as in-doubt because the crashed run
 * may have exported some of them ({@link Mode#IN_DOUBT}). Outside a replay it forwards.
 *
 * <p>Called on the sweeper's thread; the in-doubt counters may be read from any thread.
 */
public final class ExportGate implements FinishedFlowConsumer {

  /** What happens to the batches the cache finishes. */
  public enum Mode {
    FORWARD,
    DISCARD,
    IN_DOUBT
  }

  private final FinishedFlowConsumer next;
  private Mode mode = Mode.FORWARD;
  private volatile long inDoubtRecords;
  private volatile long inDoubtPackets;
  private volatile long inDoubtBytes;

  public ExportGate(FinishedFlowConsumer next) {
    this.next = next;
  }

  /** Sets what happens to the next batches. */
  public void mode(Mode mode) {
    this.mode = mode;
  }

  @Override
  public void accept(VectorSchemaRoot finished) {
    switch (mode) {
      case DISCARD -> {
        // exported by the run that crashed
      }
      case IN_DOUBT -> {
        count(finished);
        next.accept(finished);
      }
      default -> next.accept(finished);
    }
  }

  /** Flow records sent again by replays that may have been sent before the crash. */
  public long inDoubtRecords() {
    return inDoubtRecords;
  }

  /** Their packets. */
  public long inDoubtPackets() {
    return inDoubtPackets;
  }

  /** Their bytes. */
  public long inDoubtBytes() {
    return inDoubtBytes;
  }

  private void count(VectorSchemaRoot finished) {
    int n = finished.getRowCount();
    ArrowBuf packets = finished.getVector(FlowSchema.PACKETS_INDEX).getDataBuffer();
    ArrowBuf bytes = finished.getVector(FlowSchema.BYTES_INDEX).getDataBuffer();
    long p = 0;
    long b = 0;
    for (int i = 0; i < n; i++) {
      p += packets.getLong((long) i * 8);
      b += bytes.getLong((long) i * 8);
    }
    inDoubtRecords += n;
    inDoubtPackets += p;
    inDoubtBytes += b;
  }
}
