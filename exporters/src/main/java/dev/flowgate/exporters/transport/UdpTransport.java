package dev.flowgate.exporters.transport;

import dev.flowgate.bpf.BpfException;
import dev.flowgate.bpf.DatagramBatch;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.channels.DatagramChannel;

/**
 * One export message per UDP datagram over a connected {@link DatagramChannel}. Connecting the
 * channel lets the kernel report a collector that is down (ICMP port unreachable) as a {@code
 * PortUnreachableException} on a later send, which the exporter counts as a send error. The channel
 * survives such errors: the session (and the template state of the collector) goes on.
 */
public final class UdpTransport implements ExportTransport {

  private static final int ECONNREFUSED = 111;

  private final String host;
  private final int port;
  private DatagramChannel channel;

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
      c.connect(address);
    } catch (IOException e) {
      c.close();
      throw e;
    }
    channel = c;
    return true;
  }

  @Override
  public void send(ByteBuf message) throws IOException {
    if (channel == null) {
      throw new IOException("UDP transport not open");
    }
    int n = channel.write(message.nioBuffer(message.readerIndex(), message.readableBytes()));
    if (n != message.readableBytes()) {
      throw new IOException("short UDP write: " + n + " of " + message.readableBytes());
    }
  }

  /**
   * The messages in one {@code sendmmsg(2)} when the JNI shim is loaded ({@link DatagramBatch}),
   * else one write each.
   */
  @Override
  public int send(MessageBatch batch, int from, int count) throws IOException {
    if (channel == null) {
      throw new IOException("UDP transport not open");
    }
    if (!DatagramBatch.isAvailable()) {
      return ExportTransport.super.send(batch, from, count);
    }
    try {
      ByteBuf buf = batch.buffer();
      return DatagramBatch.send(
          channel,
          buf.nioBuffer(0, buf.writerIndex()),
          batch.offsets(),
          batch.lengths(),
          from,
          count);
    } catch (BpfException e) {
      if (e.errno() == ECONNREFUSED) {
        // what DatagramChannel.write says for the same error
        throw new PortUnreachableException("ICMP port unreachable");
      }
      throw new IOException("sendmmsg: " + e.getMessage(), e);
    }
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
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // closing a datagram socket does not fail in practice; nothing to recover
      }
      channel = null;
    }
  }
}
