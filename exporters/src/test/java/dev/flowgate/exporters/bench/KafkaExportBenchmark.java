package dev.flowgate.exporters.bench;

import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.encode.EncodeCursor;
import dev.flowgate.exporters.ipfix.IpfixEncoder;
import dev.flowgate.exporters.kafka.KafkaFlowSink;
import dev.flowgate.exporters.kafka.KafkaFormat;
import dev.flowgate.exporters.kafka.KafkaSinkOptions;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.TestFlow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Flow records per second into a Kafka broker through {@link KafkaFlowSink}, lz4, protobuf and
 * Arrow, next to the IPFIX encoder (encoding only, into a reused buffer) measured in the same run,
 * rounds interleaved. A Kafka rate is records the broker acknowledged (the sink's delivered count)
 * over the time from the first write to the last acknowledgement; the writer waits while the sink's
 * queue holds more than 16 MiB, so nothing is dropped (checked). Sweep batches of 10,000 rows, two
 * thirds IPv4. Each format runs twice per round: with the in-memory hand-off queue ({@code
 * export.spool-limit: 0}) and with the per-sink spool on disk (the default; the writer waits while
 * more than 16 MiB of rows are unread), so the spool's cost shows as a ratio in the same run.
 *
 * <p>Arguments: {@code BOOTSTRAP RECORDS_PER_ROUND ROUNDS}. Run by bench/kafka.sh, which starts a
 * broker in its own JVM and pins this one to one core.
 */
public final class KafkaExportBenchmark {

  static final int ROWS = 10_000;

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    long records = Long.parseLong(args[1]);
    int rounds = Integer.parseInt(args[2]);
    int batches = (int) (records / ROWS);
    try (Admin admin =
        Admin.create(java.util.Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin
          .createTopics(
              List.of(new NewTopic("bench-pb", 1, (short) 1), new NewTopic("bench-arrow", 1, (short) 1)))
          .all()
          .get();
    }
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = FlowBatches.build(allocator, flows())) {
      List<double[]> rates = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        double ipfix = ipfix(root, batches);
        double pb = kafka(bootstrap, "bench-pb", KafkaFormat.PROTOBUF, root, batches, null);
        double pbSpool =
            kafka(bootstrap, "bench-pb", KafkaFormat.PROTOBUF, root, batches, spoolDir());
        double arrow = kafka(bootstrap, "bench-arrow", KafkaFormat.ARROW, root, batches, null);
        double arrowSpool =
            kafka(bootstrap, "bench-arrow", KafkaFormat.ARROW, root, batches, spoolDir());
        rates.add(new double[] {ipfix, pb, arrow, pbSpool, arrowSpool});
        System.out.printf(
            Locale.ROOT,
            "round %d: ipfix-encode %.0f/s  kafka-protobuf %.0f/s (%.2fx), spooled %.0f/s"
                + " (%.2fx of in-memory)  kafka-arrow %.0f/s (%.2fx), spooled %.0f/s"
                + " (%.2fx of in-memory)%n",
            round + 1,
            ipfix,
            pb,
            pb / ipfix,
            pbSpool,
            pbSpool / pb,
            arrow,
            arrow / ipfix,
            arrowSpool,
            arrowSpool / arrow);
      }
      double[] median = new double[5];
      for (int k = 0; k < 5; k++) {
        int kk = k;
        List<Double> v = rates.stream().map(r -> r[kk]).sorted().toList();
        median[k] = v.get(v.size() / 2);
      }
      System.out.printf(
          Locale.ROOT,
          "median of %d rounds, %d records each: ipfix-encode %.0f/s, kafka-protobuf lz4 %.0f/s"
              + " (%.2fx ipfix), kafka-arrow lz4 %.0f/s (%.2fx ipfix)%n",
          rounds,
          (long) batches * ROWS,
          median[0],
          median[1],
          median[1] / median[0],
          median[2],
          median[2] / median[0]);
      System.out.printf(
          Locale.ROOT,
          "median, with the spool: kafka-protobuf lz4 %.0f/s (%.2fx in-memory, median of ratios"
              + " %.2fx), kafka-arrow lz4 %.0f/s (%.2fx in-memory, median of ratios %.2fx)%n",
          median[3],
          median[3] / median[1],
          medianRatio(rates, 3, 1),
          median[4],
          median[4] / median[2],
          medianRatio(rates, 4, 2));
    }
  }

  private static double medianRatio(List<double[]> rates, int a, int b) {
    List<Double> v = rates.stream().map(r -> r[a] / r[b]).sorted().toList();
    return v.get(v.size() / 2);
  }

  private static java.nio.file.Path spoolDir() throws java.io.IOException {
    return java.nio.file.Files.createTempDirectory("fg-bench-kafka-spool-");
  }

  private static double ipfix(VectorSchemaRoot root, int batches) {
    IpfixEncoder encoder = new IpfixEncoder(1, 1400);
    EncodeCursor cursor = new EncodeCursor();
    ByteBuf out = Unpooled.directBuffer(1400, 1400);
    long records = 0;
    long t0 = System.nanoTime();
    for (int b = 0; b < batches; b++) {
      FlowColumns columns = new FlowColumns(root);
      EncodeCursor c = cursor.reset();
      while (encoder.encodeData(columns, c, out)) {
        records += c.records;
        out.clear();
      }
    }
    long t1 = System.nanoTime();
    out.release();
    return records * 1e9 / (t1 - t0);
  }

  /** One run into {@code topic}; with {@code spool} (deleted after), through the sink's spool. */
  private static double kafka(
      String bootstrap,
      String topic,
      KafkaFormat format,
      VectorSchemaRoot root,
      int batches,
      java.nio.file.Path spool)
      throws Exception {
    KafkaSinkOptions o =
        new KafkaSinkOptions().bootstrapServers(List.of(bootstrap)).topic(topic).format(format);
    if (spool != null) {
      o.spoolDirectory(spool).spoolLimit(1L << 30);
    }
    long unread = (16L << 20) / dev.flowgate.exporters.spool.SinkSpool.ROW_BYTES;
    try (KafkaFlowSink sink = KafkaFlowSink.start(o)) {
      long t0 = System.nanoTime();
      for (int b = 0; b < batches; b++) {
        while (spool == null
            ? sink.stats().queuedBytes() > 16 << 20
            : sink.spoolStats().pendingRows() > unread) {
          Thread.sleep(1);
        }
        sink.write(root);
      }
      while (!sink.report().queued().isZero()) {
        Thread.sleep(1);
      }
      long t1 = System.nanoTime();
      SinkReport r = sink.report();
      if (!r.dropped().isZero() || !r.failed().isZero()) {
        throw new IllegalStateException("lost records in the benchmark: " + r);
      }
      return sink.stats().recordsDelivered() * 1e9 / (t1 - t0);
    } finally {
      if (spool != null) {
        try (var files = java.nio.file.Files.walk(spool)) {
          files
              .sorted(java.util.Comparator.reverseOrder())
              .forEach(f -> f.toFile().delete());
        }
      }
    }
  }

  private static List<TestFlow> flows() {
    List<TestFlow> flows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      boolean v4 = i % 3 != 2;
      String src =
          v4
              ? "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255)
              : "2001:db8::" + Integer.toHexString(i + 1);
      String dst = v4 ? "192.0.2.1" : "2001:db8:1::1";
      flows.add(
          new TestFlow(
              src, dst, 1024 + i % 60000, 443, 6, 0, 0x1b, 10 + i, 1500L * (10 + i),
              1_700_000_000_000L, 1_700_000_060_000L, 3, i & 1, 0, 3));
    }
    return flows;
  }

  private KafkaExportBenchmark() {}
}
