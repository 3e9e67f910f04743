package dev.flowgate.controlplane.api;

import java.util.Objects;

/**
 * What became of the packet samples one PSAMP exporter was handed, in {@code GET /api/v1/status}:
 * in samples (one per sampled packet; samples are not flows, so they are not added to the flow
 * sinks' packets). {@code handed = delivered + dropped + failed + queued}, exactly. Samples the
 * exporter lost before they were handed (its queue in the sample reader was full) are the reader's
 * {@code flowgate_samples_subscriber_lost_total{subscriber="psamp"}}.
 *
 * @param sink {@code psamp:udp:HOST:PORT} or {@code psamp:tcp:HOST:PORT}
 * @param handed samples the exporter was given
 * @param delivered UDP: the kernel accepted the datagram; TCP: the peer acknowledged it
 * @param dropped given up without an error of the collector (no connection to send on, closed)
 * @param failed lost to an error (a send the kernel refused, a connection that broke)
 * @param queued handed, not yet out (TCP: sent, not yet acknowledged)
 * @param losses events that dropped or failed samples
 * @param lastError the text of the last such event, or null
 */
public record SampleSinkStatus(
    String sink,
    long handed,
    long delivered,
    long dropped,
    long failed,
    long queued,
    long losses,
    String lastError) {

  /** Checks for nulls. */
  public SampleSinkStatus {
    Objects.requireNonNull(sink, "sink");
  }
}
