package dev.flowgate.exporters.kafka;

import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.Volume;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Kafka messages of varint-delimited goflow2 FlowMessages ({@link ProtobufFlowEncoder}): without a
 * key, up to {@link #RECORDS_PER_MESSAGE} records per message (at most 320 bytes each, so a
 * message stays far below any max-request-size); with {@link KafkaKey#FLOW}, one record per
 * message, keyed by its sorted address pair ({@link FlowKey}).
 */
public final class ProtobufMessageEncoder implements KafkaMessageEncoder {

  /** Flow records per Kafka message without a key: 1000 (at most ~320 KB before compression). */
  public static final int RECORDS_PER_MESSAGE = 1000;

  /** The format header's value: goflow2 FlowMessages, each prefixed by its varint length. */
  public static final String FORMAT = "goflow2-flowmessage-delimited";

  private final ProtobufFlowEncoder flows;
  private final KafkaKey key;
  private final int perMessage;
  private final byte[] buffer;

  /** An encoder stamping {@code observationDomainId}, keying messages by {@code key}. */
  public ProtobufMessageEncoder(long observationDomainId, KafkaKey key) {
    this.flows = new ProtobufFlowEncoder(observationDomainId);
    this.key = key;
    this.perMessage = key == KafkaKey.FLOW ? 1 : RECORDS_PER_MESSAGE;
    // 2: the varint length of a message of at most 320 bytes
    this.buffer = new byte[perMessage * (ProtobufFlowEncoder.MAX_MESSAGE_BYTES + 2)];
  }

  @Override
  public String formatHeader() {
    return FORMAT;
  }

  @Override
  public List<KafkaMessage> encode(VectorSchemaRoot batch, int first, int end, long nowNanos) {
    FlowColumns columns = new FlowColumns(batch);
    List<KafkaMessage> out = new ArrayList<>((end - first + perMessage - 1) / perMessage);
    for (int from = first; from < end; from += perMessage) {
      int to = Math.min(end, from + perMessage);
      int pos = 0;
      long packets = 0;
      long bytes = 0;
      for (int row = from; row < to; row++) {
        pos = flows.encodeDelimited(columns, row, nowNanos, buffer, pos);
        packets += columns.packets(row);
        bytes += columns.bytes(row);
      }
      byte[] k = key == KafkaKey.FLOW ? FlowKey.of(columns, from) : null;
      out.add(
          new KafkaMessage(k, Arrays.copyOf(buffer, pos), to - from, new Volume(packets, bytes)));
    }
    return out;
  }
}
