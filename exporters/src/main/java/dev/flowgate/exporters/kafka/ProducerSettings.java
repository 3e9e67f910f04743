package dev.flowgate.exporters.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The producer properties of a {@link KafkaSinkOptions}: delivery is acknowledged by every in-sync
 * replica ({@code acks=all}) of an idempotent producer that retries until {@code
 * delivery.timeout.ms}; secrets are read from their files here.
 */
final class ProducerSettings {

  /**
   * How long {@code send} may wait for metadata or buffer room: 1s. Only the sink's sender thread
   * calls it (the sweeper hands off to a queue), so this bounds how soon a closing sink stops.
   */
  static final int MAX_BLOCK_MS = 1000;

  /** Longest wait for one produce request: 30s (Kafka's default), less if delivery-timeout is. */
  static final int REQUEST_TIMEOUT_MS = 30_000;

  /** Longest pause between two connection attempts to a broker: 10s. */
  static final int RECONNECT_BACKOFF_MAX_MS = 10_000;

  private ProducerSettings() {}

  /**
   * The properties; reads the SCRAM password file and the TLS files.
   *
   * @throws IOException if a file cannot be read
   */
  static Properties of(KafkaSinkOptions o) throws IOException {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", o.bootstrapServers()));
    p.put(ProducerConfig.CLIENT_ID_CONFIG, o.clientId());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5"); // the most idempotence keeps in order
    p.put(ProducerConfig.RETRIES_CONFIG, Integer.toString(Integer.MAX_VALUE));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, o.compression().label());
    long linger = o.linger().toMillis();
    p.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(linger));
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(o.batchSize()));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(o.bufferMemory()));
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(o.maxRequestSize()));
    long delivery = o.deliveryTimeout().toMillis();
    // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms
    long request = Math.max(1, Math.min(REQUEST_TIMEOUT_MS, delivery - linger));
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(request));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.max(delivery, linger + request)));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Integer.toString(MAX_BLOCK_MS));
    // a broker that is down: reconnect (and log the client's warning) at most every 10s
    p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, Integer.toString(RECONNECT_BACKOFF_MAX_MS));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    boolean tls = o.tlsCa() != null;
    boolean sasl = o.saslUsername() != null;
    p.put(
        CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
        tls ? (sasl ? "SASL_SSL" : "SSL") : (sasl ? "SASL_PLAINTEXT" : "PLAINTEXT"));
    if (tls) {
      p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
      p.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, read(o.tlsCa()));
      if (o.tlsCert() != null) {
        p.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
        p.put(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, read(o.tlsCert()));
        p.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, read(o.tlsKey()));
      }
    }
    if (sasl) {
      p.put(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512");
      p.put(
          SaslConfigs.SASL_JAAS_CONFIG,
          "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
              + escape(o.saslUsername())
              + "\" password=\""
              + escape(password(o))
              + "\";");
    }
    return p;
  }

  /** The password: the file's first line. */
  private static String password(KafkaSinkOptions o) throws IOException {
    String text = read(o.saslPasswordFile());
    int eol = text.indexOf('\n');
    String line = eol < 0 ? text : text.substring(0, eol);
    if (line.endsWith("\r")) {
      line = line.substring(0, line.length() - 1);
    }
    if (line.isEmpty()) {
      throw new IOException(o.saslPasswordFile() + " (SCRAM password file) is empty");
    }
    return line;
  }

  private static String read(java.nio.file.Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  /** A JAAS quoted string: backslash and double quote escaped. */
  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
