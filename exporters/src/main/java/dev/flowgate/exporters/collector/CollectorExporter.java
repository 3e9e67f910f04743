package dev.flowgate.exporters.collector;

import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.FlowSink;
import dev.flowgate.exporters.IfNameSource;
import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.Volume;
import dev.flowgate.exporters.encode.EncodeCursor;
import dev.flowgate.exporters.encode.ExportTotals;
import dev.flowgate.exporters.encode.FlowMessageEncoder;
import dev.flowgate.exporters.ipfix.IpfixEncoder;
import dev.flowgate.exporters.log.RateLimitedLog;
import dev.flowgate.exporters.netflow.NetflowV5Encoder;
import dev.flowgate.exporters.netflow.NetflowV9Encoder;
import dev.flowgate.exporters.netflow.SysUptime;
import dev.flowgate.exporters.outcome.SinkOutcomes;
import dev.flowgate.exporters.transport.Backoff;
import dev.flowgate.exporters.transport.ExportTransport;
import dev.flowgate.exporters.transport.TcpTransport;
import dev.flowgate.exporters.transport.UdpTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Exports finished flows to one collector in the configured protocol and transport.
 *
 * <p>{@link #write} encodes a batch into messages on the caller's thread (the batch is refilled
 * after it returns) and queues them; a sender thread of this exporter stamps each message with its
 * export time and sequence number and sends it, preceded by the templates when they are due ({@link
 * TemplateRefresher}). Sequence numbers count what really left: IPFIX and v5 the data records, v9
 * the export packets.
 *
 * <p>When the collector is down or unreachable the exporter keeps running: a data message whose
 * send returns an error is counted failed once and not retried, a TCP connection that cannot be
 * made is retried with a {@link Backoff} while the queue keeps only the newest messages (oldest
 * dropped and counted), and when sends succeed again the templates go first.
 *
 * <p><b>Outcomes</b> ({@link #report()}, in flow packets and bytes): a message is delivered once
 * the transport says so ({@link ExportTransport#unacknowledged()}: UDP when the kernel accepted the
 * datagram, TCP when the peer acknowledged its last byte); failed when its send returned an error,
 * or when it was sent on a TCP connection that broke before the peer acknowledged it (not re-sent:
 * the collector may hold part of it); dropped when the queue overflowed, at close, or (v5) for an
 * IPv6 flow. The UDP socket is connected, so a collector that is not listening shows as ICMP port
 * unreachable errors on later sends.
 */
public final class CollectorExporter implements FlowSink {

  private final CollectorOptions options;
  private final FlowMessageEncoder encoder;
  private final ExportTransport transport;
  private final IfNameSource interfaceNames;
  private final Clock clock;
  private final MessageQueue queue;
  private final TemplateRefresher refresher;
  private final Thread sender;
  private final EncodeCursor writeCursor = new EncodeCursor();
  private final SinkOutcomes outcomes;
  /** A collector that refuses connections: no loss yet (the message waits), but said at once. */
  private final RateLimitedLog unreachable =
      new RateLimitedLog(LoggerFactory.getLogger(CollectorExporter.class), Level.WARN);

  /** How often the sender asks TCP what the peer acknowledged while nothing else happens: 20 ms. */
  static final long SETTLE_POLL_NANOS = 20_000_000L;

  /** A data message sent in the current session, waiting for its last byte to be delivered. */
  private record Sent(long end, Volume flows) {}

  private final ArrayDeque<Sent> unsettled = new ArrayDeque<>(); // sender thread only
  private long sessionBytes; // sender thread only: bytes sent in the current session

  private final AtomicLong messagesSent = new AtomicLong();
  private final AtomicLong recordsSent = new AtomicLong();
  private final AtomicLong octetsSent = new AtomicLong();
  private final AtomicLong templateMessagesSent = new AtomicLong();
  private final AtomicLong sendErrors = new AtomicLong();
  private final AtomicLong sessionsOpened = new AtomicLong();
  private final AtomicLong ipv6NotExportable = new AtomicLong();
  private final AtomicLong splitRecords = new AtomicLong();
  private final AtomicLong truncatedInterfaces = new AtomicLong();
  private volatile String lastError;
  private boolean closed; // guarded by this

  private long sequence; // sender thread only

  private CollectorExporter(
      CollectorOptions options,
      FlowMessageEncoder encoder,
      ExportTransport transport,
      IfNameSource interfaceNames,
      Clock clock) {
    this.options = options;
    this.encoder = encoder;
    this.transport = transport;
    this.interfaceNames = interfaceNames;
    this.clock = clock;
    this.outcomes = new SinkOutcomes(sinkName(options));
    this.queue = new MessageQueue(options.queueCapacity(), outcomes);
    this.refresher =
        new TemplateRefresher(
            options.transport() == TransportProtocol.UDP,
            options.templateRefresh().toMillis(),
            options.templateRefreshPackets());
    this.sender = new Thread(this::sendLoop, "flowgate-export-" + options.collector());
    this.sender.setDaemon(true);
  }

  /** The sink name of a collector: {@code udp:HOST:PORT} or {@code tcp:HOST:PORT}. */
  public static String sinkName(CollectorOptions options) {
    return options.transport().label() + ":" + options.collector();
  }

  /** Starts exporting to the collector of {@code options} with the system clock. */
  public static CollectorExporter start(CollectorOptions options, IfNameSource interfaceNames) {
    return start(options, interfaceNames, Clock.systemUTC());
  }

  /**
   * Starts exporting to the collector of {@code options}. {@code clock} gives export times; the
   * NetFlow sysUptime counts from this host's boot ({@link SysUptime}).
   *
   * @throws IllegalArgumentException if the options are inconsistent
   */
  public static CollectorExporter start(
      CollectorOptions options, IfNameSource interfaceNames, Clock clock) {
    CollectorOptions copy = new CollectorOptions(options).validate();
    long uptimeEpoch = SysUptime.bootEpochMillis(clock);
    FlowMessageEncoder encoder =
        switch (copy.protocol()) {
          case IPFIX -> new IpfixEncoder(copy.observationDomainId(), copy.maxMessageSize());
          case NETFLOW_V9 ->
              new NetflowV9Encoder(copy.observationDomainId(), copy.maxMessageSize(), uptimeEpoch);
          case NETFLOW_V5 ->
              new NetflowV5Encoder(
                  (int) copy.observationDomainId(), copy.maxMessageSize(), uptimeEpoch);
        };
    ExportTransport transport =
        copy.transport() == TransportProtocol.TCP
            ? new TcpTransport(copy.host(), copy.port(), TcpTransport.DEFAULT_CONNECT_TIMEOUT)
            : new UdpTransport(copy.host(), copy.port());
    CollectorExporter exporter =
        new CollectorExporter(copy, encoder, transport, interfaceNames, clock);
    exporter.sender.start();
    return exporter;
  }

  /**
   * Encodes every row of {@code finished} into messages and queues them for the sender.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  @Override
  public synchronized void write(VectorSchemaRoot finished) {
    FlowColumns flows = new FlowColumns(finished);
    Volume handed = total(flows);
    outcomes.handed(handed);
    if (closed) {
      outcomes.dropped(handed, "exporter closed");
      throw new IllegalStateException("exporter to " + options.collector() + " is closed");
    }
    EncodeCursor cursor = writeCursor.reset();
    int max = encoder.maxMessageSize();
    while (cursor.row < flows.rowCount()) {
      ByteBuf buf = Unpooled.buffer(max, max);
      if (!encoder.encodeData(flows, cursor, buf)) {
        buf.release();
        break;
      }
      queue.offer(
          new MessageQueue.Message(buf, cursor.records, new Volume(cursor.packets, cursor.bytes)));
    }
    if (cursor.skippedIpv6 > 0) {
      outcomes.dropped(
          new Volume(cursor.skippedIpv6Packets, cursor.skippedIpv6Bytes),
          cursor.skippedIpv6 + " IPv6 flows: NetFlow v5 has no IPv6 record");
    }
    ipv6NotExportable.addAndGet(cursor.skippedIpv6);
    splitRecords.addAndGet(cursor.extraSplitRecords);
    truncatedInterfaces.addAndGet(cursor.truncatedInterfaces);
  }

  /**
   * Waits until every message handed so far met its outcome (delivered, dropped or failed: nothing
   * queued, nothing unacknowledged). Returns false if {@code timeout} passed first.
   */
  public boolean awaitDelivered(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    if (!queue.awaitIdle(timeout.toNanos())) {
      return false;
    }
    while (!outcomes.report().queued().isZero()) {
      if (System.nanoTime() - end >= 0) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  @Override
  public SinkReport report() {
    return outcomes.report();
  }

  /** Logs the summary of recent losses if one is due (the sender runs on its own thread). */
  @Override
  public void tick(long nowMs) {
    outcomes.tick();
  }

  @Override
  public String toString() {
    return "CollectorExporter[" + outcomes.sink() + "]";
  }

  /** The counters now. */
  public ExporterStats stats() {
    return new ExporterStats(
        options.collector(),
        options.protocol().label(),
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
        ipv6NotExportable.get(),
        splitRecords.get(),
        truncatedInterfaces.get(),
        lastError);
  }

  /** A copy of the options this exporter runs with. */
  public CollectorOptions options() {
    return new CollectorOptions(options);
  }

  /**
   * Stops taking flows, gives the sender up to the close timeout to deliver what is queued (what is
   * left is dropped and counted), then closes the socket.
   */
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
    boolean fresh = false; // the message was just taken: templates may be due before it
    int failures = 0; // consecutive failed attempts to open a session
    try {
      while (true) {
        if (message == null) {
          if (unsettled.isEmpty()) {
            message = queue.take();
            if (message == null) {
              return; // closed and empty, nothing waits for an acknowledgment
            }
          } else {
            message = queue.poll(SETTLE_POLL_NANOS);
            if (message == null) {
              settle();
              continue;
            }
          }
          fresh = true;
        }
        boolean attempted = false; // the session is open: the message meets its outcome now
        try {
          boolean newSession = transport.open();
          if (newSession) {
            sessionsOpened.incrementAndGet();
            refresher.invalidate();
            sessionBytes = 0;
          }
          attempted = true;
          long now = clock.millis();
          // Templates go before a message just taken, or at once on a new session. If they cannot
          // be sent, the message fails with them (a collector cannot decode it without them).
          if (encoder.hasTemplates() && (newSession || fresh) && refresher.due(now)) {
            sendTemplates(now);
          }
          fresh = false;
          send(message.buf(), now, message.records(), true);
          unsettled.addLast(new Sent(sessionBytes, message.flows()));
          refresher.dataSent();
          message.buf().release();
          message = null;
          queue.done();
          backoff.reset();
          failures = 0;
          settle();
        } catch (ClosedByInterruptException e) {
          throw new InterruptedException("sender interrupted during close");
        } catch (IOException e) {
          sendErrors.incrementAndGet();
          lastError = e.toString();
          refresher.invalidate(); // the collector may come back without our templates
          fresh = false;
          brokenSession(e);
          if (attempted) {
            // not retried: over UDP the error may belong to an earlier datagram (ICMP port
            // unreachable), and a retry would count a message twice or send it twice
            outcomes.failed(message.flows(), "send: " + e);
            message.buf().release();
            message = null;
            queue.done();
          } else if (queue.isClosed()) {
            queue.drop(message, "exporter closed while the collector was unreachable: " + e);
            message = null;
            queue.done();
          } else {
            unreachable.report(
                "connect",
                "sink " + outcomes.sink() + ": cannot reach the collector (" + e + "); retrying");
            if (++failures > 1) {
              // no session (a TCP connect failed) again: really down, pace the reconnects
              queue.pause(backoff.nextPauseNanos());
            }
          }
        }
      }
    } catch (InterruptedException e) {
      if (message != null) {
        queue.drop(message, "exporter closed while sending it");
        queue.done();
      }
      for (Sent s : unsettled) {
        outcomes.dropped(s.flows(), "exporter closed before the collector acknowledged it");
      }
      unsettled.clear();
    }
  }

  /** Counts delivered every sent message whose last byte the transport calls delivered now. */
  private void settle() {
    if (unsettled.isEmpty()) {
      return;
    }
    long pending;
    try {
      pending = transport.unacknowledged();
    } catch (IOException e) {
      sendErrors.incrementAndGet();
      lastError = e.toString();
      refresher.invalidate();
      brokenSession(e);
      return;
    }
    long delivered = sessionBytes - pending;
    while (!unsettled.isEmpty() && unsettled.peekFirst().end() <= delivered) {
      outcomes.delivered(unsettled.pollFirst().flows());
    }
  }

  /**
   * After an error: if the transport's session ended (a TCP connection), what was sent on it and
   * not yet delivered failed; it is not re-sent.
   */
  private void brokenSession(IOException e) {
    if (transport.isOpen()) {
      return;
    }
    for (Sent s : unsettled) {
      outcomes.failed(s.flows(), "connection broke before the collector acknowledged it: " + e);
    }
    unsettled.clear();
  }

  private static Volume total(FlowColumns flows) {
    long packets = 0;
    long bytes = 0;
    for (int row = 0; row < flows.rowCount(); row++) {
      packets += flows.packets(row);
      bytes += flows.bytes(row);
    }
    return new Volume(packets, bytes);
  }

  /** The template message, then the options data messages (statistics, interface names). */
  private void sendTemplates(long now) throws IOException {
    int max = encoder.maxMessageSize();
    ByteBuf buf = Unpooled.buffer(max, max);
    try {
      encoder.encodeTemplates(buf);
      send(buf, now, 0, false);
      templateMessagesSent.incrementAndGet();
      ExportTotals totals =
          new ExportTotals(
              messagesSent.get(), recordsSent.get(), octetsSent.get(), queue.droppedRecords());
      SortedMap<Long, String> names = interfaceNames.current();
      EncodeCursor cursor = new EncodeCursor();
      buf.clear();
      while (encoder.encodeOptionsData(totals, names, cursor, buf)) {
        send(buf, now, options.optionsRecordsInSequence() ? cursor.records : 0, false);
        buf.clear();
      }
    } finally {
      buf.release();
    }
    refresher.sent(now);
  }

  /**
   * Stamps and sends one message of {@code dataRecords} data records (flow records if {@code
   * flows}, else options records); on success advances the sequence and the counters.
   */
  private void send(ByteBuf buf, long now, int dataRecords, boolean flows) throws IOException {
    encoder.stamp(buf, now, sequence);
    transport.send(buf);
    sessionBytes += buf.readableBytes();
    sequence += encoder.sequenceStep(dataRecords);
    messagesSent.incrementAndGet();
    octetsSent.addAndGet(buf.readableBytes());
    if (flows) {
      recordsSent.addAndGet(dataRecords);
    }
  }
}
