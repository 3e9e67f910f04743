package dev.flowgate.exporters.outcome;

import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.Volume;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One sink's outcome ledger ({@link SinkReport}): every volume a sink is handed enters as queued
 * and leaves queued for exactly one of delivered, dropped or failed. Thread-safe; a {@link
 * #report()} is one consistent moment.
 *
 * <p>Failures and drops are logged with their error text: the first of each at once, then a summary
 * of what followed at most once per {@link #SUMMARY_EVERY_NANOS} per sink, so a dead collector
 * names itself in the log without flooding it. A summary due while nothing else happens goes out at
 * the sink's next {@link #tick()}.
 */
public final class SinkOutcomes {
  private static final Logger LOG = Logger.getLogger(SinkOutcomes.class.getName());

  /** Shortest time between two summaries of one sink's failures in the log: one minute. */
  public static final long SUMMARY_EVERY_NANOS = 60_000_000_000L;

  private final String sink;
  private final boolean samples;
  private final LongSupplier nanoTime;
  private long handedPackets;
  private long handedBytes;
  private long deliveredPackets;
  private long deliveredBytes;
  private long droppedPackets;
  private long droppedBytes;
  private long failedPackets;
  private long failedBytes;
  private long losses;
  private String lastError;
  private long sendErrors;
  private Volume inDoubt = Volume.ZERO;

  // the log: events since the last line
  private boolean loggedDrop;
  private boolean loggedFailure;
  private long lastLogNanos;
  private long unloggedEvents;
  private long unloggedPackets;
  private String lastOutcome;

  /** A ledger for the sink named {@code sink} (see {@link SinkReport#sink()}). */
  public SinkOutcomes(String sink) {
    this(sink, System::nanoTime);
  }

  /** A ledger whose log summaries are timed by {@code nanoTime} (tests). */
  public SinkOutcomes(String sink, LongSupplier nanoTime) {
    this(sink, false, nanoTime);
  }

  private SinkOutcomes(String sink, boolean samples, LongSupplier nanoTime) {
    this.sink = sink;
    this.samples = samples;
    this.nanoTime = nanoTime;
  }

  /**
   * A ledger of a sink of packet samples: its volumes count samples ({@link Volume#packets()}, one
   * per sampled packet) and no bytes, and its log lines say samples.
   */
  public static SinkOutcomes ofSamples(String sink) {
    return new SinkOutcomes(sink, true, System::nanoTime);
  }

  /** True if this ledger counts packet samples rather than flow records. */
  public boolean countsSamples() {
    return samples;
  }

  /**
   * Logs the summary of losses since the last line if one is due: call it now and then (the sinks
   * do, once per sweep), so the last burst of a failing sink is reported although nothing follows.
   */
  public void tick() {
    String line;
    synchronized (this) {
      line = summaryIfDue(nanoTime.getAsLong(), null);
    }
    if (line != null) {
      LOG.log(Level.WARNING, line);
    }
  }

  /** The sink's name. */
  public String sink() {
    return sink;
  }

  /** {@code v} was handed to the sink: it is queued until it meets its outcome. */
  public synchronized void handed(Volume v) {
    handedPackets += v.packets();
    handedBytes += v.bytes();
  }

  /** {@code v}, queued until now, was delivered. */
  public synchronized void delivered(Volume v) {
    deliveredPackets += v.packets();
    deliveredBytes += v.bytes();
  }

  /** {@code v}, queued until now, was dropped for {@code reason}. */
  public void dropped(Volume v, String reason) {
    synchronized (this) {
      droppedPackets += v.packets();
      droppedBytes += v.bytes();
    }
    event(v, false, reason);
  }

  /** {@code v}, queued until now, was lost to {@code error}. */
  public void failed(Volume v, String error) {
    synchronized (this) {
      failedPackets += v.packets();
      failedBytes += v.bytes();
    }
    event(v, true, error);
  }

  /**
   * A delivery attempt failed while its records stay queued (a spool retries them); the error is
   * the sink's to log.
   */
  public synchronized void sendError(String error) {
    sendErrors++;
    lastError = error;
  }

  /** {@code v}, re-sent from the spool at start, may have been delivered by the last run. */
  public synchronized void inDoubt(Volume v) {
    inDoubt = inDoubt.plus(v);
  }

  /** The ledger now. */
  public synchronized SinkReport report() {
    Volume handed = new Volume(handedPackets, handedBytes);
    Volume delivered = new Volume(deliveredPackets, deliveredBytes);
    Volume dropped = new Volume(droppedPackets, droppedBytes);
    Volume failed = new Volume(failedPackets, failedBytes);
    return new SinkReport(
        sink,
        handed,
        delivered,
        dropped,
        failed,
        handed.minus(delivered).minus(dropped).minus(failed),
        losses,
        lastError,
        sendErrors,
        inDoubt);
  }

  private void event(Volume v, boolean failed, String text) {
    String outcome = failed ? "failed" : "dropped";
    String line = null;
    synchronized (this) {
      losses++;
      lastError = text;
      long now = nanoTime.getAsLong();
      if (failed ? !loggedFailure : !loggedDrop) {
        if (failed) {
          loggedFailure = true;
        } else {
          loggedDrop = true;
        }
        lastLogNanos = now;
        line =
            "sink "
                + sink
                + ": first loss, "
                + (samples
                    ? v.packets() + " samples "
                    : v.packets() + " packets (" + v.bytes() + " bytes) of flow records ")
                + outcome
                + ": "
                + text;
      } else {
        unloggedEvents++;
        unloggedPackets += v.packets();
        lastOutcome = outcome;
        line = summaryIfDue(now, outcome);
      }
    }
    if (line != null) {
      LOG.log(Level.WARNING, line);
    }
  }

  /** The summary line if losses wait and the last line is a minute old, else null. */
  private String summaryIfDue(long now, String outcome) {
    if (unloggedEvents == 0 || now - lastLogNanos < SUMMARY_EVERY_NANOS) {
      return null;
    }
    String line =
        "sink "
            + sink
            + ": "
            + unloggedEvents
            + " more losses ("
            + unloggedPackets
            + (samples ? " samples" : " packets of flow records")
            + ") since the last report; latest ("
            + (outcome == null ? lastOutcome : outcome)
            + "): "
            + lastError;
    lastLogNanos = now;
    unloggedEvents = 0;
    unloggedPackets = 0;
    return line;
  }
}
