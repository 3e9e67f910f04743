package dev.flowgate.exporters.kafka;

/** What a Kafka message of the sink carries: the config key {@code format}. */
public enum KafkaFormat {
  /**
   * goflow2 FlowMessages ({@code flow.proto}), each prefixed by its varint length, several per
   * Kafka message ({@link ProtobufFlowEncoder}).
   */
  PROTOBUF("protobuf"),
  /** An Arrow IPC stream of {@code FlowSchema} rows per Kafka message ({@link ArrowFlowEncoder}). */
  ARROW("arrow");

  private final String label;

  KafkaFormat(String label) {
    this.label = label;
  }

  /** The word used in the config file and the API. */
  public String label() {
    return label;
  }
}
