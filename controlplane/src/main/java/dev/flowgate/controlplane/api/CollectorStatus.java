package dev.flowgate.controlplane.api;

import java.util.Objects;

/**
 * One {@code export.ipfix} collector's exporter counters, in {@code GET /api/v1/status}. Counters
 * only grow while flowgate runs.
 *
 * @param collector {@code host:port}
 * @param protocol {@code ipfix}, {@code netflow-v9} or {@code netflow-v5}
 * @param messagesSent messages handed to the socket, templates and options included
 * @param recordsSent flow records in those messages
 * @param templateMessagesSent template messages among them (first, refreshes, resends)
 * @param sendErrors sends that failed (collector down, connection refused or reset)
 * @param messagesDropped data messages dropped from a full queue or left at stop
 * @param recordsDropped flow records in the dropped messages
 * @param queueDepth messages waiting now
 * @param queueCapacity the most messages that can wait
 * @param ipv6FlowsNotExportable NetFlow v5 only: IPv6 flows it cannot carry, not sent
 * @param splitRecords NetFlow v5 only: extra records because a counter exceeded 32 bits
 * @param lastError the last send error, or null
 */
public record CollectorStatus(
    String collector,
    String protocol,
    long messagesSent,
    long recordsSent,
    long templateMessagesSent,
    long sendErrors,
    long messagesDropped,
    long recordsDropped,
    int queueDepth,
    int queueCapacity,
    long ipv6FlowsNotExportable,
    long splitRecords,
    String lastError) {

  /** Checks the names are present. */
  public CollectorStatus {
    Objects.requireNonNull(collector, "collector");
    Objects.requireNonNull(protocol, "protocol");
  }
}
