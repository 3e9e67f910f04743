package dev.flowgate.exporters.kafka;

/** How the producer compresses its record batches: the config key {@code compression}. */
public enum KafkaCompression {
  /** Uncompressed. */
  NONE("none"),
  /** LZ4: cheap for the producer, the default. */
  LZ4("lz4"),
  /** Zstandard: smaller, more CPU. */
  ZSTD("zstd");

  private final String label;

  KafkaCompression(String label) {
    this.label = label;
  }

  /** The word used in the config file, also the producer's {@code compression.type} value. */
  public String label() {
    return label;
  }
}
