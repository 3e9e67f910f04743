package dev.flowgate.exporters.transport;

import dev.flowgate.bpf.BpfException;
import dev.flowgate.bpf.NativeBpf;
import dev.flowgate.bpf.SocketSendQueue;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * IPFIX over TCP (RFC 7011 section 10.4): messages back to back on one connection, each framed by
 * its own length field. A send failure closes the connection; the next {@link #open} reconnects
 * (the exporter paces reconnects with a {@link Backoff}) and reports a new session, so templates
 * are sent again first. Blocking I/O on the exporter's sender thread; interrupting that thread
 * aborts a stuck write.
 *
 * <p>Delivered means acknowledged by the peer: {@link #unacknowledged()} asks the kernel (ioctl
 * {@code SIOCOUTQ} through {@link SocketSendQueue}) how many written bytes the peer has not yet
 * acknowledged. Without the JNI shim it answers 0 (written counts as delivered) and says so once in
 * the log.
 */
public final class TcpTransport implements ExportTransport {

  /** How long one connection attempt may take: 5 s. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final String host;
  private final int port;
  private final int connectTimeoutMillis;
  private static final Logger LOG = Logger.getLogger(TcpTransport.class.getName());
  private static volatile boolean warnedNoShim;

  private volatile SocketChannel channel;

  /** A transport to {@code host:port}; nothing is opened until {@link #open}. */
  public TcpTransport(String host, int port, Duration connectTimeout) {
    this.host = host;
    this.port = port;
    this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
  }

  @Override
  public boolean open() throws IOException {
    SocketChannel open = channel;
    if (open != null && open.isOpen()) {
      return false;
    }
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      throw new IOException("cannot resolve collector host " + host);
    }
    SocketChannel c = SocketChannel.open();
    try {
      c.socket().connect(address, connectTimeoutMillis);
      c.socket().setTcpNoDelay(true);
    } catch (IOException e) {
      c.close();
      throw e;
    }
    channel = c;
    return true;
  }

  @Override
  public void send(ByteBuf message) throws IOException {
    SocketChannel c = channel;
    if (c == null || !c.isOpen()) {
      throw new IOException("TCP transport not connected");
    }
    ByteBuffer bytes = message.nioBuffer(message.readerIndex(), message.readableBytes());
    try {
      while (bytes.hasRemaining()) {
        c.write(bytes);
      }
    } catch (IOException e) {
      close(); // a partial message leaves the stream unframed: this session is over
      throw e;
    }
  }

  @Override
  public boolean isOpen() {
    SocketChannel c = channel;
    return c != null && c.isOpen();
  }

  @Override
  public long unacknowledged() throws IOException {
    SocketChannel c = channel;
    if (c == null || !c.isOpen()) {
      throw new IOException("TCP transport not connected");
    }
    if (!SocketSendQueue.isAvailable()) {
      if (!warnedNoShim) {
        warnedNoShim = true;
        LOG.warning(
            "no JNI shim: TCP export counts written bytes as delivered ("
                + NativeBpf.unavailabilityCause()
                + ")");
      }
      return 0;
    }
    try {
      return SocketSendQueue.unacknowledged(c);
    } catch (BpfException e) {
      close();
      throw new IOException(
          "reading the unacknowledged bytes of the connection to " + host + ":" + port, e);
    }
  }

  @Override
  public void close() {
    SocketChannel c = channel;
    if (c != null) {
      channel = null;
      try {
        c.close(); // also from another thread: a write blocked on it ends with an error
      } catch (IOException e) {
        // the connection is gone either way
      }
    }
  }
}
