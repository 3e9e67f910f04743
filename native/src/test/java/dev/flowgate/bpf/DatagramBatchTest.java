package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * sendmmsg on a real connected loopback UDP socket: each message of the batch arrives as one
 * datagram, in order, byte for byte, more than one sendmmsg chunk (256) included; a peer that is
 * not listening makes a later call fail with ECONNREFUSED; bad ranges are EINVAL.
 */
@Timeout(60)
class DatagramBatchTest {

  private static final InetAddress LO = InetAddress.getLoopbackAddress();

  @Test
  void everyMessageArrivesAsOneDatagramInOrder() throws Exception {
    try (DatagramChannel peer = DatagramChannel.open().bind(new InetSocketAddress(LO, 0));
        DatagramChannel ch = DatagramChannel.open().connect(peer.getLocalAddress())) {
      peer.socket().setReceiveBufferSize(1 << 22);
      int n = 300; // two chunks of the C side
      ByteBuffer buf = ByteBuffer.allocateDirect(n * 40);
      int[] offsets = new int[n + 1];
      int[] lengths = new int[n + 1];
      int at = 0;
      for (int i = 0; i < n; i++) {
        int len = 1 + i % 37;
        offsets[i + 1] = at;
        lengths[i + 1] = len;
        for (int k = 0; k < len; k++) {
          buf.put(at + k, (byte) (i + k));
        }
        at += len;
      }
      // from 1: the first entry of the arrays is not part of the batch
      assertThat(DatagramBatch.send(ch, buf, offsets, lengths, 1, n)).isEqualTo(n);

      ByteBuffer got = ByteBuffer.allocate(64);
      for (int i = 0; i < n; i++) {
        got.clear();
        peer.receive(got);
        got.flip();
        byte[] expected = new byte[lengths[i + 1]];
        buf.get(offsets[i + 1], expected);
        byte[] actual = new byte[got.remaining()];
        got.get(actual);
        assertThat(actual).as("datagram %d", i).isEqualTo(expected);
      }
    }
  }

  @Test
  void aPeerThatIsNotListeningIsRefused() throws Exception {
    int port;
    try (DatagramChannel gone = DatagramChannel.open().bind(new InetSocketAddress(LO, 0))) {
      port = ((InetSocketAddress) gone.getLocalAddress()).getPort();
    }
    try (DatagramChannel ch = DatagramChannel.open().connect(new InetSocketAddress(LO, port))) {
      ByteBuffer buf = ByteBuffer.allocateDirect(16);
      int[] offsets = {0};
      int[] lengths = {16};
      assertThat(DatagramBatch.send(ch, buf, offsets, lengths, 0, 1)).isEqualTo(1);
      // the ICMP port unreachable of that datagram is the error of the next send
      assertThatThrownBy(() -> DatagramBatch.send(ch, buf, offsets, lengths, 0, 1))
          .isInstanceOfSatisfying(
              BpfException.class, e -> assertThat(e.errno()).isEqualTo(111)); // ECONNREFUSED
    }
  }

  @Test
  void rangesOutsideTheBufferOrTheArraysAreRefused() throws Exception {
    try (DatagramChannel peer = DatagramChannel.open().bind(new InetSocketAddress(LO, 0));
        DatagramChannel ch = DatagramChannel.open().connect(peer.getLocalAddress())) {
      ByteBuffer buf = ByteBuffer.allocateDirect(16);
      assertThatThrownBy(() -> DatagramBatch.send(ch, buf, new int[] {8}, new int[] {9}, 0, 1))
          .isInstanceOfSatisfying(BpfException.class, e -> assertThat(e.errno()).isEqualTo(22));
      assertThatThrownBy(() -> DatagramBatch.send(ch, buf, new int[] {0}, new int[] {1}, 0, 2))
          .isInstanceOfSatisfying(BpfException.class, e -> assertThat(e.errno()).isEqualTo(22));
    }
  }
}
