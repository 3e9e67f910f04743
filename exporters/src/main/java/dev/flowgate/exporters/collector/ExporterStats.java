package dev.flowgate.exporters.collector;

/**
 * A snapshot of one collector exporter's counters, for metrics and the status API. Counters only
 * grow while the exporter lives.
 *
 * @param collector {@code host:port}
 * @param protocol the config name of the protocol
 * @param messagesSent messages handed to the socket, templates and options included
 * @param recordsSent flow data records in those messages (v5: records, split ones counted each)
 * @param octetsSent bytes of those messages
 * @param templateMessagesSent template messages among them (each refresh or resend)
 * @param sendErrors sends that failed (collector down, connection refused or reset)
 * @param sessionsOpened UDP sockets opened and TCP connections made
 * @param messagesDropped data messages dropped: oldest dropped from a full queue, or left at close
 * @param recordsDropped flow records in the dropped messages
 * @param queueDepth messages waiting now
 * @param queueCapacity the most messages that can wait
 * @param ipv6FlowsNotExportable NetFlow v5 only: IPv6 flows it cannot carry, not sent
 * @param splitRecords NetFlow v5 only: extra records made because a counter exceeded 32 bits
 * @param truncatedInterfaces NetFlow v5 only: flows whose ifindex exceeded 16 bits, sent as 0
 * @param lastError the last send error's message, or null
 */
public record ExporterStats(
    String collector,
    String protocol,
    long messagesSent,
    long recordsSent,
    long octetsSent,
    long templateMessagesSent,
    long sendErrors,
    long sessionsOpened,
    long messagesDropped,
    long recordsDropped,
    int queueDepth,
    int queueCapacity,
    long ipv6FlowsNotExportable,
    long splitRecords,
    long truncatedInterfaces,
    String lastError) {}
