package dev.flowgate.exporters.kafka;

/** The key of the sink's Kafka messages, which decides their partition: the config key {@code key}. */
public enum KafkaKey {
  /** No key: the producer spreads messages over the partitions (sticky partitioner). */
  NONE("none"),
  /**
   * The flow's address pair, sorted (the smaller 16-byte address first), so both directions of a
   * connection land in one partition. One flow record per Kafka message.
   */
  FLOW("flow");

  private final String label;

  KafkaKey(String label) {
    this.label = label;
  }

  /** The word used in the config file and the API. */
  public String label() {
    return label;
  }
}
