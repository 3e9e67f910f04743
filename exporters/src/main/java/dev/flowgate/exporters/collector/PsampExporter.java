package dev.flowgate.exporters.collector;

import dev.flowgate.exporters.Volume;
import dev.flowgate.exporters.outcome.SinkOutcomes;
import dev.flowgate.exporters.psamp.PsampEncoder;
import dev.flowgate.exporters.sample.SampleBatch;
import dev.flowgate.exporters.transport.Backoff;
import dev.flowgate.exporters.transport.ExportTransport;
import dev.flowgate.exporters.transport.TcpTransport;
import dev.flowgate.exporters.transport.UdpTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.time.Clock;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Exports packet samples to one collector as PSAMP over IPFIX ({@link PsampEncoder}), under the
 * observation domain of its options (the samples' own, apart from the flows'), on a socket of its
 * own. {@link #write} encodes on the caller's thread and queues; a sender thread stamps and sends,
 * preceded by the templates and one selector options record per interface when they are due. As for
 * flows: a full queue drops its oldest messages (counted), failed sends are counted and retried
 * with a {@link Backoff}, and sequence numbers count the sample records sent (and the options
 * records when {@link CollectorOptions#optionsRecordsInSequence()}).
 */
public final class PsampExporter implements AutoCloseable {

  /** The protocol label of these exporters' statistics. */
  public static final String PROTOCOL = "psamp";

  private final CollectorOptions options;
  private final PsampEncoder encoder;
  private final ExportTransport transport;
  private final Supplier<SortedMap<Long, Integer>> selectors;
  private final Clock clock;
  private final MessageQueue queue;
  private final TemplateRefresher refresher;
  private final Thread sender;

  private final AtomicLong messagesSent = new AtomicLong();
  private final AtomicLong recordsSent = new AtomicLong();
  private final AtomicLong octetsSent = new AtomicLong();
  private final AtomicLong templateMessagesSent = new AtomicLong();
  private final AtomicLong sendErrors = new AtomicLong();
  private final AtomicLong sessionsOpened = new AtomicLong();
  private volatile String lastError;
  private boolean closed; // guarded by this
  private long sequence; // sender thread only

  private PsampExporter(
      CollectorOptions options,
      ExportTransport transport,
      Supplier<SortedMap<Long, Integer>> selectors,
      Clock clock) {
    this.options = options;
    this.encoder = new PsampEncoder(options.observationDomainId(), options.maxMessageSize());
    this.transport = transport;
    this.selectors = selectors;
    this.clock = clock;
    // samples are not flows: their messages carry no flow volume, the ledger stays empty
    this.queue = new MessageQueue(options.queueCapacity(), new SinkOutcomes("psamp"));
    this.refresher =
        new TemplateRefresher(
            options.transport() == TransportProtocol.UDP,
            options.templateRefresh().toMillis(),
            options.templateRefreshPackets());
    this.sender = new Thread(this::sendLoop, "flowgate-psamp-" + options.collector());
    this.sender.setDaemon(true);
  }

  /**
   * Starts exporting samples to the collector of {@code options}, under its observation domain id.
   *
   * @param selectors ifindex to its 1-in-N rate, for the selector options records
   * @throws IllegalArgumentException if the options are inconsistent or not IPFIX
   */
  public static PsampExporter start(
      CollectorOptions options, Supplier<SortedMap<Long, Integer>> selectors, Clock clock) {
    CollectorOptions copy = new CollectorOptions(options).validate();
    if (copy.protocol() != ExportProtocol.IPFIX) {
      throw new IllegalArgumentException("PSAMP goes over IPFIX, not " + copy.protocol());
    }
    ExportTransport transport =
        copy.transport() == TransportProtocol.TCP
            ? new TcpTransport(copy.host(), copy.port(), TcpTransport.DEFAULT_CONNECT_TIMEOUT)
            : new UdpTransport(copy.host(), copy.port());
    PsampExporter e = new PsampExporter(copy, transport, selectors, clock);
    e.sender.start();
    return e;
  }

  /**
   * Encodes every sample of {@code samples} into messages and queues them for the sender.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  public synchronized void write(SampleBatch samples) {
    if (closed) {
      throw new IllegalStateException("PSAMP exporter to " + options.collector() + " is closed");
    }
    int max = encoder.maxMessageSize();
    for (int i = 0; i < samples.size(); ) {
      ByteBuf buf = Unpooled.buffer(max, max);
      int next = encoder.encodeSamples(samples, i, buf);
      queue.offer(new MessageQueue.Message(buf, next - i, Volume.ZERO));
      i = next;
    }
  }

  /** Waits until every queued message was sent or dropped; false if the timeout passed first. */
  public boolean awaitDelivered(java.time.Duration timeout) throws InterruptedException {
    return queue.awaitIdle(timeout.toNanos());
  }

  /** The counters now; records are sample records. */
  public ExporterStats stats() {
    return new ExporterStats(
        options.collector(),
        PROTOCOL,
        messagesSent.get(),
        recordsSent.get(),
        octetsSent.get(),
        templateMessagesSent.get(),
        sendErrors.get(),
        sessionsOpened.get(),
        queue.droppedMessages(),
        queue.droppedRecords(),
        queue.size(),
        queue.capacity(),
        0,
        0,
        0,
        lastError);
  }

  /** Stops taking samples, gives the sender the close timeout to deliver, closes the socket. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    queue.close();
    try {
      sender.join(Math.max(1, options.closeTimeout().toMillis()));
      if (sender.isAlive()) {
        sender.interrupt();
        sender.join();
      }
    } catch (InterruptedException e) {
      sender.interrupt();
      Thread.currentThread().interrupt();
    } finally {
      queue.dropAll();
      transport.close();
    }
  }

  private void sendLoop() {
    Backoff backoff = new Backoff();
    MessageQueue.Message message = null;
    boolean fresh = false;
    int failures = 0;
    try {
      while (true) {
        if (message == null) {
          message = queue.take();
          if (message == null) {
            return;
          }
          fresh = true;
          failures = 0;
        }
        try {
          boolean newSession = transport.open();
          if (newSession) {
            sessionsOpened.incrementAndGet();
            refresher.invalidate();
          }
          long now = clock.millis();
          if ((newSession || fresh) && refresher.due(now)) {
            sendTemplates(now);
          }
          fresh = false;
          send(message.buf(), now, message.records(), true);
          refresher.dataSent();
          message.buf().release();
          message = null;
          queue.done();
          backoff.reset();
        } catch (IOException e) {
          sendErrors.incrementAndGet();
          lastError = e.toString();
          refresher.invalidate();
          fresh = false;
          if (queue.isClosed()) {
            queue.drop(message, "closing");
            message = null;
            queue.done();
          } else if (++failures > 1) {
            queue.pause(backoff.nextPauseNanos());
          }
        }
      }
    } catch (InterruptedException e) {
      if (message != null) {
        queue.drop(message, "interrupted");
        queue.done();
      }
    }
  }

  /** The template message, then the selector options records. */
  private void sendTemplates(long now) throws IOException {
    int max = encoder.maxMessageSize();
    ByteBuf buf = Unpooled.buffer(max, max);
    try {
      encoder.encodeTemplates(buf);
      send(buf, now, 0, false);
      templateMessagesSent.incrementAndGet();
      SortedMap<Long, Integer> rates = selectors.get();
      for (int i = 0; i < rates.size(); ) {
        buf.clear();
        int next = encoder.encodeSelectors(rates, i, buf);
        send(buf, now, options.optionsRecordsInSequence() ? next - i : 0, false);
        i = next;
      }
    } finally {
      buf.release();
    }
    refresher.sent(now);
  }

  private void send(ByteBuf buf, long now, int records, boolean samples) throws IOException {
    encoder.stamp(buf, now, sequence);
    transport.send(buf);
    sequence += records;
    messagesSent.incrementAndGet();
    octetsSent.addAndGet(buf.readableBytes());
    if (samples) {
      recordsSent.addAndGet(records);
    }
  }
}
