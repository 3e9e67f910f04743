package dev.flowgate.exporters.kafka;

import dev.flowgate.exporters.Volume;

/**
 * One Kafka message the sink sends: its key (null for none), its value, and the flow records it
 * carries, counted as the sink's outcomes count them.
 *
 * @param records how many flow records the value holds
 * @param flows the packets and bytes of those records
 */
public record KafkaMessage(byte[] key, byte[] value, int records, Volume flows) {

  /** Bytes the message holds in the hand-off queue (key and value). */
  public long size() {
    return value.length + (key == null ? 0 : key.length);
  }
}
