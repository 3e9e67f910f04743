package dev.flowgate.controlplane.journal;

import dev.flowgate.controlplane.cache.FinishedFlowConsumer;
import dev.flowgate.exporters.FlowSchema;
import dev.flowgate.exporters.JournalPosition;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Sits between the flow cache and the sinks so that a replay can decide what a re-run sweep's
 * finished flows become: sent on ({@link Mode#FORWARD}), dropped because the crashed run exported
 * them already ({@link Mode#DISCARD}), or sent on to the sinks that may miss them, and counted as
 * in-doubt if one of those cannot tell whether it holds them ({@link Mode#IN_DOUBT}). Outside a
 * replay it forwards. Each batch goes with its {@link JournalPosition}: the sweep the journal
 * announced last ({@link #sweep}) and the rows of that sweep handed before it.
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

  private final JournaledExport next;
  private Mode mode = Mode.FORWARD;
  private long sequence = -1; // none announced yet: batches go without a position
  private long row;
  private volatile long inDoubtRecords;
  private volatile long inDoubtPackets;
  private volatile long inDoubtBytes;

  /** A gate in front of sinks that each say what they hold of a sweep (the fan-out). */
  public ExportGate(JournaledExport next) {
    this.next = next;
  }

  /** A gate in front of a plain consumer: an in-doubt replay hands it everything, in doubt. */
  public ExportGate(FinishedFlowConsumer next) {
    this(JournaledExport.of(next));
  }

  /**
   * The batches from now on are the finished flows of journal sweep {@code sequence} (a sweep, the
   * stop's finish-all, or their replay), from its row 0.
   */
  public void sweep(long sequence) {
    this.sequence = sequence;
    this.row = 0;
  }

  /** Sets what happens to the next batches. */
  public void mode(Mode mode) {
    this.mode = mode;
  }

  @Override
  public void accept(VectorSchemaRoot finished) {
    JournalPosition at = sequence < 0 ? null : new JournalPosition(sequence, row);
    row += finished.getRowCount();
    switch (mode) {
      case DISCARD -> {
        // exported by the run that crashed
      }
      case IN_DOUBT -> {
        if (next.acceptReplayed(finished, at)) {
          count(finished);
        }
      }
      default -> next.accept(finished, at);
    }
  }

  /**
   * Flow records sent again by replays that may have been sent before the crash: handed again to a
   * sink that cannot tell whether it holds them.
   */
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
