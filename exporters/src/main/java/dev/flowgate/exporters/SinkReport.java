package dev.flowgate.exporters;

/**
 * What became of the flow records a sink was handed, in packets and bytes of those records, read in
 * one consistent moment. At every such moment {@code handed = delivered + dropped + failed +
 * queued}, exactly.
 *
 * @param sink the sink's name: {@code udp:HOST:PORT} or {@code tcp:HOST:PORT} for a collector (as
 *     configured), {@code arrow} for the Arrow files
 * @param handed everything the sink was given
 * @param delivered out of the sink's hands for good: what "delivered" means is the sink's to say
 *     (UDP: the kernel accepted the datagram; TCP: the peer acknowledged the bytes; Arrow: the file
 *     holding the rows was renamed into place)
 * @param dropped given up without an error of the destination: a full queue, a closed or removed
 *     sink, a record the format cannot carry
 * @param failed lost to an error of the destination: a send or write that returned an error, bytes
 *     a broken connection held
 * @param queued handed and not yet out: waiting, being sent, or unacknowledged
 * @param losses events that made something failed or dropped
 * @param lastError the text of the last such event, or null
 * @param sendErrors attempts to deliver that returned an error while the records stayed queued (a
 *     sink with a spool retries them; without one a failed send counts failed instead)
 * @param inDoubt what this run re-sent that the last run may have delivered just before it ended:
 *     from the spool at start (sent, outcome unknown), or a crash journal's replay of a sweep whose
 *     export was cut, handed again to a sink that cannot tell whether it holds it ({@link
 *     FlowSink#heldRows}): a destination may hold it twice
 */
public record SinkReport(
    String sink,
    Volume handed,
    Volume delivered,
    Volume dropped,
    Volume failed,
    Volume queued,
    long losses,
    String lastError,
    long sendErrors,
    Volume inDoubt) {

  /** A report without send errors or in-doubt records (a sink without a spool). */
  public SinkReport(
      String sink,
      Volume handed,
      Volume delivered,
      Volume dropped,
      Volume failed,
      Volume queued,
      long losses,
      String lastError) {
    this(sink, handed, delivered, dropped, failed, queued, losses, lastError, 0, Volume.ZERO);
  }

  /** This report with {@code more} added to what is in doubt. */
  public SinkReport withInDoubt(Volume more) {
    return more.isZero()
        ? this
        : new SinkReport(
            sink,
            handed,
            delivered,
            dropped,
            failed,
            queued,
            losses,
            lastError,
            sendErrors,
            inDoubt.plus(more));
  }

  /** True when the four outcomes add up to what was handed (always, unless a sink has a bug). */
  public boolean addsUp() {
    return delivered.plus(dropped).plus(failed).plus(queued).equals(handed);
  }
}
