package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * sock_diag on real loopback sockets: the queue it reports is the one {@code /proc/net/udp} shows
 * for the same socket, the receive buffer is the socket's own, its drop count is exactly the
 * datagrams sent that the receiver never got, and a port nobody holds has no socket.
 */
@Timeout(60)
class SockDiagTest {

  @Test
  void theQueueIsWhatProcNetUdpShowsAndDropsAreExactlyTheDatagramsLost() throws Exception {
    for (String host : List.of("127.0.0.1", "::1")) {
      try (SockDiag diag = SockDiag.open();
          DatagramChannel receiver = DatagramChannel.open();
          DatagramChannel sender = DatagramChannel.open()) {
        receiver.setOption(StandardSocketOptions.SO_RCVBUF, 64 << 10);
        receiver.bind(new InetSocketAddress(host, 0));
        sender.connect(receiver.getLocalAddress());
        InetSocketAddress from = (InetSocketAddress) sender.getLocalAddress();
        InetSocketAddress to = (InetSocketAddress) receiver.getLocalAddress();
        long[] q = new long[3];

        assertThat(diag.udp(from, to, q)).isTrue();
        assertThat(q[SockDiag.QUEUED]).isZero();
        // the kernel doubles what SO_RCVBUF asks for (socket(7)) and reports the doubled value
        assertThat(q[SockDiag.RCVBUF]).isEqualTo(2 * (64 << 10));
        assertThat(q[SockDiag.DROPS]).isZero();

        ByteBuffer datagram = ByteBuffer.allocate(1400);
        for (int i = 0; i < 5; i++) {
          sender.write(datagram.clear());
        }
        assertThat(diag.udp(from, to, q)).isTrue();
        assertThat(q[SockDiag.QUEUED]).isPositive().isEqualTo(procRxQueue(to));

        int sent = 5;
        for (; sent < 400; sent++) {
          sender.write(datagram.clear()); // far more than 64 KiB: the receiver drops
        }
        receiver.configureBlocking(false);
        int received = 0;
        while (receiver.receive(datagram.clear()) != null) {
          received++;
        }
        assertThat(received).isLessThan(sent);
        assertThat(diag.udp(from, to, q)).isTrue();
        assertThat(q[SockDiag.QUEUED]).isZero();
        assertThat(q[SockDiag.DROPS]).isEqualTo(sent - received);
      }
    }
  }

  @Test
  void aPortNobodyHoldsHasNoSocket() throws Exception {
    int port;
    try (DatagramChannel gone = DatagramChannel.open()) {
      gone.bind(new InetSocketAddress("127.0.0.1", 0));
      port = ((InetSocketAddress) gone.getLocalAddress()).getPort();
    }
    try (SockDiag diag = SockDiag.open()) {
      InetAddress lo = InetAddress.getByName("127.0.0.1");
      assertThat(
              diag.udp(
                  new InetSocketAddress(lo, 40000), new InetSocketAddress(lo, port), new long[3]))
          .isFalse();
    }
  }

  /** rx_queue of the socket bound to {@code local} in /proc/net/udp or udp6. */
  private static long procRxQueue(InetSocketAddress local) throws Exception {
    String port = String.format(":%04X", local.getPort());
    for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
      for (String line : Files.readAllLines(Path.of(table))) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 4 && f[1].endsWith(port)) {
          return Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
        }
      }
    }
    throw new AssertionError("no socket on " + local);
  }
}
