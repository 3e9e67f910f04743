package dev.flowgate.exporters.collector;

import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.FlowRecordWriter;
import dev.flowgate.exporters.FlowSink;
import dev.flowgate.exporters.IfNameSource;
import dev.flowgate.exporters.JournalPosition;
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
import dev.flowgate.exporters.spool.SinkSpool;
import dev.flowgate.exporters.transport.Backoff;
import dev.flowgate.exporters.transport.ExportTransport;
import dev.flowgate.exporters.transport.TcpTransport;
import dev.flowgate.exporters.transport.UdpTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
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

  /**
   * A data message sent in the current session, waiting for its last byte to be delivered; with a
   * spool, also the spool positions of its first row and of the row after its last.
   */
  private record Sent(long end, Volume flows, long spoolStart, long spoolEnd, long sequenceAfter) {
    Sent(long end, Volume flows) {
      this(end, flows, -1, -1, -1);
    }
  }

  /** With a spool: the longest wait for new rows while nothing is in flight: 100 ms. */
  static final long IDLE_POLL_NANOS = 100_000_000L;

  private final SinkSpool spool; // null: the in-memory queue only
  private final BufferAllocator spoolAllocator; // the frame the sender reads (spool only)
  private volatile boolean stopping; // close(): deliver what the spool holds, then stop
  private volatile boolean stopNow; // close() timed out: stop at once, the spool keeps the rest
  private long committedSequence; // sender thread: the sequence after the last delivered message
  private long encodedCountedTo = -1; // sender thread: spool position up to which v5 skips count
  private final EncodeCursor counted = new EncodeCursor(); // sender thread: cursor values counted

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
      Clock clock,
      SinkSpool spool,
      SinkOutcomes spoolOutcomes) {
    this.spool = spool;
    this.spoolAllocator = spool == null ? null : new RootAllocator(32L << 20);
    this.options = options;
    this.encoder = encoder;
    this.transport = transport;
    this.interfaceNames = interfaceNames;
    this.clock = clock;
    this.outcomes = spoolOutcomes;
    this.queue = new MessageQueue(options.queueCapacity(), outcomes);
    this.refresher =
        new TemplateRefresher(
            options.transport() == TransportProtocol.UDP,
            options.templateRefresh().toMillis(),
            options.templateRefreshPackets());
    this.sender =
        new Thread(
            spool == null ? this::sendLoop : this::spoolLoop,
            "flowgate-export-" + options.collector());
    this.sender.setDaemon(true);
  }

  /** The sink name of a collector: {@code udp:HOST:PORT} or {@code tcp:HOST:PORT}. */
  public static String sinkName(CollectorOptions options) {
    return options.transport().label() + ":" + options.collector();
  }

  /** The {@code type} a collector's spool description says ({@link SinkSpool#describe}). */
  public static final String SPOOL_TYPE = "collector";

  /**
   * The options of the collector that left the spool directory {@code dir}, read from the settings
   * it stored there, with that spool directory; empty if the spool does not say it is a collector's
   * (another sink type, or written before spools described their sink).
   *
   * @throws IllegalArgumentException if it is a collector's but its settings are not readable
   */
  public static Optional<CollectorOptions> spooledCollector(Path dir) {
    Map<String, String> d = SinkSpool.description(dir);
    if (!SPOOL_TYPE.equals(d.get("type"))) {
      return Optional.empty();
    }
    return Optional.of(CollectorOptions.described(d).spoolDirectory(dir));
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
    SinkOutcomes outcomes = new SinkOutcomes(sinkName(copy));
    SinkSpool spool = null;
    if (copy.spoolDirectory() != null) {
      try {
        spool = SinkSpool.open(copy.spoolDirectory(), copy.spoolLimit(), outcomes);
        Map<String, String> description = new TreeMap<>(copy.describe());
        description.put("type", SPOOL_TYPE);
        description.put("sink", sinkName(copy));
        spool.describe(description);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot open the spool of " + sinkName(copy) + " in " + copy.spoolDirectory(), e);
      }
    }
    CollectorExporter exporter =
        new CollectorExporter(copy, encoder, transport, interfaceNames, clock, spool, outcomes);
    if (spool != null) {
      exporter.sequence = spool.mark(); // the sequence goes on from the last run's
      exporter.committedSequence = exporter.sequence;
    }
    exporter.sender.start();
    return exporter;
  }

  /**
   * Encodes every row of {@code finished} into messages and queues them for the sender.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  @Override
  public void write(VectorSchemaRoot finished) {
    write(finished, null);
  }

  /** With a spool, its frames record {@code at} ({@link SinkSpool#heldRows}). */
  @Override
  public synchronized void write(VectorSchemaRoot finished, JournalPosition at) {
    FlowColumns flows = new FlowColumns(finished);
    Volume handed = flows.volume();
    outcomes.handed(handed);
    if (closed) {
      outcomes.dropped(handed, "exporter closed");
      throw new IllegalStateException("exporter to " + options.collector() + " is closed");
    }
    if (spool != null) {
      spool.append(finished, at); // what it cannot keep it counts dropped
      return;
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
    if (spool != null) {
      while (!spool.isDrained() || !outcomes.report().queued().isZero()) {
        if (System.nanoTime() - end >= 0) {
          return false;
        }
        Thread.sleep(5);
      }
      return true;
    }
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
    if (spool != null) {
      closeSpooled();
      return;
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

  /**
   * With a spool: the sender gets the close timeout to deliver what the spool holds; what is left
   * stays in the spool (queued in the ledger) for the next start.
   */
  private void closeSpooled() {
    stopping = true;
    try {
      sender.join(Math.max(1, options.closeTimeout().toMillis()));
      if (sender.isAlive()) {
        stopNow = true;
        transport.close(); // ends a send blocked on a collector that stopped reading
        sender.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      transport.close();
      spool.close();
      spoolAllocator.close();
    }
  }

  /**
   * Stops the sender at once and, with a spool, drops what it still holds (counted, for {@code
   * reason}) and deletes it; without one, the same as {@link #close()}.
   */
  @Override
  public void abandon(String reason) {
    if (spool == null) {
      close();
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    stopping = true;
    stopNow = true;
    transport.close();
    try {
      sender.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    transport.close();
    spool.rewind(); // what was in flight, unconfirmed, is given up too
    spool.discard(reason);
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

  /**
   * The sender with a spool: reads the spool's frames in order, encodes each message at send time
   * (fresh sequence number and export time, templates first when due), sends it, and commits the
   * spool up to the message's last row once it is delivered. After any error (send, ICMP
   * unreachable, a broken connection) nothing counts failed: the spool rewinds to its last commit,
   * the error is counted ({@code sendErrors}), and the rows are read and sent again after a backoff
   * pause, templates first.
   */
  private void spoolLoop() {
    Backoff backoff = new Backoff();
    EncodeCursor cursor = new EncodeCursor();
    int max = encoder.maxMessageSize();
    ByteBuf buf = Unpooled.buffer(max, max);
    SinkSpool.Frame frame = null;
    FlowColumns flows = null;
    boolean fresh = false;
    try (FlowRecordWriter rows = new FlowRecordWriter(spoolAllocator, SinkSpool.MAX_FRAME_ROWS)) {
      while (!stopNow) {
        if (frame == null) {
          frame = spool.read(rows, unsettled.isEmpty() ? IDLE_POLL_NANOS : SETTLE_POLL_NANOS);
          if (frame == null) {
            spoolSettle();
            if (stopping && unsettled.isEmpty() && spool.isDrained()) {
              return;
            }
            continue;
          }
          flows = new FlowColumns(rows.root());
          cursor.reset();
          counted.reset();
          cursor.row = frame.firstRow();
          fresh = true;
        }
        int startRow = cursor.row;
        buf.clear();
        if (cursor.row >= frame.rows() || !encoder.encodeData(flows, cursor, buf)) {
          finishFrame(frame, cursor);
          frame = null;
          continue;
        }
        Volume carried = new Volume(cursor.packets, cursor.bytes);
        countEncoded(frame, cursor);
        if (stopNow) {
          return; // close() gave up: no new connection now
        }
        try {
          boolean newSession = transport.open();
          if (newSession) {
            sessionsOpened.incrementAndGet();
            refresher.invalidate();
            sessionBytes = 0;
          }
          long now = clock.millis();
          if (encoder.hasTemplates() && (newSession || fresh) && refresher.due(now)) {
            sendTemplates(now);
          }
          fresh = false;
          send(buf, now, cursor.records, true);
          unsettled.addLast(
              new Sent(
                  sessionBytes,
                  carried,
                  frame.position(startRow),
                  frame.position(cursor.row),
                  sequence));
          refresher.dataSent();
          backoff.reset();
          unreachable.clear("send");
          spoolSettle();
        } catch (IOException e) {
          if (stopNow) {
            return;
          }
          spoolError(e, frame, flows, startRow);
          frame = null;
          pause(backoff.nextPauseNanos());
          spool.rewind(options.transport() == TransportProtocol.UDP);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(CollectorExporter.class)
          .error("sink " + outcomes.sink() + ": the sender stopped", e);
    } finally {
      buf.release();
    }
  }

  /** The frame's rows are all sent: its end commits once what was sent before it is delivered. */
  private void finishFrame(SinkSpool.Frame frame, EncodeCursor cursor) {
    countEncoded(frame, cursor);
    // a marker: the frame's end commits once what was sent before it is delivered
    unsettled.addLast(new Sent(sessionBytes, Volume.ZERO, frame.end(), frame.end(), sequence));
    spoolSettle();
  }

  /**
   * Counts what encoding rows up to {@code cursor.row} of {@code frame} found (v5: IPv6 rows
   * dropped, split records, truncated interfaces) since the last call, once per row: rows encoded
   * again after a rewind were counted the first time.
   */
  private void countEncoded(SinkSpool.Frame frame, EncodeCursor cursor) {
    long at = frame.position(cursor.row);
    if (at > encodedCountedTo) {
      long ipv6 = cursor.skippedIpv6 - counted.skippedIpv6;
      if (ipv6 > 0) {
        outcomes.dropped(
            new Volume(
                cursor.skippedIpv6Packets - counted.skippedIpv6Packets,
                cursor.skippedIpv6Bytes - counted.skippedIpv6Bytes),
            ipv6 + " IPv6 flows: NetFlow v5 has no IPv6 record");
      }
      ipv6NotExportable.addAndGet(ipv6);
      splitRecords.addAndGet(cursor.extraSplitRecords - counted.extraSplitRecords);
      truncatedInterfaces.addAndGet(cursor.truncatedInterfaces - counted.truncatedInterfaces);
      encodedCountedTo = at;
    }
    counted.skippedIpv6 = cursor.skippedIpv6;
    counted.skippedIpv6Packets = cursor.skippedIpv6Packets;
    counted.skippedIpv6Bytes = cursor.skippedIpv6Bytes;
    counted.extraSplitRecords = cursor.extraSplitRecords;
    counted.truncatedInterfaces = cursor.truncatedInterfaces;
  }

  /**
   * Counts delivered, and commits in the spool, every sent message the transport calls delivered
   * now (UDP: no ICMP error came back for it).
   */
  private void spoolSettle() {
    if (unsettled.isEmpty()) {
      return;
    }
    long delivered;
    try {
      transport.checkError();
      delivered = sessionBytes - (transport.isOpen() ? transport.unacknowledged() : 0);
    } catch (IOException e) {
      spoolError(e, null, null, 0);
      return;
    }
    long commit = -1;
    while (!unsettled.isEmpty() && unsettled.peekFirst().end() <= delivered) {
      Sent s = unsettled.pollFirst();
      if (!s.flows().isZero()) {
        outcomes.delivered(s.flows());
      }
      commit = s.spoolEnd();
      committedSequence = s.sequenceAfter();
    }
    if (commit >= 0) {
      spool.commit(commit, committedSequence);
    }
  }

  /** The sender's pause between retries; ends early when close() gives up. */
  private void pause(long nanos) throws InterruptedException {
    long end = System.nanoTime() + nanos;
    long left;
    while (!stopNow && (left = end - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, Math.min(20, left / 1_000_000)));
    }
  }

  /**
   * After an error: nothing in flight counts delivered or failed, it stays queued and is read again
   * from the spool; what the spool's limit deleted meanwhile is counted dropped.
   */
  private void spoolError(IOException e, SinkSpool.Frame frame, FlowColumns flows, int fromRow) {
    sendErrors.incrementAndGet();
    outcomes.sendError("send: " + e);
    lastError = e.toString();
    refresher.invalidate(); // the collector may come back without our templates
    if (transport.isOpen() && options.transport() == TransportProtocol.TCP) {
      transport.close(); // unacknowledged bytes are re-sent on a new connection
    }
    // UDP: the collector refused (ICMP) what followed the last check, nothing of it arrived
    long restart = spool.rewind(options.transport() == TransportProtocol.UDP);
    for (Sent s : unsettled) {
      if (s.spoolStart() < restart && !s.flows().isZero()) {
        outcomes.dropped(
            s.flows(), "the spool limit deleted it before the collector acknowledged it");
      }
    }
    unsettled.clear();
    if (frame != null && restart >= frame.end() && fromRow < frame.rows()) {
      // the rest of the frame in hand, never sent: gone from disk too
      outcomes.dropped(
          flows.volume(fromRow, frame.rows()),
          "the spool limit deleted it before it could be sent");
    }
    sequence = committedSequence; // what followed the last delivered message never arrived
    unreachable.report(
        "send",
        "sink "
            + outcomes.sink()
            + ": cannot reach the collector ("
            + e
            + "); records wait in the spool, retrying");
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
