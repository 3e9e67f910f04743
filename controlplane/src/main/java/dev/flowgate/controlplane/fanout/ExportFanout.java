package dev.flowgate.controlplane.fanout;

import dev.flowgate.controlplane.accounting.Accounting;
import dev.flowgate.controlplane.cache.FinishedFlowConsumer;
import dev.flowgate.controlplane.config.ExportConfig;
import dev.flowgate.controlplane.journal.JournaledExport;
import dev.flowgate.controlplane.sweep.SweepListener;
import dev.flowgate.controlplane.sweep.SweepResult;
import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.FlowSink;
import dev.flowgate.exporters.JournalPosition;
import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.Volume;
import dev.flowgate.exporters.arrow.ArrowFileSink;
import dev.flowgate.exporters.arrow.ArrowFileSinkStats;
import dev.flowgate.exporters.collector.CollectorExporter;
import dev.flowgate.exporters.collector.ExporterStats;
import dev.flowgate.exporters.kafka.KafkaFlowSink;
import dev.flowgate.exporters.kafka.KafkaSinkStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each finished batch of the flow cache to every sink, and tallies it as exported for the
 * accounting invariant. A sink that throws is logged and counted; the others still get the batch.
 * After every sweep each sink gets its {@link FlowSink#tick}.
 *
 * <p>A crash journal's replay of a sweep whose export a crash cut ({@link #acceptReplayed}) goes
 * only to the sinks that miss it: a sink whose own journal (a spool) holds the sweep's first rows
 * ({@link FlowSink#heldRows}) gets the rest; a sink that cannot tell gets all of it, counted in
 * doubt in its report.
 */
public final class ExportFanout
    implements FinishedFlowConsumer, JournaledExport, SweepListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExportFanout.class);

  private volatile List<FlowSink> sinks;
  private final Accounting accounting;
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong sinkFailures = new AtomicLong();

  /** A sink a reload removed while it still held records: it delivers them until its deadline. */
  private record Retiring(FlowSink sink, long deadlineNanos) {}

  private final List<Retiring> retiring = new CopyOnWriteArrayList<>();
  private volatile Duration removedSinkTimeout = ExportConfig.DEFAULT_REMOVED_COLLECTOR_TIMEOUT;

  public ExportFanout(List<FlowSink> sinks, Accounting accounting) {
    this.sinks = List.copyOf(sinks);
    this.accounting = accounting;
  }

  /** What each sink held of the sweep being replayed, asked before its first batch. */
  private final Map<FlowSink, Long> held = new IdentityHashMap<>(); // sweeper thread

  private long heldOf = -1; // the sweep {@link #held} is about

  /** What replays handed again, in doubt, to each sink that could not tell whether it held it. */
  private final Map<FlowSink, Volume> replayedInDoubt = new ConcurrentHashMap<>();

  @Override
  public void accept(VectorSchemaRoot finished) {
    accept(finished, null);
  }

  @Override
  public void accept(VectorSchemaRoot finished, JournalPosition at) {
    accounting.addExported(finished);
    records.addAndGet(finished.getRowCount());
    List<FlowSink> to = sinks;
    for (int i = 0; i < to.size(); i++) {
      write(to.get(i), finished, at);
      TestPause.after(to.get(i), finished.getRowCount());
    }
  }

  @Override
  public boolean acceptReplayed(VectorSchemaRoot finished, JournalPosition at) {
    accounting.addExported(finished);
    records.addAndGet(finished.getRowCount());
    List<FlowSink> to = sinks;
    if (at != null && at.sequence() != heldOf) {
      held.clear();
      heldOf = at.sequence();
      for (FlowSink sink : to) {
        held.put(sink, sink.heldRows(at.sequence()));
      }
    }
    int n = finished.getRowCount();
    boolean inDoubt = false;
    Volume volume = null;
    for (FlowSink sink : to) {
      long h = at == null ? FlowSink.HELD_UNKNOWN : held.getOrDefault(sink, 0L);
      if (h == FlowSink.HELD_UNKNOWN) {
        write(sink, finished, at);
        volume = volume == null ? volumeOf(finished) : volume;
        replayedInDoubt.merge(sink, volume, Volume::plus);
        inDoubt = true;
      } else if (h <= at.row()) {
        write(sink, finished, at); // it holds none of this batch
      } else if (h < at.row() + n) {
        // a kill cut its append inside this batch: the rest only
        int from = (int) (h - at.row());
        try (VectorSchemaRoot rest = rows(finished, from, n - from)) {
          write(sink, rest, at.plus(from));
        }
      }
      // else it holds the whole batch
    }
    return inDoubt;
  }

  private void write(FlowSink sink, VectorSchemaRoot finished, JournalPosition at) {
    try {
      if (at == null) {
        sink.write(finished);
      } else {
        sink.write(finished, at);
      }
    } catch (RuntimeException e) {
      sinkFailures.incrementAndGet();
      LOG.warn("sink " + sink + " failed", e);
    }
  }

  /** Rows {@code [from, from + count)} of {@code batch} as a root of its schema (its fields). */
  private static VectorSchemaRoot rows(VectorSchemaRoot batch, int from, int count) {
    VectorSchemaRoot out =
        VectorSchemaRoot.create(batch.getSchema(), batch.getVector(0).getAllocator());
    for (int c = 0; c < batch.getFieldVectors().size(); c++) {
      batch.getVector(c).makeTransferPair(out.getVector(c)).splitAndTransfer(from, count);
    }
    out.setRowCount(count);
    return out;
  }

  private static Volume volumeOf(VectorSchemaRoot finished) {
    return new FlowColumns(finished).volume();
  }

  /** The sinks in use now, in config order (collectors, then Arrow files). */
  public List<FlowSink> sinks() {
    return sinks;
  }

  /**
   * How long a sink removed by a reload may go on delivering what it holds (its spool) before what
   * is left is dropped and counted; zero drops it at the next sweep (the operator's way to give up
   * on a dead collector).
   */
  public void removedSinkTimeout(Duration timeout) {
    removedSinkTimeout = timeout;
  }

  /**
   * Replaces the sinks (a reload): call on the sweeper thread, between sweeps, so no batch is half
   * handed out. A sink not in {@code fresh} that holds nothing is closed; one that still holds
   * records (a collector's spool) is {@linkplain #retire retired}. Sinks in both carry on
   * untouched. A retiring sink that is in {@code fresh} (a collector configured again, {@link
   * #retiringSink}) stops retiring and takes batches again; one whose name is in {@code fresh}
   * under another sink (configured again with other settings: the factory closed it, its spool went
   * to the new sink) leaves the retiring list.
   */
  public void replaceSinks(List<FlowSink> fresh) {
    List<FlowSink> old = sinks;
    sinks = List.copyOf(fresh);
    Set<String> names = new HashSet<>();
    for (FlowSink sink : sinks) {
      names.add(sink.report().sink());
    }
    for (Retiring r : retiring) {
      String name = r.sink().report().sink();
      if (sinks.contains(r.sink())) {
        retiring.remove(r);
        LOG.info("sink " + name + " is configured again: it stops retiring and keeps its spool");
      } else if (names.contains(name)) {
        retiring.remove(r);
        close(r.sink()); // closed already by the factory; its spool is the new sink's
        LOG.info(
            "sink "
                + name
                + " is configured again with other settings: the retiring one is closed, what"
                + " it still holds (a spool) goes to the new one");
      }
    }
    for (FlowSink sink : old) {
      if (!sinks.contains(sink)) {
        retire(sink, "removed");
      }
    }
  }

  /**
   * Retires {@code sink}: it takes no new batches and goes on delivering what it holds until it is
   * idle (then closed) or {@link #removedSinkTimeout} passed (then what is left is dropped and
   * counted, {@link FlowSink#abandon}); meanwhile it stays in {@link #sinkReports}. For a sink a
   * reload removed, and for the spool of a collector removed while flowgate was stopped. {@code
   * what} says in the log what happened to it ("removed").
   */
  public void retire(FlowSink sink, String what) {
    if (sink.isIdle()) {
      abandon(sink, "removed from the config, nothing left to deliver"); // deletes an empty spool
      return;
    }
    LOG.info(
        "sink "
            + sink.report().sink()
            + " "
            + what
            + ": it delivers the "
            + sink.report().queued().packets()
            + " packets of flow records it holds for up to "
            + removedSinkTimeout
            + ", then drops what is left");
    retiring.add(new Retiring(sink, System.nanoTime() + removedSinkTimeout.toNanos()));
  }

  /**
   * The retiring sink named {@code name} ({@link SinkReport#sink()}), if one is still delivering: a
   * collector configured again takes it over rather than opening its spool a second time.
   */
  public Optional<FlowSink> retiringSink(String name) {
    for (Retiring r : retiring) {
      if (r.sink().report().sink().equals(name)) {
        return Optional.of(r.sink());
      }
    }
    return Optional.empty();
  }

  /** Ticks every sink once the sweep's finished flows went out; retires removed sinks. */
  @Override
  public void swept(SweepResult result) {
    for (FlowSink sink : sinks) {
      sink.tick(result.nowMs());
    }
    for (Retiring r : retiring) {
      r.sink().tick(result.nowMs());
      // shown in the reports until it is gone and the log says so
      if (r.sink().isIdle()) {
        abandon(r.sink(), "removed from the config, all delivered"); // deletes its empty spool
        LOG.info("removed sink " + r.sink().report().sink() + " delivered all it held");
        retiring.remove(r);
      } else if (System.nanoTime() - r.deadlineNanos() >= 0) {
        long held = r.sink().report().queued().packets();
        abandon(r.sink(), "the sink was removed from the config and its time to deliver ran out");
        LOG.warn(
            "removed sink "
                + r.sink().report().sink()
                + ": its time to deliver ran out; dropped the "
                + held
                + " packets of flow records it still held");
        retiring.remove(r);
      }
    }
  }

  private static void abandon(FlowSink sink, String reason) {
    try {
      sink.abandon(reason);
    } catch (RuntimeException e) {
      LOG.warn("abandoning sink " + sink, e);
    }
  }

  private static void close(FlowSink sink) {
    try {
      sink.close();
    } catch (RuntimeException e) {
      LOG.warn("closing sink " + sink, e);
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

  /** The counters of each collector exporter ({@code export.ipfix}), in config order. */
  public List<ExporterStats> collectorStats() {
    List<ExporterStats> out = new ArrayList<>();
    for (FlowSink sink : sinks) {
      if (sink instanceof CollectorExporter c) {
        out.add(c.stats());
      }
    }
    return out;
  }

  /** The counters of each Arrow file sink ({@code export.arrow}). */
  public List<ArrowFileSinkStats> arrowStats() {
    List<ArrowFileSinkStats> out = new ArrayList<>();
    for (FlowSink sink : sinks) {
      if (sink instanceof ArrowFileSink files) {
        out.add(files.stats());
      }
    }
    return out;
  }

  /** The counters of each Kafka sink ({@code export.kafka}), in config order. */
  public List<KafkaSinkStats> kafkaStats() {
    List<KafkaSinkStats> out = new ArrayList<>();
    for (FlowSink sink : sinks) {
      if (sink instanceof KafkaFlowSink kafka) {
        out.add(kafka.stats());
      }
    }
    return out;
  }

  /**
   * What became of the flows each sink was handed, in config order (collectors, then Arrow, then
   * Kafka), then the removed sinks still delivering what they hold.
   */
  public List<SinkReport> sinkReports() {
    List<SinkReport> out = new ArrayList<>(sinks.size());
    for (FlowSink sink : sinks) {
      out.add(report(sink));
    }
    for (Retiring r : retiring) {
      out.add(report(r.sink()));
    }
    return out;
  }

  private SinkReport report(FlowSink sink) {
    return sink.report().withInDoubt(replayedInDoubt.getOrDefault(sink, Volume.ZERO));
  }

  @Override
  public void close() {
    for (Retiring r : retiring) {
      close(r.sink()); // what it still holds stays in its spool
    }
    retiring.clear();
    for (FlowSink sink : sinks) {
      try {
        sink.close();
      } catch (RuntimeException e) {
        LOG.warn("closing sink " + sink, e);
      }
    }
  }
}
