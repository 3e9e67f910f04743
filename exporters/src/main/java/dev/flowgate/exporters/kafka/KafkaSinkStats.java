package dev.flowgate.exporters.kafka;

/**
 * A Kafka sink's own counters, beside its outcomes.
 *
 * @param sink the sink name
 * @param messagesDelivered Kafka messages the broker acknowledged
 * @param recordsDelivered flow records in them
 * @param sendErrors errors the producer returned (each retried or counted failed)
 * @param retriedMessages messages given back by the producer and sent again
 * @param inDoubtRecords records sent again after their delivery timed out in flight: the broker may
 *     hold them twice
 * @param queuedBytes bytes of encoded messages waiting in the hand-off queue (without a spool) or
 *     given to the producer and not yet acknowledged (with a spool: the rest waits on disk)
 * @param lastError the last error's text, or null
 */
public record KafkaSinkStats(
    String sink,
    long messagesDelivered,
    long recordsDelivered,
    long sendErrors,
    long retriedMessages,
    long inDoubtRecords,
    long queuedBytes,
    String lastError) {}
