package dev.flowgate.exporters.transport;

import dev.flowgate.bpf.BpfException;
import dev.flowgate.bpf.DatagramBatch;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * One export message per UDP datagram over a connected {@link DatagramChannel}. Connecting the
 * channel lets the kernel report a collector that is down (ICMP port unreachable) as a {@code
 * PortUnreachableException} on a later send, which the exporter counts as a send error. The channel
 * survives such errors: the session (and the template state of the collector) goes on.
 */
public final class UdpTransport implements ExportTransport {

  private static final int EAGAIN = 11;
  private static final int ECONNREFUSED = 111;

  private final String host;
  private final int port;

  /** Send buffer asked for: 4 MiB (capped by net.core.wmem_max), so a burst waits in the kernel. */
  public static final int SEND_BUFFER_BYTES = 4 << 20;

  private volatile DatagramChannel channel;
  private Selector writable; // waits for room in the send buffer (the channel is non-blocking)
  private final ByteBuffer probe = ByteBuffer.allocate(64);
  private LocalReceiveQueue local; // a collector on this host: paced by its receive queue
  private int sinceCheck;

  /** A local collector's queue is read every this many datagrams: 8 (about 20 KB of skbs). */
  static final int PACE_CHECK_EVERY = 8;

  /** Longest wait for a local collector that reads nothing: 2 s, then the send goes ahead. */
  static final long PACE_MAX_WAIT_NANOS = 2_000_000_000L;

  /** A transport to {@code host:port}; nothing is opened until {@link #open}. */
  public UdpTransport(String host, int port) {
    this.host = host;
    this.port = port;
  }

  @Override
  public boolean open() throws IOException {
    if (channel != null) {
      return false;
    }
    InetSocketAddress address = new InetSocketAddress(host, port); // resolves the name now
    if (address.isUnresolved()) {
      throw new IOException("cannot resolve collector host " + host);
    }
    DatagramChannel c = DatagramChannel.open();
    try {
      c.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER_BYTES);
      c.connect(address);
      c.configureBlocking(false);
      writable = Selector.open();
      c.register(writable, SelectionKey.OP_WRITE);
    } catch (IOException e) {
      c.close();
      throw e;
    }
    channel = c;
    local = LocalReceiveQueue.of(address);
    return true;
  }

  @Override
  public void send(ByteBuf message) throws IOException {
    DatagramChannel c = channel;
    if (c == null) {
      throw new IOException("UDP transport not open");
    }
    if (local != null && ++sinceCheck >= PACE_CHECK_EVERY) {
      sinceCheck = 0;
      awaitLocalRoom();
    }
    ByteBuffer bytes = message.nioBuffer(message.readerIndex(), message.readableBytes());
    int n;
    // blocking in effect: when the send buffer is full, wait until the kernel has room
    while ((n = c.write(bytes)) == 0) {
      writable.select(100);
      writable.selectedKeys().clear();
      if (!c.isOpen()) {
        throw new ClosedChannelException();
      }
    }
    if (n != message.readableBytes()) {
      throw new IOException("short UDP write: " + n + " of " + message.readableBytes());
    }
  }

  /**
   * The messages in as few {@code sendmmsg(2)} calls as the send buffer allows when the JNI shim is
   * loaded ({@link DatagramBatch}), else one write each; a local collector is paced as for {@link
   * #send(ByteBuf)}, {@link #PACE_CHECK_EVERY} datagrams a call. A call the kernel cut short (its
   * error is lost) is followed by one for the rest, so the count returned stops only where a
   * message itself was refused.
   */
  @Override
  public int send(MessageBatch batch, int from, int count) throws IOException {
    DatagramChannel c = channel;
    if (c == null) {
      throw new IOException("UDP transport not open");
    }
    if (!DatagramBatch.isAvailable()) {
      return ExportTransport.super.send(batch, from, count);
    }
    ByteBuf buf = batch.buffer();
    ByteBuffer bytes = buf.nioBuffer(0, buf.writerIndex());
    int sent = 0;
    while (sent < count) {
      int n = count - sent;
      if (local != null) {
        awaitLocalRoom();
        n = Math.min(n, PACE_CHECK_EVERY);
      }
      try {
        sent +=
            DatagramBatch.send(c, bytes, batch.offsets(), batch.lengths(), from + sent, n);
      } catch (BpfException e) {
        if (e.errno() == EAGAIN) {
          // the send buffer is full (the channel is non-blocking): wait for room
          writable.select(100);
          writable.selectedKeys().clear();
          if (!c.isOpen()) {
            throw new ClosedChannelException();
          }
          continue;
        }
        if (sent > 0) {
          return sent; // this one was refused: the caller counts it
        }
        if (e.errno() == ECONNREFUSED) {
          // what DatagramChannel.write says for the same error
          throw new PortUnreachableException("ICMP port unreachable");
        }
        throw new IOException("sendmmsg: " + e.getMessage(), e);
      }
    }
    return sent;
  }

  @Override
  public boolean isOpen() {
    return channel != null;
  }

  /** A datagram the kernel accepted is delivered: nothing is ever waiting. */
  @Override
  public long unacknowledged() {
    return 0;
  }

  /**
   * Waits while the local collector holds more than {@link LocalReceiveQueue#PACE_BYTES} unread.
   */
  private void awaitLocalRoom() throws IOException {
    long start = System.nanoTime();
    while (local.unread() > LocalReceiveQueue.PACE_BYTES
        && System.nanoTime() - start < PACE_MAX_WAIT_NANOS) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while pacing to the collector");
      }
    }
  }

  /**
   * Surfaces an ICMP error (port or host unreachable) that came back for a datagram sent earlier,
   * as the {@code PortUnreachableException} a send would throw later; the socket stays open.
   */
  @Override
  public void checkError() throws IOException {
    DatagramChannel c = channel;
    if (c == null) {
      return; // nothing was sent
    }
    probe.clear();
    c.read(
        probe); // non-blocking: 0 when nothing came back (a datagram from the collector is ignored)
  }

  /** The local port the datagrams leave from, or -1 when closed (for captures in tests). */
  public int localPort() {
    try {
      return channel == null ? -1 : ((InetSocketAddress) channel.getLocalAddress()).getPort();
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    DatagramChannel c = channel;
    if (c != null) {
      channel = null;
      try {
        c.close();
        writable.close();
      } catch (IOException e) {
        // closing a datagram socket does not fail in practice; nothing to recover
      }
    }
  }
}
