package dev.flowgate.exporters.kafka;

import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.FlowSchema;
import dev.flowgate.exporters.FlowSink;
import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.Volume;
import dev.flowgate.exporters.log.RateLimitedLog;
import dev.flowgate.exporters.outcome.SinkOutcomes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Sends finished flows to a Kafka topic, as goflow2 FlowMessages or Arrow IPC streams ({@link
 * KafkaFormat}), with the official Apache producer.
 *
 * <p><b>Threads.</b> {@link #write} encodes the batch into messages on the sweeper's thread and
 * offers them to a {@link HandOffQueue} bounded in bytes ({@code queue-size}); it never waits. A
 * sender thread of the sink takes them and calls the producer's {@code send}, which may wait for
 * metadata or buffer room ({@link ProducerSettings#MAX_BLOCK_MS}) on that thread only. The producer
 * is built on the sender thread too, so a bootstrap server that does not resolve or answer at start
 * leaves flowgate running and the sink retrying (logged).
 *
 * <p><b>Outcomes</b> ({@link #report()}, sink name {@code kafka:TOPIC@FIRST-BOOTSTRAP-SERVER}): a
 * message is delivered when the broker acknowledged it ({@code acks=all}, idempotent producer); a
 * message the producer gives back with a retriable error (its {@code delivery.timeout.ms} expired
 * while the broker was down, metadata unavailable, not enough replicas) stays queued and is sent
 * again, first in line; a message refused for good (topic authorization, record too large, an
 * invalid topic) failed; a message that does not fit the hand-off queue, or is still held at
 * {@link #close()}, dropped. A message that expired may have been written by the broker all the
 * same: those re-sent after an expiry are counted in doubt (the report's {@code inDoubt}, {@link
 * KafkaSinkStats#inDoubtRecords()}), the most a consumer can see twice. Every retriable error is a
 * send error of the report (the records stay queued).
 */
public final class KafkaFlowSink implements FlowSink {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaFlowSink.class);

  /** Header naming the value's format: {@link KafkaMessageEncoder#formatHeader()}. */
  public static final String FORMAT_HEADER = "flowgate.format";

  /** Header with {@link FlowSchema#VERSION} (Arrow messages). */
  public static final String SCHEMA_VERSION_HEADER = "flowgate.schema-version";

  /** Room left in a message for key, headers and Kafka's record overhead: 1 KiB. */
  static final int RECORD_OVERHEAD = 1024;

  /** How long {@link #close()} waits for queued messages to be acknowledged: 5s. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  /** Pause of the sender after a retriable error, doubled up to {@link #MAX_BACKOFF_NANOS}. */
  static final long MIN_BACKOFF_NANOS = 100_000_000L;

  static final long MAX_BACKOFF_NANOS = 5_000_000_000L;

  private final KafkaSinkOptions options;
  private final String name;
  private final KafkaMessageEncoder encoder;
  private final RecordHeaders headers = new RecordHeaders();
  private final Function<Properties, Producer<byte[], byte[]>> producers;
  private final HandOffQueue queue;
  private final SinkOutcomes outcomes;
  private final Thread sender;
  private final RateLimitedLog problems = new RateLimitedLog(LOG, Level.WARN);

  private final AtomicLong messagesDelivered = new AtomicLong();
  private final AtomicLong recordsDelivered = new AtomicLong();
  private final AtomicLong sendErrors = new AtomicLong();
  private final AtomicLong retriedMessages = new AtomicLong();
  private final AtomicLong inDoubtRecords = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private volatile String lastError;
  private volatile boolean closing;
  private volatile boolean closed;
  private volatile boolean retriedRecently; // set by callbacks, read by the sender's back-off

  private Producer<byte[], byte[]> producer; // sender thread until close

  private KafkaFlowSink(
      KafkaSinkOptions options, Function<Properties, Producer<byte[], byte[]>> producers) {
    this.options = new KafkaSinkOptions(options).validate();
    this.name = sinkName(this.options);
    int limit = this.options.maxRequestSize() - RECORD_OVERHEAD;
    this.encoder =
        this.options.format() == KafkaFormat.ARROW
            ? new ArrowMessageEncoder(limit)
            : new ProtobufMessageEncoder(this.options.observationDomainId(), this.options.key());
    headers.add(FORMAT_HEADER, encoder.formatHeader().getBytes(StandardCharsets.US_ASCII));
    if (this.options.format() == KafkaFormat.ARROW) {
      headers.add(
          SCHEMA_VERSION_HEADER,
          Integer.toString(FlowSchema.VERSION).getBytes(StandardCharsets.US_ASCII));
    }
    headers.setReadOnly();
    this.producers = producers;
    this.queue = new HandOffQueue(this.options.queueSize());
    this.outcomes = new SinkOutcomes(name);
    this.sender = new Thread(this::sendLoop, "flowgate-kafka-" + this.options.topic());
    this.sender.setDaemon(true);
  }

  /**
   * Starts a sink for {@code options} (validated and copied): its sender thread builds the producer
   * and connects in the background.
   *
   * @throws IllegalArgumentException if the options lack servers or topic
   */
  public static KafkaFlowSink start(KafkaSinkOptions options) {
    return start(options, KafkaProducer::new);
  }

  /** {@link #start(KafkaSinkOptions)} with another producer factory (benchmarks). */
  static KafkaFlowSink start(
      KafkaSinkOptions options, Function<Properties, Producer<byte[], byte[]>> producers) {
    KafkaFlowSink sink = new KafkaFlowSink(options, producers);
    sink.sender.start();
    return sink;
  }

  /** The sink name of a Kafka sink: {@code kafka:TOPIC@HOST:PORT} (the first bootstrap server). */
  public static String sinkName(KafkaSinkOptions options) {
    return "kafka:" + options.topic() + "@" + options.bootstrapServers().get(0);
  }

  /**
   * Encodes every row of {@code finished} and queues the messages for the sender; what does not
   * fit the queue is dropped and counted. Never waits for the network.
   *
   * @throws IllegalStateException if the sink is closed (the batch is counted handed and dropped)
   */
  @Override
  public synchronized void write(VectorSchemaRoot finished) {
    if (finished.getRowCount() == 0) {
      return;
    }
    if (closing) {
      Volume all = total(finished);
      outcomes.handed(all);
      outcomes.dropped(all, "sink closed");
      throw new IllegalStateException("kafka sink " + name + " is closed");
    }
    List<KafkaMessage> messages = encoder.encode(finished, System.currentTimeMillis() * 1_000_000L);
    for (KafkaMessage m : messages) {
      outcomes.handed(m.flows());
      if (!queue.offer(m)) {
        outcomes.dropped(
            m.flows(),
            "hand-off queue full ("
                + options.queueSize()
                + " bytes): the broker takes less than flowgate sends");
      }
    }
  }

  @Override
  public void tick(long nowMs) {
    outcomes.tick();
  }

  @Override
  public SinkReport report() {
    return outcomes.report();
  }

  /** The sink's own counters now. */
  public KafkaSinkStats stats() {
    return new KafkaSinkStats(
        name,
        messagesDelivered.get(),
        recordsDelivered.get(),
        sendErrors.get(),
        retriedMessages.get(),
        inDoubtRecords.get(),
        queue.bytes(),
        lastError);
  }

  /**
   * Stops taking batches, waits up to {@link #CLOSE_WAIT} for what is queued to be acknowledged,
   * then closes the producer; what is still held is counted dropped.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
    }
    try {
      sender.join(CLOSE_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closed = true; // from now on, messages given back are dropped
    sender.interrupt();
    try {
      sender.join(CLOSE_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Producer<byte[], byte[]> p = producer;
    if (p != null) {
      p.close(Duration.ZERO); // fails what is in flight: the callbacks count it dropped
    }
    KafkaMessage m;
    while ((m = queue.takeNow()) != null) {
      outcomes.dropped(m.flows(), "sink closed");
    }
  }

  @Override
  public String toString() {
    return "KafkaFlowSink[" + name + "]";
  }

  private void sendLoop() {
    long backoff = MIN_BACKOFF_NANOS;
    try {
      while (!closed) {
        if (closing && queue.isEmpty() && inFlight.get() == 0) {
          break;
        }
        if (producer == null && !createProducer()) {
          Thread.sleep(backoff / 1_000_000L);
          backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
          continue;
        }
        if (retriedRecently) {
          retriedRecently = false;
          Thread.sleep(backoff / 1_000_000L);
          backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
        } else {
          backoff = MIN_BACKOFF_NANOS;
        }
        KafkaMessage m = queue.poll(100_000_000L);
        if (m == null) {
          continue;
        }
        if (closed) {
          queue.unpoll(m);
          break;
        }
        send(m);
      }
      if (producer != null && !closed) {
        producer.flush();
      }
    } catch (InterruptedException e) {
      // close(): what is left is counted there
    } catch (org.apache.kafka.common.errors.InterruptException e) {
      // the same, raised inside the producer
    }
  }

  private boolean createProducer() {
    try {
      producer = producers.apply(ProducerSettings.of(options));
      problems.clear("connect");
      return true;
    } catch (IOException | KafkaException e) {
      String text = e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause().getMessage());
      lastError = text;
      sendErrors.incrementAndGet();
      outcomes.sendError("cannot start the producer: " + text);
      problems.report("connect", "kafka sink " + name + ": cannot start the producer: " + text);
      return false;
    }
  }

  private void send(KafkaMessage m) {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(options.topic(), null, null, m.key(), m.value(), headers);
    inFlight.incrementAndGet();
    try {
      producer.send(record, (meta, error) -> completed(m, meta, error));
    } catch (org.apache.kafka.common.errors.InterruptException e) {
      inFlight.decrementAndGet();
      queue.unpoll(m);
      throw e;
    } catch (RuntimeException e) {
      // not an ApiException (those come through the callback): the producer is unusable
      inFlight.decrementAndGet();
      failed(m, e);
    }
  }

  /** The producer's verdict on {@code m}; on its I/O thread, or the sender's for send errors. */
  private void completed(KafkaMessage m, RecordMetadata meta, Exception error) {
    try {
      if (error == null) {
        messagesDelivered.incrementAndGet();
        recordsDelivered.addAndGet(m.records());
        outcomes.delivered(m.flows());
        problems.clear("send");
        return;
      }
      lastError = error.toString();
      sendErrors.incrementAndGet();
      if (closed) {
        outcomes.dropped(m.flows(), "sink closed before the broker acknowledged");
      } else if (error instanceof RetriableException) {
        outcomes.sendError(error.toString()); // still queued: sent again
        if (error instanceof org.apache.kafka.common.errors.TimeoutException
            && !error.getMessage().contains("metadata")) {
          inDoubtRecords.addAndGet(m.records()); // expired in flight: may have been written
          outcomes.inDoubt(m.flows());
        }
        retriedMessages.incrementAndGet();
        retriedRecently = true;
        problems.report(
            "send",
            "kafka sink "
                + name
                + ": not delivered yet, sending again: "
                + error
                + " ("
                + queue.bytes()
                + " bytes waiting)");
        queue.retry(m);
      } else {
        failed(m, error);
      }
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private void failed(KafkaMessage m, Exception error) {
    lastError = error.toString();
    outcomes.failed(m.flows(), "the broker refused " + m.records() + " flow records: " + error);
  }

  private static Volume total(VectorSchemaRoot batch) {
    FlowColumns flows = new FlowColumns(batch);
    long packets = 0;
    long bytes = 0;
    for (int row = 0; row < flows.rowCount(); row++) {
      packets += flows.packets(row);
      bytes += flows.bytes(row);
    }
    return new Volume(packets, bytes);
  }
}
