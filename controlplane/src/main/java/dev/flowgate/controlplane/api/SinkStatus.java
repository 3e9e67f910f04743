package dev.flowgate.controlplane.api;

import java.util.Objects;

/**
 * What became of the flows one sink was handed, in {@code GET /api/v1/status}: packets and bytes of
 * flow records. {@code handed = delivered + dropped + failed + queued}, exactly, and handed is the
 * accounting's exported (every sink is handed every finished flow).
 *
 * @param sink {@code udp:HOST:PORT} or {@code tcp:HOST:PORT} for a collector (as configured),
 *     {@code arrow} for the Arrow files
 * @param handed what the sink was given
 * @param delivered UDP: the kernel accepted the datagram; TCP: the peer acknowledged it; Arrow: the
 *     file holding the rows was renamed into place
 * @param dropped given up without an error of the destination (queue full, sink closed, v5 IPv6)
 * @param failed lost to an error (a send or write that failed, a connection that broke)
 * @param queued handed, not yet out
 * @param losses events that dropped or failed flows
 * @param lastError the text of the last such event, or null
 * @param sendErrors delivery attempts that failed while the records stayed queued in the sink's
 *     spool (retried)
 * @param inDoubt re-sent at start from the spool, possibly delivered by the last run already
 */
public record SinkStatus(
    String sink,
    Counts handed,
    Counts delivered,
    Counts dropped,
    Counts failed,
    Counts queued,
    long losses,
    String lastError,
    long sendErrors,
    Counts inDoubt) {

  /** Checks for nulls. */
  public SinkStatus {
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(handed, "handed");
    Objects.requireNonNull(delivered, "delivered");
    Objects.requireNonNull(dropped, "dropped");
    Objects.requireNonNull(failed, "failed");
    Objects.requireNonNull(queued, "queued");
  }
}
