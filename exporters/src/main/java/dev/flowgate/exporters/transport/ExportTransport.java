package dev.flowgate.exporters.transport;

import io.netty.buffer.ByteBuf;
import java.io.IOException;

/**
 * Carries whole export messages to one collector. Used by one sender thread; blocking.
 *
 * <p>A transport session is what the collector keys templates on: one UDP socket for as long as it
 * lives, one TCP connection. After a session is opened the exporter must send its templates again
 * before any data.
 */
public interface ExportTransport extends AutoCloseable {

  /**
   * Opens a session if none is open. Returns true if this call opened a new one (templates must
   * follow), false if the current one goes on.
   */
  boolean open() throws IOException;

  /**
   * Sends the readable bytes of {@code message} as one message, leaving its indexes untouched so a
   * failed send can be retried. A failure may end the session (TCP); the next {@link #open} starts
   * a new one.
   */
  void send(ByteBuf message) throws IOException;

  /**
   * Sends the {@code count} messages of {@code batch} from {@code from} on, each as one message, in
   * order, until one fails. Returns how many were sent: all of them, or fewer when the next one
   * failed (sending it again reports its error or, when the error was only the collector's earlier
   * ICMP unreachable, sends it). One {@link #send(ByteBuf)} each unless the transport can do
   * better.
   *
   * @throws IOException if message {@code from} itself could not be sent
   */
  default int send(MessageBatch batch, int from, int count) throws IOException {
    for (int i = from; i < from + count; i++) {
      try {
        send(batch.message(i));
      } catch (IOException e) {
        if (i == from) {
          throw e;
        }
        return i - from;
      }
    }
    return count;
  }

  /**
   * Bytes of the messages sent in this session that are not yet delivered as this transport means
   * it: 0 for UDP (a datagram the kernel accepted is delivered), for TCP the bytes the peer has not
   * acknowledged. The exporter counts a message delivered once the bytes sent in the session up to
   * its end, minus this, reach it.
   *
   * @throws IOException if the session is broken; the next {@link #open} starts a new one
   */
  long unacknowledged() throws IOException;

  /**
   * Throws an error the transport learned of after a send returned (UDP: an ICMP port unreachable
   * for an earlier datagram), so the exporter does not count as delivered what the collector
   * refused. Nothing by default.
   */
  default void checkError() throws IOException {}

  /** True while a session is open (after an error: false if the error ended it). */
  boolean isOpen();

  /** Ends the session and frees the socket. */
  @Override
  void close();
}
