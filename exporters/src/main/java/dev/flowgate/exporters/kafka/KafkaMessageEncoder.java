package dev.flowgate.exporters.kafka;

import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Turns a batch of finished flows into the Kafka messages of one {@link KafkaFormat}. */
public interface KafkaMessageEncoder {

  /** The value of the {@link KafkaFlowSink#FORMAT_HEADER} header of every message. */
  String formatHeader();

  /**
   * The messages carrying every row of {@code batch} (a {@code FlowSchema} root), each no larger
   * than the limit the encoder was built with. The batch is not kept.
   *
   * @param nowNanos the encoding time, ns since the epoch
   */
  default List<KafkaMessage> encode(VectorSchemaRoot batch, long nowNanos) {
    return encode(batch, 0, batch.getRowCount(), nowNanos);
  }

  /**
   * The messages carrying rows {@code from} (inclusive) to {@code to} (exclusive) of {@code batch},
   * in row order (a spool reads frames whose first rows were delivered already).
   */
  List<KafkaMessage> encode(VectorSchemaRoot batch, int from, int to, long nowNanos);
}
