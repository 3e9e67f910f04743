package dev.flowgate.exporters.testing;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Apache Kafka (KRaft: controller and broker in this JVM) for tests, on free
 * loopback ports, with its logs in a temporary directory named {@code fg-<pid>-kafka*} that {@link
 * #close()} removes. {@link #stop()} and {@link #restart()} take it down and up again on the same
 * ports and data, as a broker restart. Topics are not auto-created: tests create theirs.
 *
 * <p>With {@link Secure} it also listens with SASL_SSL (SCRAM-SHA-512 users formatted into the
 * metadata log, the server certificate and key given as PEM).
 */
public final class KafkaBroker implements AutoCloseable {

  /**
   * The SASL_SSL listener's material.
   *
   * @param certificateChain the broker's PEM certificate chain
   * @param privateKey its PKCS#8 PEM key
   * @param clientCa PEM CA certificates a client certificate must chain to (mutual TLS required)
   * @param user the SCRAM-SHA-512 user to create
   * @param password its password
   */
  public record Secure(
      String certificateChain, String privateKey, String clientCa, String user, String password) {}

  private final Path directory;
  private final int port;
  private final int controllerPort;
  private final int securePort;
  private final Secure secure;
  private KafkaRaftServer server;

  private KafkaBroker(Secure secure) throws IOException {
    this.directory = Files.createTempDirectory("fg-" + ProcessHandle.current().pid() + "-kafka");
    this.port = freePort();
    this.controllerPort = freePort();
    this.securePort = secure == null ? 0 : freePort();
    this.secure = secure;
  }

  /** Formats and starts a plaintext broker. */
  public static KafkaBroker start() throws Exception {
    return start(null);
  }

  /** Formats and starts a broker, with a SASL_SSL listener too if {@code secure} is not null. */
  public static KafkaBroker start(Secure secure) throws Exception {
    KafkaBroker b = new KafkaBroker(secure);
    try {
      b.format();
      b.launch();
      return b;
    } catch (Exception e) {
      b.close();
      throw e;
    }
  }

  /** {@code 127.0.0.1:PORT} of the plaintext listener. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** {@code 127.0.0.1:PORT} of the SASL_SSL listener. */
  public String secureBootstrapServers() {
    if (secure == null) {
      throw new IllegalStateException("no SASL_SSL listener");
    }
    return "127.0.0.1:" + securePort;
  }

  /**
   * Creates {@code topic} with {@code partitions} partitions and waits until each has its leader
   * (the test's timeout bounds the wait).
   */
  public void createTopic(String topic, int partitions) throws Exception {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
      while (true) {
        try {
          TopicDescription d =
              admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
          if (d.partitions().size() == partitions
              && d.partitions().stream()
                  .allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
            return;
          }
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
            throw e;
          }
          // the broker's metadata does not have it yet
        }
        Thread.sleep(50);
      }
    }
  }

  /** Shuts the broker down (a restart follows with {@link #restart()}). */
  public synchronized void stop() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  private synchronized void launch() {
    server = new KafkaRaftServer(KafkaConfig.fromProps(properties(), false), Time.SYSTEM);
    server.startup();
  }

  /** Starts the stopped broker again, same ports and data. */
  public void restart() {
    launch();
  }

  /**
   * Reads every partition of {@code topic} from the beginning until {@code count} records arrived
   * or nothing new came for {@code quiet} after the last one; returns what arrived, by partition
   * then offset.
   */
  public List<ConsumerRecord<byte[], byte[]>> read(String topic, long count, Duration quiet) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 << 20));
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long last = System.nanoTime();
      while (out.size() < count && System.nanoTime() - last < quiet.toNanos()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(r);
          last = System.nanoTime();
        }
      }
    }
    out.sort(
        Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
            .thenComparingLong(ConsumerRecord::offset));
    return out;
  }

  /** An admin client on the plaintext listener. */
  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
  }

  /** Stops the broker and deletes its directory. */
  @Override
  public void close() {
    try {
      stop();
    } finally {
      try (Stream<Path> all = Files.walk(directory)) {
        all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        // best effort: the directory is under /tmp
      }
    }
  }

  private void format() throws Exception {
    Formatter f =
        new Formatter()
            .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
            .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
            .setNodeId(1)
            .setClusterId(Uuid.randomUuid().toString())
            .setDirectories(List.of(logs().toString()))
            .setMetadataLogDirectory(logs().toString())
            .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
            .setControllerListenerName("CONTROLLER");
    if (secure != null) {
      f.setScramArguments(
          List.of(
              "SCRAM-SHA-512=[name=" + secure.user() + ",password=" + secure.password() + "]"));
    }
    f.run();
  }

  private Path logs() {
    return directory.resolve("logs");
  }

  private Properties properties() {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    String listeners =
        "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort;
    String advertised = "PLAINTEXT://127.0.0.1:" + port;
    if (secure != null) {
      listeners += ",SASL_SSL://127.0.0.1:" + securePort;
      advertised += ",SASL_SSL://127.0.0.1:" + securePort;
    }
    p.put("listeners", listeners);
    p.put("advertised.listeners", advertised);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL");
    p.put("log.dirs", logs().toString());
    p.put("auto.create.topics.enable", "false");
    p.put("num.partitions", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("message.max.bytes", Integer.toString(16 << 20));
    if (secure != null) {
      p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
      p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
      p.put("listener.name.sasl_ssl.ssl.keystore.type", "PEM");
      p.put("listener.name.sasl_ssl.ssl.keystore.certificate.chain", secure.certificateChain());
      p.put("listener.name.sasl_ssl.ssl.keystore.key", secure.privateKey());
      p.put("listener.name.sasl_ssl.ssl.truststore.type", "PEM");
      p.put("listener.name.sasl_ssl.ssl.truststore.certificates", secure.clientCa());
      p.put("listener.name.sasl_ssl.ssl.client.auth", "required");
    }
    return p;
  }

  /**
   * A broker in its own JVM for benchmarks: prints its bootstrap servers on one line, then runs
   * until stdin closes.
   */
  public static void main(String[] args) throws Exception {
    try (KafkaBroker b = start()) {
      System.out.println(b.bootstrapServers());
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the parent to close our stdin
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
