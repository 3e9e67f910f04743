package dev.flowgate.controlplane.config;

import dev.flowgate.exporters.kafka.KafkaCompression;
import dev.flowgate.exporters.kafka.KafkaFormat;
import dev.flowgate.exporters.kafka.KafkaKey;
import dev.flowgate.exporters.kafka.KafkaSinkOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code export.kafka[]} entry: finished flows produced to a Kafka topic. The defaults, bounds
 * and rules are {@link KafkaSinkOptions}'s, the options the sink is built from ({@link
 * #options()}); this record only says which key a broken rule belongs to.
 *
 * @param bootstrapServers {@code host:port} of one or more brokers
 * @param topic the topic (it must exist: flowgate does not create it)
 * @param format {@code protobuf} (goflow2 FlowMessage) or {@code arrow} (Arrow IPC streams)
 * @param key {@code none} or {@code flow} (protobuf only: one record per message)
 * @param compression none, lz4 or zstd
 * @param clientId the producer's client.id
 * @param linger how long the producer waits to fill a batch
 * @param batchSize the producer's batch.size, bytes
 * @param maxRequestSize the largest message, bytes
 * @param bufferMemory what the producer holds unacknowledged, bytes
 * @param queueSize encoded messages waiting for the producer, bytes
 * @param deliveryTimeout how long the producer retries before giving a message back to the sink
 * @param observationDomainId observation_domain_id of every FlowMessage
 * @param tls TLS to the brokers; empty for plaintext
 * @param sasl SCRAM-SHA-512 login; empty for none
 */
public record KafkaExportConfig(
    List<String> bootstrapServers,
    String topic,
    KafkaFormat format,
    KafkaKey key,
    KafkaCompression compression,
    String clientId,
    Duration linger,
    int batchSize,
    int maxRequestSize,
    long bufferMemory,
    long queueSize,
    Duration deliveryTimeout,
    long observationDomainId,
    Optional<Tls> tls,
    Optional<Scram> sasl) {

  /**
   * The {@code tls:} of a Kafka entry.
   *
   * @param ca absolute path of the PEM CA certificates the brokers' certificates are checked with
   * @param cert absolute path of the client's PEM certificate chain (mutual TLS), or empty
   * @param key absolute path of the client's PKCS#8 PEM key, or empty; a secret file
   */
  public record Tls(Path ca, Optional<Path> cert, Optional<Path> key) {
    /** Checks the paths are absolute and cert and key come together. */
    public Tls {
      PathRule.absolute("ca", ca);
      cert.ifPresent(p -> PathRule.absolute("cert", p));
      key.ifPresent(p -> PathRule.absolute("key", p));
      if (cert.isPresent() != key.isPresent()) {
        throw new InvalidSettingException(
            List.of(cert.isPresent() ? "key" : "cert"),
            "cert and key go together (mutual TLS) or not at all");
      }
    }
  }

  /**
   * The {@code sasl:} of a Kafka entry: SCRAM-SHA-512.
   *
   * @param username the SCRAM user
   * @param passwordFile absolute path of the file whose first line is the password; a secret file
   */
  public record Scram(String username, Path passwordFile) {
    /** Checks the user is named and the path absolute. */
    public Scram {
      if (username == null || username.isEmpty()) {
        throw new InvalidSettingException("username", "is required");
      }
      PathRule.absolute("password-file", passwordFile);
    }
  }

  /** Checks every value by the sink's own rules, naming the key that breaks one. */
  public KafkaExportConfig(
      List<String> bootstrapServers,
      String topic,
      KafkaFormat format,
      KafkaKey key,
      KafkaCompression compression,
      String clientId,
      Duration linger,
      int batchSize,
      int maxRequestSize,
      long bufferMemory,
      long queueSize,
      Duration deliveryTimeout,
      long observationDomainId,
      Optional<Tls> tls,
      Optional<Scram> sasl) {
    this.bootstrapServers = List.copyOf(Check.present("bootstrap-servers", bootstrapServers));
    this.topic = topic;
    this.format = format;
    this.key = key;
    this.compression = compression;
    this.clientId = clientId;
    this.linger = linger;
    this.batchSize = batchSize;
    this.maxRequestSize = maxRequestSize;
    this.bufferMemory = bufferMemory;
    this.queueSize = queueSize;
    this.deliveryTimeout = deliveryTimeout;
    this.observationDomainId = observationDomainId;
    this.tls = tls;
    this.sasl = sasl;
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(sasl, "sasl");
    if (key == KafkaKey.FLOW && format != KafkaFormat.PROTOBUF) {
      throw new InvalidSettingException(
          List.of("key", "format"),
          "key flow needs format protobuf (an Arrow message carries many flows)");
    }
    options(); // every setter's rule
  }

  /** The sink options of this entry. */
  public KafkaSinkOptions options() {
    KafkaSinkOptions o = new KafkaSinkOptions();
    set("bootstrap-servers", () -> o.bootstrapServers(bootstrapServers));
    set("topic", () -> o.topic(topic));
    set("format", () -> o.format(format));
    set("key", () -> o.key(key));
    set("compression", () -> o.compression(compression));
    set("client-id", () -> o.clientId(clientId));
    set("linger", () -> o.linger(linger));
    set("batch-size", () -> o.batchSize(batchSize));
    set("max-request-size", () -> o.maxRequestSize(maxRequestSize));
    set("buffer-memory", () -> o.bufferMemory(bufferMemory));
    set("queue-size", () -> o.queueSize(queueSize));
    set("delivery-timeout", () -> o.deliveryTimeout(deliveryTimeout));
    set("observation-domain-id", () -> o.observationDomainId(observationDomainId));
    tls.ifPresent(t -> o.tls(t.ca(), t.cert().orElse(null), t.key().orElse(null)));
    sasl.ifPresent(s -> o.scram(s.username(), s.passwordFile()));
    return o;
  }

  /** The sink name, as metrics and the status API show it. */
  public String sinkName() {
    return "kafka:" + topic + "@" + bootstrapServers.get(0);
  }

  private static void set(String key, Runnable setter) {
    try {
      setter.run();
    } catch (NullPointerException | IllegalArgumentException e) {
      if (e instanceof InvalidSettingException) {
        throw e;
      }
      throw new InvalidSettingException(key, String.valueOf(e.getMessage()));
    }
  }
}
