package dev.flowgate.exporters.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.Volume;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.KafkaBroker;
import dev.flowgate.exporters.testing.KafkaFlows;
import dev.flowgate.exporters.testing.KnownFlows;
import dev.flowgate.exporters.testing.TestCertificates;
import dev.flowgate.exporters.testing.TestFlow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka sink over TLS (broker certificate checked against a CA file, client certificate for
 * mutual TLS) with SASL SCRAM-SHA-512, against the test broker's SASL_SSL listener: with the right
 * password every record is delivered; with a wrong one every record fails with the broker's
 * authentication error, counted and named.
 */
@Tag("e2e")
@Timeout(180)
class KafkaTlsScramTest {

  @TempDir static Path dir;
  private static TestCertificates pki;
  private static KafkaBroker broker;
  private BufferAllocator allocator;
  private KafkaFlowSink sink;

  @BeforeAll
  static void startBroker() throws Exception {
    pki = TestCertificates.create(dir);
    broker =
        KafkaBroker.start(
            new KafkaBroker.Secure(
                Files.readString(pki.serverCert()),
                Files.readString(pki.serverKey()),
                Files.readString(pki.ca()),
                "flowgate",
                "s3cret-pw"));
    broker.createTopic("secure", 1);
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    if (sink != null) {
      sink.close();
    }
    allocator.close();
  }

  @Test
  void tlsWithScramSha512DeliversEveryRecord() throws Exception {
    sink = KafkaFlowSink.start(options("s3cret-pw\n"));
    List<TestFlow> sent = KnownFlows.batch(System.currentTimeMillis(), 1500);
    write(sent);
    while (!sink.report().queued().isZero()) {
      Thread.sleep(50);
    }
    assertThat(sink.report().delivered()).isEqualTo(volume(sent));
    assertThat(KafkaFlows.messages(broker.read("secure", 2, Duration.ofSeconds(10))))
        .hasSize(sent.size());
  }

  @Test
  void aWrongPasswordFailsEveryRecordWithTheBrokersError() throws Exception {
    sink = KafkaFlowSink.start(options("not-the-password\n"));
    List<TestFlow> sent = KnownFlows.batch(System.currentTimeMillis(), 100);
    write(sent);
    while (!sink.report().queued().isZero()) {
      Thread.sleep(50);
    }
    SinkReport r = sink.report();
    assertThat(r.failed()).isEqualTo(volume(sent));
    assertThat(r.delivered()).isEqualTo(Volume.ZERO);
    assertThat(r.lastError()).contains("Authentication failed");
  }

  private KafkaSinkOptions options(String password) throws Exception {
    Path file = dir.resolve("password-" + password.hashCode());
    Files.writeString(file, password);
    return new KafkaSinkOptions()
        .bootstrapServers(List.of(broker.secureBootstrapServers()))
        .topic("secure")
        .tls(pki.ca(), pki.clientCert(), pki.clientKey())
        .scram("flowgate", file);
  }

  private void write(List<TestFlow> flows) {
    try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
      sink.write(root);
    }
  }

  private static Volume volume(List<TestFlow> flows) {
    return new Volume(
        flows.stream().mapToLong(TestFlow::packets).sum(),
        flows.stream().mapToLong(TestFlow::bytes).sum());
  }
}
