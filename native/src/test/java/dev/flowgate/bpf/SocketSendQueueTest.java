package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.lab.Await;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIOCOUTQ on a real loopback connection: bytes stay unacknowledged while the peer's receive window
 * is full, and once the peer has read everything nothing is: what it read is exactly what was
 * written.
 */
@Timeout(60)
class SocketSendQueueTest {

  @Test
  void unacknowledgedBytesAreWhatThePeerHasNotTakenYet() throws Exception {
    try (ServerSocket server = new ServerSocket()) {
      server.setReceiveBufferSize(4096);
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      try (SocketChannel channel =
              SocketChannel.open(
                  new InetSocketAddress(server.getInetAddress(), server.getLocalPort()));
          Socket peer = server.accept()) {
        assertThat(SocketSendQueue.unacknowledged(channel)).isZero();
        channel.configureBlocking(false);
        ByteBuffer data = ByteBuffer.allocate(1 << 16);
        long written = 0;
        int n;
        while ((n = channel.write(data.clear())) > 0) {
          written += n; // until the peer's window and our send buffer are full
        }
        assertThat(SocketSendQueue.unacknowledged(channel))
            .isPositive()
            .isLessThanOrEqualTo((int) written);

        long read = 0;
        InputStream in = peer.getInputStream();
        byte[] buf = new byte[1 << 16];
        while (read < written) {
          read += in.read(buf);
        }
        Await.until("all acknowledged", () -> SocketSendQueue.unacknowledged(channel) == 0);
        assertThat(read).isEqualTo(written);
      }
    }
  }
}
