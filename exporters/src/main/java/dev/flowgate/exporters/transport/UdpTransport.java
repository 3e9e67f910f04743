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
  private final LocalReceiveQueue.Source pacing;

  /** A transport to {@code host:port}; nothing is opened until {@link #open}. */
  public UdpTransport(String host, int port) {
    this(host, port, LocalReceiveQueue.Source.SOCK_DIAG);
  }

  private UdpTransport(String host, int port, LocalReceiveQueue.Source pacing) {
    this.host = host;
    this.port = port;
    this.pacing = pacing;
  }

  /**
   * A transport that paces a collector on this host by {@code /proc/net/udp} (the fallback when
   * sock_diag is unavailable) whatever the kernel offers: for benchmarks to measure the fallback
   * against the default in the same run.
   */
  public static UdpTransport pacedByProcNetUdp(String host, int port) {
    return new UdpTransport(host, port, LocalReceiveQueue.Source.PROC);
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
    local = LocalReceiveQueue.of((InetSocketAddress) c.getLocalAddress(), address, pacing);
    return true;
  }

  @Override
  public void send(ByteBuf message) throws IOException {
    DatagramChannel c = channel;
    if (c == null) {
      throw new IOException("UDP transport not open");
    }
    if (local != null) {
      local.admit(message.readableBytes());
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
   * #send(ByteBuf)}, as many datagrams a call as its credit covers. A call the kernel cut short
   * (its error is lost) is followed by one for the rest, so the count returned stops only where a
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
        n = local.admit(batch.lengths(), from + sent, n);
      }
      try {
        sent += DatagramBatch.send(c, bytes, batch.offsets(), batch.lengths(), from + sent, n);
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
      LocalReceiveQueue l = local;
      if (l != null) {
        l.close();
      }
      try {
        c.close();
        writable.close();
      } catch (IOException e) {
        // closing a datagram socket does not fail in practice; nothing to recover
      }
    }
  }
}
