package dev.flowgate.exporters.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.Volume;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.KafkaBroker;
import dev.flowgate.exporters.testing.KafkaFlows;
import dev.flowgate.exporters.testing.KnownFlows;
import dev.flowgate.exporters.testing.TestFlow;
import flowpb.Flow.FlowMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka sink against a real single-node KRaft broker in this JVM ({@link KafkaBroker}): what a
 * consumer reads back equals what was written, in protobuf (decoded with goflow2's generated
 * classes) and in Arrow; keys put both directions in one partition; and the outcomes add up, with
 * delivered meaning acknowledged by the broker.
 */
@Tag("e2e")
@Timeout(180)
class KafkaFlowSinkTest {

  private static final Duration QUIET = Duration.ofSeconds(10);
  private static KafkaBroker broker;
  private BufferAllocator allocator;
  @TempDir Path spoolDir;
  private final List<KafkaFlowSink> sinks = new ArrayList<>();

  @BeforeAll
  static void startBroker() throws Exception {
    broker = KafkaBroker.start();
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
    sinks.forEach(KafkaFlowSink::close);
    allocator.close();
  }

  @Test
  void protobufRecordsDecodeWithGoflow2ClassesAndEqualWhatWasWritten() throws Exception {
    broker.createTopic("pb", 1);
    KafkaFlowSink sink = start(options("pb").format(KafkaFormat.PROTOBUF).observationDomainId(7));
    List<TestFlow> sent = KnownFlows.batch(System.currentTimeMillis(), 2500);
    write(sink, sent);
    awaitSettled(sink);

    List<ConsumerRecord<byte[], byte[]>> records = broker.read("pb", 3, QUIET);
    assertThat(records).hasSize(3); // 1000 FlowMessages per Kafka message
    assertThat(new String(records.get(0).headers().lastHeader("flowgate.format").value(),
            StandardCharsets.US_ASCII))
        .isEqualTo(ProtobufMessageEncoder.FORMAT);
    List<FlowMessage> messages = KafkaFlows.messages(records);
    assertThat(messages).hasSize(sent.size());
    assertThat(messages)
        .allSatisfy(
            m -> {
              assertThat(m.getType()).isEqualTo(FlowMessage.FlowType.IPFIX);
              assertThat(m.getSamplingRate()).isEqualTo(1);
              assertThat(m.getObservationDomainId()).isEqualTo(7);
              assertThat(m.getEtype()).isIn(0x0800, 0x86dd);
              assertThat(m.getTimeReceivedNs()).isPositive();
            });
    assertThat(messages.stream().map(KafkaFlows::flow).toList())
        .containsExactlyElementsOf(sent.stream().map(f -> KafkaFlows.canonical(f, false)).toList());
    SinkReport r = sink.report();
    assertThat(r.delivered()).isEqualTo(volume(sent));
    assertThat(r.addsUp()).isTrue();
  }

  @Test
  void arrowMessagesStayUnderMaxRequestSizeAndHoldEveryRow() throws Exception {
    broker.createTopic("arrow", 1);
    int max = KafkaSinkOptions.MIN_MAX_REQUEST_SIZE; // 64 KiB: ~580 rows per message
    KafkaFlowSink sink = start(options("arrow").format(KafkaFormat.ARROW).maxRequestSize(max));
    List<TestFlow> sent = KnownFlows.batch(System.currentTimeMillis(), 3000);
    write(sink, sent);
    awaitSettled(sink);

    List<ConsumerRecord<byte[], byte[]>> records = broker.read("arrow", Long.MAX_VALUE, QUIET);
    assertThat(records).hasSizeGreaterThan(3);
    assertThat(records).allSatisfy(r -> assertThat(r.value().length).isLessThanOrEqualTo(max));
    assertThat(records)
        .allSatisfy(
            r ->
                assertThat(r.headers().lastHeader("flowgate.schema-version").value())
                    .isEqualTo("1".getBytes(StandardCharsets.US_ASCII)));
    assertThat(KafkaFlows.arrowRows(records, allocator))
        .containsExactlyElementsOf(sent.stream().map(f -> KafkaFlows.canonical(f, true)).toList());
    assertThat(sink.report().delivered()).isEqualTo(volume(sent));
  }

  @Test
  void flowKeyPutsBothDirectionsOfAConnectionInOnePartition() throws Exception {
    broker.createTopic("keyed", 8);
    KafkaFlowSink sink = start(options("keyed").key(KafkaKey.FLOW));
    List<TestFlow> sent = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      String a = "10.0." + i + ".1";
      String b = "2001:db8::" + Integer.toHexString(i + 1);
      String a6 = "2001:db8:1::" + Integer.toHexString(i + 1);
      sent.add(TestFlow.of(a, "192.0.2." + i, 1000 + i, 80, TestFlow.TCP, 1, 100));
      sent.add(TestFlow.of("192.0.2." + i, a, 80, 1000 + i, TestFlow.TCP, 2, 200));
      sent.add(TestFlow.of(b, a6, 53, 5353, TestFlow.UDP, 3, 300));
      sent.add(TestFlow.of(a6, b, 5353, 53, TestFlow.UDP, 4, 400));
    }
    write(sink, sent);
    awaitSettled(sink);

