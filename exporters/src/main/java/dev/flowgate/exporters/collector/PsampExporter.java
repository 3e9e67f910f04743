package dev.flowgate.exporters.collector;

import static dev.flowgate.exporters.ipfix.IpfixConstants.MESSAGE_HEADER_LENGTH;
import static dev.flowgate.exporters.ipfix.IpfixConstants.TEMPLATE_SET_ID;

import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.Volume;
import dev.flowgate.exporters.outcome.SinkOutcomes;
import dev.flowgate.exporters.psamp.PsampEncoder;
import dev.flowgate.exporters.sample.SampleBatch;
import dev.flowgate.exporters.transport.Backoff;
import dev.flowgate.exporters.transport.ExportTransport;
import dev.flowgate.exporters.transport.MessageBatch;
import dev.flowgate.exporters.transport.SentMessages;
import dev.flowgate.exporters.transport.TcpTransport;
import dev.flowgate.exporters.transport.UdpTransport;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Exports packet samples to one collector as PSAMP over IPFIX ({@link PsampEncoder}), under the
 * observation domain of its options (the samples' own, apart from the flows'), on a socket of its
 * own. {@link #write} encodes the samples into messages up to the maximum message size and sends
 * them on the caller's thread, all in one crossing where the transport can ({@link UdpTransport}:
 * {@code sendmmsg}), preceded by the templates and one selector options record per interface when
 * they are due. The caller is a thread of its own fed by a bounded queue (the sample reader's
 * subscription): a collector slower than the samples makes that queue lose samples, counted there,
 * and never holds up anyone else.
 *
 * <p><b>Outcomes</b> ({@link #report()}, in samples): a message is delivered once the transport
 * says so (UDP: the kernel accepted the datagram; TCP: the peer acknowledged its last byte); failed
 * when the kernel refused it (UDP, e.g. after a collector's ICMP port unreachable; not sent again)
 * or the TCP connection broke before the peer acknowledged it; dropped when no session could be
 * opened (TCP connect refused: reconnects are paced by a {@link Backoff}, samples meanwhile are
 * dropped, not held) or at close. Sequence numbers count the sample records sent (and the options
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
  private final TemplateRefresher refresher;
  private final SinkOutcomes outcomes;
  private final ReentrantLock sending = new ReentrantLock();

  // guarded by sending
  private final MessageBatch batch;
  private final SentMessages unsettled = new SentMessages(); // samples sent, not yet delivered
  private final Backoff backoff = new Backoff();
  private long nextOpenNanos;
  private long sequence;
  private volatile boolean closed;
  private volatile Thread writing; // the thread in write(), for close to cut a stuck send off

  private final AtomicLong messagesSent = new AtomicLong();
  private final AtomicLong recordsSent = new AtomicLong();
  private final AtomicLong octetsSent = new AtomicLong();
  private final AtomicLong templateMessagesSent = new AtomicLong();
  private final AtomicLong sendErrors = new AtomicLong();
  private final AtomicLong sessionsOpened = new AtomicLong();
  private final AtomicLong messagesDropped = new AtomicLong();
  private final AtomicLong recordsDropped = new AtomicLong();
  private volatile String lastError;

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
    this.outcomes = SinkOutcomes.ofSamples(sinkName(options));
    this.batch = new MessageBatch(options.maxMessageSize());
    this.refresher =
        new TemplateRefresher(
            options.transport() == TransportProtocol.UDP,
            options.templateRefresh().toMillis(),
            options.templateRefreshPackets());
  }

  /** The sink name of a PSAMP exporter: {@code psamp:udp:HOST:PORT} or {@code psamp:tcp:...}. */
  public static String sinkName(CollectorOptions options) {
    return PROTOCOL + ":" + options.transport().label() + ":" + options.collector();
  }

  /**
   * An exporter of samples to the collector of {@code options}, under its observation domain id;
   * nothing is opened before the first {@link #write}.
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
    return new PsampExporter(copy, transport, selectors, clock);
  }

  /** Encodes and sends every sample of {@code samples}; see {@link #write(List)}. */
  public void write(SampleBatch samples) {
    write(List.of(samples));
  }

  /**
   * Encodes every sample of {@code batches} into messages and sends them now, on this thread; each
   * sample meets its outcome here (or, over TCP, once the peer acknowledges it).
   *
   * @throws IllegalStateException after {@link #close()} (the samples are counted handed and
   *     dropped)
   */
  public void write(List<SampleBatch> batches) {
    long handed = 0;
    for (SampleBatch b : batches) {
      handed += b.size();
    }
    outcomes.handed(samples(handed));
    sending.lock();
    writing = Thread.currentThread();
    try {
      if (closed) {
        outcomes.dropped(samples(handed), "exporter closed");
        throw new IllegalStateException("PSAMP exporter to " + options.collector() + " is closed");
      }
      long now = clock.millis();
      boolean open = openSession();
      batch.clear();
      for (SampleBatch b : batches) {
        for (int i = 0; i < b.size(); ) {
          if (open && refresher.due(now)) {
            appendTemplates(now);
          }
          int next = encoder.encodeSamples(b, i, batch.next());
          batch.add(next - i, next - i);
          refresher.dataSent();
          i = next;
        }
      }
      if (!open) {
        dropFrom(0, "collector unreachable: " + lastError);
        return;
      }
      sendBatch(now);
      settle();
    } finally {
      writing = null;
      sending.unlock();
    }
  }

  /**
   * Waits until every sample handed so far met its outcome (over TCP: acknowledged by the peer);
   * false if {@code timeout} passed first.
   */
  public boolean awaitDelivered(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      sending.lock();
      try {
        settle();
      } finally {
        sending.unlock();
      }
      if (outcomes.report().queued().isZero()) {
        return true;
      }
      if (System.nanoTime() - end >= 0) {
        return false;
      }
      Thread.sleep(5);
    }
  }

  /** What became of the samples this exporter was handed, in samples. */
  public SinkReport report() {
    return outcomes.report();
  }

  /** Logs the summary of recent losses if one is due. */
  public void tick() {
    outcomes.tick();
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
        messagesDropped.get(),
        recordsDropped.get(),
        0,
        0,
        0,
        0,
        0,
        lastError);
  }

  /**
   * Takes no more samples; waits up to the close timeout for a {@link #write} under way and, over
   * TCP, for the peer to acknowledge what was sent (what it did not is dropped, counted); then
   * closes the socket. A write still stuck after the timeout (a collector that stopped reading) is
   * cut off by interrupting its thread (the interrupted channel closes): its message fails.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    long timeout = Math.max(1, options.closeTimeout().toNanos());
    long end = System.nanoTime() + timeout;
    boolean locked = false;
    try {
      locked = sending.tryLock(timeout, TimeUnit.NANOSECONDS);
      if (!locked) {
        Thread stuck = writing;
        if (stuck != null) {
          stuck.interrupt(); // an interrupted NIO write closes its channel and throws: it fails
        }
        sending.lock();
        locked = true;
      }
      while (!unsettled.isEmpty() && System.nanoTime() - end < 0) {
        settle();
        if (!unsettled.isEmpty()) {
          Thread.sleep(5);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (!locked) {
        sending.lock();
      }
      try {
        unsettled.clear(
            n ->
                outcomes.dropped(
                    samples(n), "exporter closed before the collector acknowledged it"));
        transport.close();
        batch.close();
      } finally {
        sending.unlock();
      }
    }
  }

  @Override
  public String toString() {
    return "PsampExporter[" + outcomes.sink() + "]";
  }

  /**
   * Sends every message of the batch in order, in as few crossings as the transport allows; each
   * message of samples meets its outcome (a template or options message carries none).
   */
  private void sendBatch(long now) {
    int from = 0;
    while (from < batch.size()) {
      if (!transport.isOpen()) {
        // a broken TCP connection (or close): not reopened in the middle of a batch, whose
        // templates were encoded for the session it started with
        dropFrom(from, "connection lost: " + lastError);
        return;
      }
      long seq = sequence;
      for (int i = from; i < batch.size(); i++) {
        encoder.stamp(batch.message(i), now, seq);
        seq += batch.records(i);
      }
      int sent;
      try {
        sent = transport.send(batch, from, batch.size() - from);
      } catch (IOException e) {
        failed(from, e);
        from++;
        continue;
      }
      for (int i = from; i < from + sent; i++) {
        unsettled.sent(batch.length(i), batch.items(i));
        sequence += batch.records(i);
        messagesSent.incrementAndGet();
        octetsSent.addAndGet(batch.length(i));
        recordsSent.addAndGet(batch.items(i));
        if (batch.items(i) == 0 && isTemplateMessage(batch.message(i))) {
          templateMessagesSent.incrementAndGet();
        }
      }
      backoff.reset();
      from += sent;
      if (from < batch.size()) {
        // the transport refused the next one and a batched send does not return why
        // (sendmmsg(2)): not sent again, as for any send error; over UDP mostly the ICMP port
        // unreachable of an earlier datagram
        failed(
            from,
            new IOException(
                transport.isOpen()
                    ? "refused in the middle of a batch (the error is not returned; over UDP"
                        + " usually an earlier datagram's ICMP port unreachable)"
                    : "connection closed in the middle of a batch"));
        from++;
      }
    }
  }

  /** True if {@code message} opens with a template set (its first set id, after the header). */
  private static boolean isTemplateMessage(ByteBuf message) {
    return message.getUnsignedShort(MESSAGE_HEADER_LENGTH) == TEMPLATE_SET_ID;
  }

  /** A session is open (opened now if need be), or false: no connect before the backoff is over. */
  private boolean openSession() {
    if (!transport.isOpen() && System.nanoTime() - nextOpenNanos < 0) {
      return false;
    }
    try {
      if (transport.open()) {
        sessionsOpened.incrementAndGet();
        refresher.invalidate();
        unsettled.newSession();
      }
      return true;
    } catch (IOException e) {
      sendErrors.incrementAndGet();
      lastError = e.toString();
      nextOpenNanos = System.nanoTime() + backoff.nextPauseNanos();
      return false;
    }
  }

  /** Message {@code i} failed with {@code e}: counted, not sent again. */
  private void failed(int i, IOException e) {
    sendErrors.incrementAndGet();
    lastError = e.toString();
    refresher.invalidate(); // the collector may come back without our templates
    if (batch.items(i) > 0) {
      outcomes.failed(samples(batch.items(i)), "send: " + e);
    }
    if (!transport.isOpen()) {
      brokenSession(e);
    }
  }

  /** Messages {@code from} on are dropped for {@code reason}. */
  private void dropFrom(int from, String reason) {
    long n = 0;
    for (int i = from; i < batch.size(); i++) {
      if (batch.items(i) > 0) {
        n += batch.items(i);
        messagesDropped.incrementAndGet();
      }
    }
    recordsDropped.addAndGet(n);
    outcomes.dropped(samples(n), reason);
  }

  /**
   * Counts delivered every sent message whose last byte the transport calls delivered now; if the
   * transport cannot say (a TCP connection that broke), what waits failed.
   */
  private void settle() {
    if (unsettled.isEmpty()) {
      return;
    }
    try {
      unsettled.settle(transport.unacknowledged(), n -> outcomes.delivered(samples(n)));
    } catch (IOException e) {
      sendErrors.incrementAndGet();
      lastError = e.toString();
      refresher.invalidate();
      transport.close();
      brokenSession(e);
    }
  }

  /** What was sent on a session that broke and not yet delivered failed. */
  private void brokenSession(IOException e) {
    unsettled.clear(
        n ->
            outcomes.failed(
                samples(n), "connection broke before the collector acknowledged it: " + e));
  }

  /** Appends the template message, then the selector options records, to the batch. */
  private void appendTemplates(long now) {
    encoder.encodeTemplates(batch.next());
    batch.add(0, 0);
    SortedMap<Long, Integer> rates = selectors.get();
    for (int i = 0; i < rates.size(); ) {
      int next = encoder.encodeSelectors(rates, i, batch.next());
      batch.add(options.optionsRecordsInSequence() ? next - i : 0, 0);
      i = next;
    }
    refresher.sent(now);
  }

  /** {@code n} samples as a volume of the ledger: one per sampled packet, no bytes. */
  private static Volume samples(long n) {
    return new Volume(n, 0);
  }
}
