package dev.flowgate.exporters.kafka;

import dev.flowgate.exporters.spool.SinkSpool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One {@code export.kafka[]} entry for a {@link KafkaFlowSink}: the cluster and topic, what the
 * messages carry, how the producer batches and compresses, and how it authenticates. Every default
 * is a named constant; setters check their value and say what was wrong ({@link
 * IllegalArgumentException}); {@link #validate()} checks the combination. Mutable while the config
 * is read; the sink takes a copy.
 *
 * <p>Secret files (the client key, the SCRAM password) are named here and read when the sink
 * starts; their permissions are checked before that, by the control plane's rule for secrets.
 */
public final class KafkaSinkOptions {

  /** Default format: protobuf (goflow2's FlowMessage). */
  public static final KafkaFormat DEFAULT_FORMAT = KafkaFormat.PROTOBUF;

  /** Default key: none (messages spread over the partitions). */
  public static final KafkaKey DEFAULT_KEY = KafkaKey.NONE;

  /** Default compression: lz4. */
  public static final KafkaCompression DEFAULT_COMPRESSION = KafkaCompression.LZ4;

  /** Default client-id: flowgate. */
  public static final String DEFAULT_CLIENT_ID = "flowgate";

  /** Default linger: 20ms, how long the producer waits to fill a batch. */
  public static final Duration DEFAULT_LINGER = Duration.ofMillis(20);

  /** Longest linger: 10s. */
  public static final Duration MAX_LINGER = Duration.ofSeconds(10);

  /** Default batch-size: 1 MiB, the producer's batch per partition. */
  public static final int DEFAULT_BATCH_SIZE = 1 << 20;

  /** Default max-request-size: 1 MiB, Kafka's own default (a broker takes 1 MB messages). */
  public static final int DEFAULT_MAX_REQUEST_SIZE = 1 << 20;

  /** Smallest max-request-size: 64 KiB (an Arrow message needs room for its schema). */
  public static final int MIN_MAX_REQUEST_SIZE = 64 << 10;

  /** Largest batch-size and max-request-size: 64 MiB. */
  public static final int MAX_SIZE = 64 << 20;

  /** Default buffer-memory: 64 MiB, what the producer holds unacknowledged. */
  public static final long DEFAULT_BUFFER_MEMORY = 64L << 20;

  /** Default queue-size: 64 MiB of encoded messages waiting between the sweeper and the producer. */
  public static final long DEFAULT_QUEUE_SIZE = 64L << 20;

  /** Smallest buffer-memory and queue-size: 1 MiB. */
  public static final long MIN_MEMORY = 1L << 20;

  /** Largest buffer-memory and queue-size: 4 GiB. */
  public static final long MAX_MEMORY = 4L << 30;

  /**
   * Default delivery-timeout: 2m, how long the producer retries a message before giving it back to
   * the sink (which sends it again: an expired message is not lost).
   */
  public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofMinutes(2);

  /** Shortest delivery-timeout: 1s. */
  public static final Duration MIN_DELIVERY_TIMEOUT = Duration.ofSeconds(1);

  /** Longest delivery-timeout: 1h. */
  public static final Duration MAX_DELIVERY_TIMEOUT = Duration.ofHours(1);

  /** Default observation-domain-id: 0, in each FlowMessage. */
  public static final long DEFAULT_OBSERVATION_DOMAIN_ID = 0;

  /** Largest observation-domain-id: 2^32-1. */
  public static final long MAX_OBSERVATION_DOMAIN_ID = 0xFFFFFFFFL;

  /** Kafka's legal topic names (its Topic.validate rule). */
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  /** host:port, a name or an IPv4 address, or [IPv6]:port. */
  private static final Pattern SERVER = Pattern.compile("(\\[[0-9a-fA-F:.]+]|[a-zA-Z0-9._-]+):[0-9]{1,5}");

  private List<String> bootstrapServers = List.of();
  private String topic;
  private KafkaFormat format = DEFAULT_FORMAT;
  private KafkaKey key = DEFAULT_KEY;
  private KafkaCompression compression = DEFAULT_COMPRESSION;
  private String clientId = DEFAULT_CLIENT_ID;
  private Duration linger = DEFAULT_LINGER;
  private int batchSize = DEFAULT_BATCH_SIZE;
  private int maxRequestSize = DEFAULT_MAX_REQUEST_SIZE;
  private long bufferMemory = DEFAULT_BUFFER_MEMORY;
  private long queueSize = DEFAULT_QUEUE_SIZE;
  private Duration deliveryTimeout = DEFAULT_DELIVERY_TIMEOUT;
  private long observationDomainId = DEFAULT_OBSERVATION_DOMAIN_ID;
  private Path tlsCa;
  private Path tlsCert;
  private Path tlsKey;
  private String saslUsername;
  private Path saslPasswordFile;
  private Path spoolDirectory;
  private long spoolLimit = SinkSpool.DEFAULT_LIMIT_BYTES;

  /** Options with every default, no servers and no topic yet. */
  public KafkaSinkOptions() {}

  /** A copy of {@code o}. */
  public KafkaSinkOptions(KafkaSinkOptions o) {
    bootstrapServers = o.bootstrapServers;
    topic = o.topic;
    format = o.format;
    key = o.key;
    compression = o.compression;
    clientId = o.clientId;
    linger = o.linger;
    batchSize = o.batchSize;
    maxRequestSize = o.maxRequestSize;
    bufferMemory = o.bufferMemory;
    queueSize = o.queueSize;
    deliveryTimeout = o.deliveryTimeout;
    observationDomainId = o.observationDomainId;
    tlsCa = o.tlsCa;
    tlsCert = o.tlsCert;
    tlsKey = o.tlsKey;
    saslUsername = o.saslUsername;
    saslPasswordFile = o.saslPasswordFile;
    spoolDirectory = o.spoolDirectory;
    spoolLimit = o.spoolLimit;
  }

  /** The config key {@code bootstrap-servers}: one or more {@code host:port}. */
  public KafkaSinkOptions bootstrapServers(List<String> servers) {
    if (servers == null || servers.isEmpty()) {
      throw new IllegalArgumentException("bootstrap-servers needs at least one host:port");
    }
    for (String s : servers) {
      if (s == null || !SERVER.matcher(s).matches()) {
        throw new IllegalArgumentException(
            "bootstrap-servers: \"" + s + "\" is not host:port (e.g. kafka1:9092)");
      }
      int port = Integer.parseInt(s.substring(s.lastIndexOf(':') + 1));
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("bootstrap-servers: port of " + s + " is not 1..65535");
      }
    }
    this.bootstrapServers = List.copyOf(servers);
    return this;
  }

  /** The config key {@code topic}: a legal Kafka topic name ([a-zA-Z0-9._-], 1..249). */
  public KafkaSinkOptions topic(String topic) {
    if (topic == null || !TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
      throw new IllegalArgumentException(
          "topic \"" + topic + "\" is not a Kafka topic name (1-249 of a-z A-Z 0-9 . _ -)");
    }
    this.topic = topic;
    return this;
  }

  /** The config key {@code format}. */
  public KafkaSinkOptions format(KafkaFormat format) {
    this.format = Objects.requireNonNull(format, "format");
    return this;
  }

  /** The config key {@code key}. */
  public KafkaSinkOptions key(KafkaKey key) {
    this.key = Objects.requireNonNull(key, "key");
    return this;
  }

  /** The config key {@code compression}. */
  public KafkaSinkOptions compression(KafkaCompression compression) {
    this.compression = Objects.requireNonNull(compression, "compression");
    return this;
  }

  /** The config key {@code client-id}: the name brokers log and quota this producer by. */
  public KafkaSinkOptions clientId(String clientId) {
    if (clientId == null || clientId.isBlank() || clientId.length() > 255) {
      throw new IllegalArgumentException("client-id must be 1..255 characters");
    }
    this.clientId = clientId;
    return this;
  }

  /** The config key {@code linger}: 0..10s. */
  public KafkaSinkOptions linger(Duration linger) {
    if (linger == null || linger.isNegative() || linger.compareTo(MAX_LINGER) > 0) {
      throw new IllegalArgumentException("linger must be 0..10s, not " + linger);
    }
    this.linger = linger;
    return this;
  }

  /** The config key {@code batch-size}: bytes, 1 KiB..64 MiB. */
  public KafkaSinkOptions batchSize(int bytes) {
    if (bytes < 1024 || bytes > MAX_SIZE) {
      throw new IllegalArgumentException("batch-size must be 1024.." + MAX_SIZE + ", not " + bytes);
    }
    this.batchSize = bytes;
    return this;
  }

  /**
   * The config key {@code max-request-size}: bytes, 64 KiB..64 MiB. No Kafka message of the sink
   * is larger; the brokers' {@code message.max.bytes} must allow it.
   */
  public KafkaSinkOptions maxRequestSize(int bytes) {
    if (bytes < MIN_MAX_REQUEST_SIZE || bytes > MAX_SIZE) {
      throw new IllegalArgumentException(
          "max-request-size must be " + MIN_MAX_REQUEST_SIZE + ".." + MAX_SIZE + ", not " + bytes);
    }
    this.maxRequestSize = bytes;
    return this;
  }

  /** The config key {@code buffer-memory}: bytes the producer holds, 1 MiB..4 GiB. */
  public KafkaSinkOptions bufferMemory(long bytes) {
    this.bufferMemory = memory("buffer-memory", bytes);
    return this;
  }

  /**
   * The config key {@code queue-size}: bytes of encoded messages waiting for the producer, 1
   * MiB..4 GiB. A batch that does not fit is dropped and counted; the sweeper never waits.
   */
  public KafkaSinkOptions queueSize(long bytes) {
    this.queueSize = memory("queue-size", bytes);
    return this;
  }

  /** The config key {@code delivery-timeout}: 1s..1h. */
  public KafkaSinkOptions deliveryTimeout(Duration timeout) {
    if (timeout == null
        || timeout.compareTo(MIN_DELIVERY_TIMEOUT) < 0
        || timeout.compareTo(MAX_DELIVERY_TIMEOUT) > 0) {
      throw new IllegalArgumentException("delivery-timeout must be 1s..1h, not " + timeout);
    }
    this.deliveryTimeout = timeout;
    return this;
  }

  /** The config key {@code observation-domain-id}: 0..2^32-1, in every FlowMessage. */
  public KafkaSinkOptions observationDomainId(long id) {
    if (id < 0 || id > MAX_OBSERVATION_DOMAIN_ID) {
      throw new IllegalArgumentException("observation-domain-id must be 0..4294967295, not " + id);
    }
    this.observationDomainId = id;
    return this;
  }

  /**
   * The config key {@code tls}: the CA certificates (PEM) the brokers' certificates are checked
   * against, and optionally a client certificate chain and its PKCS#8 key (PEM) for mutual TLS.
   *
   * @param cert null for no client certificate (then {@code key} must be null too)
   */
  public KafkaSinkOptions tls(Path ca, Path cert, Path key) {
    Objects.requireNonNull(ca, "tls ca");
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("tls: cert and key go together (mutual TLS) or not at all");
    }
    this.tlsCa = ca;
    this.tlsCert = cert;
    this.tlsKey = key;
    return this;
  }

  /** The config key {@code sasl}: SCRAM-SHA-512 as {@code username}, the password in a file. */
  public KafkaSinkOptions scram(String username, Path passwordFile) {
    if (username == null || username.isEmpty()) {
      throw new IllegalArgumentException("sasl: username is required");
    }
    this.saslUsername = username;
    this.saslPasswordFile = Objects.requireNonNull(passwordFile, "sasl password-file");
    return this;
  }

  /**
   * The directory of this sink's {@link SinkSpool}: what the sink is handed waits there until the
   * broker acknowledged it, through a broker outage and a kill -9 of flowgate. Null (the default):
   * no spool, a hand-off queue of {@link #queueSize} bytes in memory that drops when full.
   */
  public KafkaSinkOptions spoolDirectory(Path directory) {
    this.spoolDirectory = directory;
    return this;
  }

  /** The bound of the spool on disk, in bytes, at least {@link SinkSpool#MIN_LIMIT_BYTES}. */
  public KafkaSinkOptions spoolLimit(long bytes) {
    if (bytes < SinkSpool.MIN_LIMIT_BYTES) {
      throw new IllegalArgumentException(
          "spool limit must be at least " + SinkSpool.MIN_LIMIT_BYTES + " bytes, not " + bytes);
    }
    this.spoolLimit = bytes;
    return this;
  }

  /**
   * Checks the combination.
   *
   * @throws IllegalArgumentException if servers or topic are missing
   */
  public KafkaSinkOptions validate() {
    if (bootstrapServers.isEmpty()) {
      throw new IllegalArgumentException("export.kafka needs bootstrap-servers");
    }
    if (topic == null) {
      throw new IllegalArgumentException("export.kafka needs a topic");
    }
    if (batchSize > maxRequestSize) {
      batchSize = maxRequestSize;
    }
    return this;
  }

  private static long memory(String what, long bytes) {
    if (bytes < MIN_MEMORY || bytes > MAX_MEMORY) {
      throw new IllegalArgumentException(
          what + " must be " + MIN_MEMORY + ".." + MAX_MEMORY + " bytes, not " + bytes);
    }
    return bytes;
  }

  /** The servers to bootstrap from. */
  public List<String> bootstrapServers() {
    return bootstrapServers;
  }

  /** The topic. */
  public String topic() {
    return topic;
  }

  /** What the messages carry. */
  public KafkaFormat format() {
    return format;
  }

  /** The messages' key. */
  public KafkaKey key() {
    return key;
  }

  /** The producer's compression. */
  public KafkaCompression compression() {
    return compression;
  }

  /** The producer's client.id. */
  public String clientId() {
    return clientId;
  }

  /** The producer's linger.ms. */
  public Duration linger() {
    return linger;
  }

  /** The producer's batch.size. */
  public int batchSize() {
    return batchSize;
  }

  /** The producer's max.request.size: no message of the sink is larger. */
  public int maxRequestSize() {
    return maxRequestSize;
  }

  /** The producer's buffer.memory. */
  public long bufferMemory() {
    return bufferMemory;
  }

  /** Bytes of encoded messages the hand-off queue holds. */
  public long queueSize() {
    return queueSize;
  }

  /** The producer's delivery.timeout.ms. */
  public Duration deliveryTimeout() {
    return deliveryTimeout;
  }

  /** The FlowMessages' observation_domain_id. */
  public long observationDomainId() {
    return observationDomainId;
  }

  /** The CA file, or null for plaintext. */
  public Path tlsCa() {
    return tlsCa;
  }

  /** The client certificate chain file, or null. */
  public Path tlsCert() {
    return tlsCert;
  }

  /** The client key file, or null. */
  public Path tlsKey() {
    return tlsKey;
  }

  /** The SCRAM-SHA-512 user, or null for no SASL. */
  public String saslUsername() {
    return saslUsername;
  }

  /** The file holding the SCRAM password, or null. */
  public Path saslPasswordFile() {
    return saslPasswordFile;
  }

  /** The spool's directory, or null for none. */
  public Path spoolDirectory() {
    return spoolDirectory;
  }

  /** The bound of the spool on disk, in bytes. */
  public long spoolLimit() {
    return spoolLimit;
  }
}