    List<ConsumerRecord<byte[], byte[]>> records = broker.read("keyed", sent.size(), QUIET);
    assertThat(records).hasSize(sent.size()); // one record per message with a key
    Map<String, Integer> partitionOfPair = new HashMap<>();
    java.util.Set<Integer> used = new java.util.HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      FlowMessage m = KafkaFlows.messages(List.of(r)).get(0);
      TestFlow f = KafkaFlows.flow(m);
      String pair =
          f.src().compareTo(f.dst()) < 0 ? f.src() + "|" + f.dst() : f.dst() + "|" + f.src();
      Integer before = partitionOfPair.putIfAbsent(pair, r.partition());
      if (before != null) {
        assertThat(r.partition()).as(pair).isEqualTo(before);
      }
      assertThat(r.key()).hasSize(FlowKey.LENGTH);
      used.add(r.partition());
    }
    assertThat(partitionOfPair).hasSize(sent.size() / 2);
    assertThat(used).hasSizeGreaterThan(1); // the keys do spread
  }

  @Test
  void brokerStoppedAndRestartedMidStreamLosesNothing() throws Exception {
    try (KafkaBroker own = KafkaBroker.start()) {
      own.createTopic("restart", 2);
      KafkaFlowSink sink =
          start(
              options("restart")
                  .bootstrapServers(List.of(own.bootstrapServers()))
                  .deliveryTimeout(Duration.ofSeconds(2)));
      List<TestFlow> first = numbered(0, 3000);
      write(sink, first);
      awaitSettled(sink);
      own.stop();
      List<TestFlow> during = numbered(3000, 3000);
      write(sink, during); // expire in the producer (2s) while the broker is down: sent again
      awaitSendError(sink);
      own.restart();
      List<TestFlow> after = numbered(6000, 3000);
      write(sink, after);
      awaitSettled(sink);

      List<TestFlow> all = new ArrayList<>(first);
      all.addAll(during);
      all.addAll(after);
      List<TestFlow> got =
          KafkaFlows.messages(own.read("restart", Long.MAX_VALUE, QUIET)).stream()
              .map(KafkaFlows::flow)
              .toList();
      KafkaSinkStats stats = sink.stats();
      assertThat(stats.retriedMessages()).isPositive();
      assertThat(new java.util.HashSet<>(got))
          .containsExactlyInAnyOrderElementsOf(
              all.stream().map(f -> KafkaFlows.canonical(f, false)).toList());
      assertThat((long) got.size() - all.size()).isBetween(0L, stats.inDoubtRecords());
      SinkReport r = sink.report();
      assertThat(r.delivered()).isEqualTo(volume(all));
      assertThat(r.failed()).isEqualTo(Volume.ZERO);
      assertThat(r.dropped()).isEqualTo(Volume.ZERO);
    }
  }

  @Test
  void withASpoolTheBrokerStoppedAndRestartedMidStreamLosesNothing() throws Exception {
    try (KafkaBroker own = KafkaBroker.start()) {
      own.createTopic("spooled", 2);
      KafkaFlowSink sink =
          start(
              options("spooled")
                  .bootstrapServers(List.of(own.bootstrapServers()))
                  .deliveryTimeout(Duration.ofSeconds(2))
                  .spoolDirectory(spoolDir.resolve("spooled")));
      List<TestFlow> first = numbered(0, 3000);
      write(sink, first);
      awaitSettled(sink);
      own.stop();
      List<TestFlow> during = numbered(3000, 5000);
      write(sink, during); // expire in the producer (2s): read from the spool and sent again
      awaitSendError(sink);
      assertThat(sink.report().queued()).isEqualTo(volume(during));
      own.restart();
      List<TestFlow> after = numbered(8000, 3000);
      write(sink, after);
      awaitSettled(sink);

      List<TestFlow> all = new ArrayList<>(first);
      all.addAll(during);
      all.addAll(after);
      assertReadBack(own, "spooled", all, sink.report().inDoubt().packets());
      SinkReport r = sink.report();
      assertThat(r.delivered()).isEqualTo(volume(all));
      assertThat(r.failed()).isEqualTo(Volume.ZERO);
      assertThat(r.dropped()).isEqualTo(Volume.ZERO);
      assertThat(r.sendErrors()).isPositive();
      assertThat(sink.spoolStats().pendingRows()).isZero();
    }
  }

  @Test
  void aSinkClosedWhileTheBrokerIsDownResumesItsSpoolAtTheNextStart() throws Exception {
    try (KafkaBroker own = KafkaBroker.start()) {
      own.createTopic("resumed", 1);
      KafkaSinkOptions o =
          options("resumed")
              .bootstrapServers(List.of(own.bootstrapServers()))
              .deliveryTimeout(Duration.ofSeconds(2))
              .spoolDirectory(spoolDir.resolve("resumed"));
      KafkaFlowSink first = start(o);
      List<TestFlow> before = numbered(0, 2000);
      write(first, before);
      awaitSettled(first);
      own.stop();
      List<TestFlow> held = numbered(2000, 4000);
      write(first, held);
      awaitSendError(first);
      first.close(); // what the broker did not acknowledge stays in the spool
      SinkReport closed = first.report();
      assertThat(closed.queued()).isEqualTo(volume(held));
      assertThat(closed.dropped()).isEqualTo(Volume.ZERO);

      own.restart();
      KafkaFlowSink second = start(o);
      assertThat(second.report().handed()).isEqualTo(volume(held));
      awaitSettled(second);
      SinkReport r = second.report();
      assertThat(r.delivered()).isEqualTo(volume(held));
      List<TestFlow> all = new ArrayList<>(before);
      all.addAll(held);
      assertReadBack(
          own, "resumed", all, closed.inDoubt().packets() + r.inDoubt().packets());
    }
  }

  @Test
  void unreachableBootstrapLeavesTheSinkRunningAndSaysSo() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    KafkaFlowSink sink = start(options("nowhere").bootstrapServers(List.of("127.0.0.1:" + closed)));
    List<TestFlow> sent = numbered(0, 100);
    write(sink, sent);
    while (sink.stats().sendErrors() == 0) {
      Thread.sleep(100);
    }
    assertThat(sink.stats().lastError()).contains("nowhere");
    assertThat(sink.report().queued()).isEqualTo(volume(sent));
    sink.close();
    SinkReport r = sink.report();
    assertThat(r.dropped()).isEqualTo(volume(sent));
    assertThat(r.addsUp()).isTrue();
  }

  @Test
  void aTopicTheBrokerDoesNotHaveKeepsRecordsQueuedUntilItExists() throws Exception {
    KafkaFlowSink sink = start(options("late"));
    List<TestFlow> sent = numbered(0, 1500);
    write(sink, sent);
    while (sink.stats().sendErrors() == 0) {
      Thread.sleep(100);
    }
    assertThat(sink.stats().lastError()).contains("late");
    assertThat(sink.report().delivered()).isEqualTo(Volume.ZERO);
    broker.createTopic("late", 1);
    awaitSettled(sink);
    assertThat(KafkaFlows.messages(broker.read("late", 2, QUIET))).hasSize(sent.size());
    assertThat(sink.report().delivered()).isEqualTo(volume(sent));
  }

  /**
   * Every flow of {@code all} is in {@code topic}; the packets read twice are at most {@code
   * inDoubtPackets}.
   */
  private static void assertReadBack(
      KafkaBroker own, String topic, List<TestFlow> all, long inDoubtPackets) {
    List<TestFlow> got =
        KafkaFlows.messages(own.read(topic, Long.MAX_VALUE, QUIET)).stream()
            .map(KafkaFlows::flow)
            .toList();
    List<TestFlow> want = all.stream().map(f -> KafkaFlows.canonical(f, false)).toList();
    assertThat(new java.util.HashSet<>(got)).containsExactlyInAnyOrderElementsOf(want);
    long twice = volume(got).packets() - volume(all).packets();
    assertThat(twice).as("packets read twice").isBetween(0L, inDoubtPackets);
  }

  private KafkaSinkOptions options(String topic) {
    return new KafkaSinkOptions()
        .bootstrapServers(List.of(broker.bootstrapServers()))
        .topic(topic);
  }

  private KafkaFlowSink start(KafkaSinkOptions o) {
    KafkaFlowSink sink = KafkaFlowSink.start(o);
    sinks.add(sink);
    return sink;
  }

  private void write(KafkaFlowSink sink, List<TestFlow> flows) {
    try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
      sink.write(root);
    }
  }

  /** Waits (bounded by the test's timeout) until nothing is queued. */
  private static void awaitSettled(KafkaFlowSink sink) throws InterruptedException {
    while (!sink.report().queued().isZero()) {
      Thread.sleep(50);
    }
    assertThat(sink.report().addsUp()).isTrue();
  }

  /** Waits until the producer gave a message back (expired: the broker is down). */
  private static void awaitSendError(KafkaFlowSink sink) throws InterruptedException {
    while (sink.stats().sendErrors() == 0) {
      Thread.sleep(50);
    }
  }

  /** {@code n} distinct UDP flows, told apart by their source port and address. */
  private static List<TestFlow> numbered(int first, int n) {
    List<TestFlow> out = new ArrayList<>();
    for (int i = first; i < first + n; i++) {
      out.add(
          TestFlow.of(
              "10.9." + (i >> 16 & 0xFF) + "." + (i >> 8 & 0xFF),
              "10.8.0.1",
              i & 0xFF | 0x100,
              53,
              TestFlow.UDP,
              1 + i % 5,
              100 + i));
    }
    return out;
  }

  private static Volume volume(List<TestFlow> flows) {
    long p = 0;
    long b = 0;
    for (TestFlow f : flows) {
      p += f.packets();
      b += f.bytes();
    }
    return new Volume(p, b);
  }
}
