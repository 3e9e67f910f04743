package dev.flowgate.exporters.kafka;

import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.FlowRecordWriter;
import dev.flowgate.exporters.FlowSchema;
import dev.flowgate.exporters.FlowSink;
import dev.flowgate.exporters.JournalPosition;
import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.Volume;
import dev.flowgate.exporters.log.RateLimitedLog;
import dev.flowgate.exporters.outcome.SinkOutcomes;
import dev.flowgate.exporters.spool.SinkSpool;
import dev.flowgate.exporters.transport.Backoff;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.TreeMap;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.BufferExhaustedException;
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
 *
 * <p><b>With a spool</b> ({@link KafkaSinkOptions#spoolDirectory}, {@code
 * <state-directory>/spool/<sink>}): {@link #write} appends the batch to the sink's {@link
 * SinkSpool} instead (nothing dropped while the spool has room) and the sender reads its frames in
 * order, encodes them at send time and commits the spool once the broker acknowledged every message
 * up to a row ({@link #spoolLoop}). A retriable error (an expiry after {@code delivery.timeout.ms},
 * metadata or buffer room that did not come) is a send error: the sender waits for every message in
 * flight to meet its verdict, rewinds the spool to its last commit and sends the rows again after a
 * back-off, skipping those the broker acknowledged meanwhile. At start the sink resumes its
 * spool: what the last run left unacknowledged is counted handed and sent again, and the part of it
 * that was produced and not acknowledged is in doubt. At {@link #close()} what is left stays in the spool
 * (queued) for the next start.
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

  private volatile Producer<byte[], byte[]> producer; // built by the sender thread

  // ---- with a spool (null without)
  private final SinkSpool spool;
  private final BufferAllocator spoolAllocator; // the frame the sender reads
  private final long inFlightLimit; // bytes of messages given to the producer, unacknowledged
  private final Object ledger = new Object(); // guards what follows, the callbacks' and sender's
  private final ArrayDeque<Pending> pending = new ArrayDeque<>(); // in spool order
  private long pendingBytes;
  private int unanswered; // pending messages the producer has not called back for yet
  private boolean retryWanted; // a message came back with a retriable error
  private boolean stopped; // close() or abandon(): callbacks count nothing any more
  private long inDoubtCountedTo; // spool position up to which expiries were counted in doubt
  private boolean mayHaveArrived; // since the last rewind: a message expired in flight
  private final TreeMap<Long, Pending> answered = new TreeMap<>(); // sender: skip after a rewind
  private volatile boolean stopNow; // close() timed out or abandon(): the sender stops at once

  /** States of a {@link Pending} message. */
  private enum State {
    SENT, // given to the producer, no verdict yet
    ACKED, // acknowledged: delivered once the messages before it are
    REFUSED, // refused for good: failed once the messages before it are settled
    RETRY // given back with a retriable error: read from the spool and sent again
  }

  /**
   * A message read from the spool: rows {@code [start, end)} as spool positions, with the verdict
   * the producer gave. The head of {@link #pending} commits once it is settled (ACKED or REFUSED),
   * so the spool's commit never passes a message still in flight.
   */
  private static final class Pending {
    final long start;
    final long end;
    final int records;
    final long size;
    final Volume flows;
    State state = State.SENT;
    String error;

    Pending(long start, long end, KafkaMessage m) {
      this.start = start;
      this.end = end;
      this.records = m.records();
      this.size = m.size();
      this.flows = m.flows();
    }
  }

  private KafkaFlowSink(
      KafkaSinkOptions options,
      Function<Properties, Producer<byte[], byte[]>> producers,
      SinkOutcomes outcomes,
      SinkSpool spool) {
    this.options = options;
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
    this.outcomes = outcomes;
    this.spool = spool;
    this.spoolAllocator = spool == null ? null : new RootAllocator(32L << 20);
    this.inFlightLimit = Math.max(1L << 20, this.options.bufferMemory() / 2);
    this.sender =
        new Thread(
            spool == null ? this::sendLoop : this::spoolLoop,
            "flowgate-kafka-" + this.options.topic());
    this.sender.setDaemon(true);
  }

  /**
   * Starts a sink for {@code options} (validated and copied): its sender thread builds the producer
   * and connects in the background. With a spool directory, the spool is opened (resumed) first.
   *
   * @throws IllegalArgumentException if the options lack servers or topic
   * @throws UncheckedIOException if the spool cannot be opened (or another sink has it open)
   */
  public static KafkaFlowSink start(KafkaSinkOptions options) {
    return start(options, KafkaProducer::new);
  }

  /** {@link #start(KafkaSinkOptions)} with another producer factory (benchmarks). */
  static KafkaFlowSink start(
      KafkaSinkOptions options, Function<Properties, Producer<byte[], byte[]>> producers) {
    KafkaSinkOptions copy = new KafkaSinkOptions(options).validate();
    SinkOutcomes outcomes = new SinkOutcomes(sinkName(copy));
    SinkSpool spool = null;
    if (copy.spoolDirectory() != null) {
      try {
        spool = SinkSpool.open(copy.spoolDirectory(), copy.spoolLimit(), outcomes);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot open the spool of " + sinkName(copy) + " in " + copy.spoolDirectory(), e);
      }
    }
    KafkaFlowSink sink = new KafkaFlowSink(copy, producers, outcomes, spool);
    sink.sender.start();
    return sink;
  }

  /** The sink name of a Kafka sink: {@code kafka:TOPIC@HOST:PORT} (the first bootstrap server). */
  public static String sinkName(KafkaSinkOptions options) {
    return "kafka:" + options.topic() + "@" + options.bootstrapServers().get(0);
  }

  /**
   * Encodes every row of {@code finished} and queues the messages for the sender; what does not
   * fit the queue is dropped and counted. With a spool, appends the rows to it instead (encoded at
   * send time). Never waits for the network.
   *
   * @throws IllegalStateException if the sink is closed (the batch is counted handed and dropped)
   */
  @Override
  public void write(VectorSchemaRoot finished) {
    write(finished, null);
  }

  /** With a spool, its frames record {@code at} ({@link SinkSpool#heldRows}). */
  @Override
  public synchronized void write(VectorSchemaRoot finished, JournalPosition at) {
    if (finished.getRowCount() == 0) {
      return;
    }
    if (closing) {
      Volume all = total(finished);
      outcomes.handed(all);
      outcomes.dropped(all, "sink closed");
      throw new IllegalStateException("kafka sink " + name + " is closed");
    }
    if (spool != null) {
      outcomes.handed(total(finished));
      spool.append(finished, at); // what it cannot keep it counts dropped
      return;
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
        spool == null ? queue.bytes() : pendingBytes(),
        lastError);
  }

  /**
   * Stops taking batches, waits up to {@link #CLOSE_WAIT} for what is queued to be acknowledged,
   * then closes the producer; what is still held is counted dropped (with a spool: stays in the
   * spool, queued, for the next start).
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
    }
    if (spool != null) {
      closeSpooled(false, null);
      return;
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

  /**
   * Stops at once and, with a spool, drops what it still holds (counted, for {@code reason}) and
   * deletes the spool; without one, the same as {@link #close()}.
   */
  @Override
  public void abandon(String reason) {
    if (spool == null) {
      close();
      return;
    }
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
    }
    closeSpooled(true, reason);
  }

  /**
   * With a spool: the sender gets {@link #CLOSE_WAIT} to deliver what the spool holds (none when
   * {@code abandon}), then stops; the producer is closed, its callbacks from then on count nothing.
   * What is left stays in the spool (queued) or, when {@code abandon}, is dropped for {@code
   * reason} and the spool deleted.
   */
  private void closeSpooled(boolean abandon, String reason) {
    try {
      if (!abandon) {
        sender.join(CLOSE_WAIT.toMillis());
      }
      // no interrupt: it would close the spool's files under a read (FileChannel); the sender
      // sees stopNow within 100 ms, or 1 s when the producer waits for metadata
      stopNow = true;
      sender.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (ledger) {
      stopped = true;
    }
    closed = true;
    Producer<byte[], byte[]> p = producer;
    if (p != null) {
      p.close(Duration.ZERO);
    }
    if (abandon) {
      spool.rewind(); // what was in flight, unacknowledged, is given up too
      spool.discard(reason);
    } else {
      spool.close();
    }
    spoolAllocator.close();
  }

  /** What the spool holds of the sweep; without a spool {@link #HELD_UNKNOWN}. */
  @Override
  public long heldRows(long sequence) {
    return spool == null ? HELD_UNKNOWN : spool.heldRows(sequence);
  }

  /** The spool's state, or null without a spool. */
  public SinkSpool.Stats spoolStats() {
    return spool == null ? null : spool.stats();
  }

  private long pendingBytes() {
    synchronized (ledger) {
      return pendingBytes;
    }
  }

  /**
   * The sender with a spool: reads the spool's frames in order, encodes each at send time, gives
   * the messages to the producer with their spool positions ({@link Pending}) and keeps at most
   * {@link #inFlightLimit} bytes unacknowledged. The callbacks ({@link #spoolCompleted}) count and
   * commit in order. After a retriable error: wait until every message in flight has its verdict,
   * rewind ({@link #rewindAfterRetry}), pause with the back-off, read again.
   */
  private void spoolLoop() {
    Backoff backoff =
        new Backoff(Duration.ofNanos(MIN_BACKOFF_NANOS), Duration.ofNanos(MAX_BACKOFF_NANOS));
    long deliveredSeen = 0;
    try (FlowRecordWriter rows = new FlowRecordWriter(spoolAllocator, SinkSpool.MAX_FRAME_ROWS)) {
      while (!stopNow) {
        if (producer == null && !createProducer()) {
          pause(backoff.nextPauseNanos());
          continue;
        }
        boolean retry;
        boolean idle;
        synchronized (ledger) {
          while (!stopNow
              && (retryWanted ? unanswered > 0 : pendingBytes >= inFlightLimit)) {
            ledger.wait(100);
          }
          retry = retryWanted && unanswered == 0;
          idle = pending.isEmpty();
        }
        if (stopNow) {
          return;
        }
        if (retry) {
          rewindAfterRetry();
          pause(backoff.nextPauseNanos());
          continue;
        }
        long d = messagesDelivered.get();
        if (d != deliveredSeen) {
          deliveredSeen = d;
          backoff.reset();
        }
        if (closing && idle && spool.isDrained()) {
          return;
        }
        SinkSpool.Frame frame = spool.read(rows, 100_000_000L);
        if (frame != null) {
          sendFrame(frame, rows.root());
        }
      }
    } catch (InterruptedException e) {
      // close(): what is left stays in the spool
    } catch (org.apache.kafka.common.errors.InterruptException e) {
      // the same, raised inside the producer
    } catch (RuntimeException e) {
      LOG.error("kafka sink " + name + ": the sender stopped", e);
    }
  }

  /** Waits {@code nanos}, or less when the sink stops. */
  private void pause(long nanos) throws InterruptedException {
    long end = System.nanoTime() + nanos;
    long left;
    while (!stopNow && (left = end - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, Math.min(20, left / 1_000_000)));
    }
  }

  /**
   * Sends rows {@code [firstRow, rows)} of {@code frame}: the runs the broker already answered
   * before a rewind ({@link #answered}) go back in line with their verdict, not sent again; the
   * runs between are encoded and produced.
   */
  private void sendFrame(SinkSpool.Frame frame, VectorSchemaRoot root) {
    answered.headMap(frame.position(frame.firstRow()), false).clear(); // before the rewind point
    int row = frame.firstRow();
    long now = System.currentTimeMillis() * 1_000_000L;
    while (row < frame.rows()) {
      long at = frame.position(row);
      Pending done = answered.remove(at);
      if (done != null) {
        synchronized (ledger) {
          pending.addLast(done);
          settleLocked();
        }
        row = rowOf(frame, done.end);
        continue;
      }
      Long next = answered.ceilingKey(at);
      int to = next == null || next >= frame.end() ? frame.rows() : rowOf(frame, next);
      for (KafkaMessage m : encoder.encode(root, row, to, now)) {
        Pending p = new Pending(frame.position(row), frame.position(row + m.records()), m);
        row += m.records();
        synchronized (ledger) {
          pending.addLast(p);
          pendingBytes += p.size;
          unanswered++;
        }
        produce(p, m);
      }
    }
  }

  private static int rowOf(SinkSpool.Frame frame, long position) {
    return (int) ((position - frame.position(0)) / SinkSpool.ROW_BYTES);
  }

  private void produce(Pending p, KafkaMessage m) {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(options.topic(), null, null, m.key(), m.value(), headers);
    Producer<byte[], byte[]> current = producer;
    if (current == null) {
      spoolCompleted(p, new org.apache.kafka.common.errors.NetworkException("no producer"));
      return;
    }
    try {
      current.send(record, (meta, error) -> spoolCompleted(p, error));
    } catch (org.apache.kafka.common.errors.InterruptException e) {
      throw e;
    } catch (RuntimeException e) {
      // not an ApiException (those come through the callback): start a new producer
      spoolCompleted(p, new org.apache.kafka.common.errors.NetworkException(e.toString(), e));
      producer = null;
      current.close(Duration.ZERO); // its messages in flight come back retriable
    }
  }

  /** The producer's verdict on {@code p}, on its I/O thread (or the sender's). */
  private void spoolCompleted(Pending p, Exception error) {
    synchronized (ledger) {
      if (stopped || p.state != State.SENT) {
        return; // closing: the rows stay in the spool
      }
      unanswered--;
      pendingBytes -= p.size;
      if (error == null) {
        p.state = State.ACKED;
        messagesDelivered.incrementAndGet();
        recordsDelivered.addAndGet(p.records);
        problems.clear("send");
      } else {
        lastError = error.toString();
        sendErrors.incrementAndGet();
        if (error instanceof RetriableException
            || !(error instanceof org.apache.kafka.common.errors.ApiException)) {
          // retriable, or the producer closed under it (a new one is built): send again
          p.state = State.RETRY;
          retryWanted = true;
          retriedMessages.incrementAndGet();
          outcomes.sendError(error.toString()); // still queued: read again from the spool
          mayHaveArrived |= expiredInFlight(error);
          if (expiredInFlight(error) && p.end > inDoubtCountedTo) {
            inDoubtRecords.addAndGet(p.records); // may have been written: re-sent all the same
            outcomes.inDoubt(p.flows);
            inDoubtCountedTo = p.end;
          }
          problems.report(
              "send",
              "kafka sink "
                  + name
                  + ": not delivered yet, sending again from the spool: "
                  + error);
        } else {
          p.state = State.REFUSED;
          p.error = error.toString();
        }
      }
      settleLocked();
      ledger.notifyAll();
    }
  }

  /** True if {@code error} is an expiry of a message the broker may have written. */
  private static boolean expiredInFlight(Exception error) {
    return error instanceof org.apache.kafka.common.errors.TimeoutException
        && !(error instanceof BufferExhaustedException)
        && (error.getMessage() == null || !error.getMessage().contains("metadata"));
  }

  /**
   * Takes the settled messages off the head of {@link #pending}, counts each delivered (or failed),
   * and commits the spool after the last one.
   */
  private void settleLocked() {
    long commit = -1;
    while (!pending.isEmpty()
        && (pending.peekFirst().state == State.ACKED
            || pending.peekFirst().state == State.REFUSED)) {
      Pending p = pending.pollFirst();
      if (p.state == State.ACKED) {
        outcomes.delivered(p.flows);
      } else {
        outcomes.failed(p.flows, "the broker refused " + p.records + " flow records: " + p.error);
      }
      commit = p.end;
    }
    if (commit >= 0) {
      spool.commit(commit);
    }
  }

  /**
   * After a retriable error, every message in flight answered: the spool goes back to its last
   * commit; the messages the broker answered after the first one given back are kept ({@link
   * #answered}) so the rows are not sent twice; what the spool's limit deleted meanwhile is counted
   * by its verdict (dropped when it has to be sent again). When no message in flight can have
   * reached the broker, the spool forgets that the rows were sent (no in-doubt after a kill).
   */
  private void rewindAfterRetry() {
    long restart;
    synchronized (ledger) {
      // nothing in flight reached the broker (no metadata, no buffer room) and nothing past the
      // commit was answered: a restart need not count the rows read since the commit in doubt
      boolean refused =
          !mayHaveArrived && pending.stream().allMatch(p -> p.state == State.RETRY);
      restart = spool.rewind(refused);
      mayHaveArrived = false;
      answered.clear();
      for (Pending p : pending) {
        if (p.start < restart) {
          // its rows are gone from disk (the spool's limit): settle it as it stands
          switch (p.state) {
            case ACKED -> outcomes.delivered(p.flows);
            case REFUSED ->
                outcomes.failed(
                    p.flows, "the broker refused " + p.records + " flow records: " + p.error);
            default ->
                outcomes.dropped(
                    p.flows, "the spool limit deleted it before the broker acknowledged it");
          }
        } else if (p.state != State.RETRY) {
          answered.put(p.start, p);
        }
      }
      pending.clear();
      pendingBytes = 0;
      retryWanted = false;
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
    return new FlowColumns(batch).volume();
  }
}
