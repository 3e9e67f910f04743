package dev.flowgate.exporters.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.bpf.SockDiag;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pacing a collector on this host, on real loopback sockets: a burst far larger than a slow
 * receiver's buffer reaches it whole (its socket drops nothing, exact counts), read by sock_diag
 * and by the /proc fallback, from one sender and from two at once (flows and samples to one
 * collector); and a datagram never takes more of a receive buffer than {@link
 * LocalReceiveQueue#charge} says.
 */
@Timeout(120)
class LocalReceiveQueueTest {

  private static final int RCVBUF = 64 << 10;
  private static final int DATAGRAMS = 3_000;

  @Test
  void aBurstReachesASlowReceiverWholeBySockDiagAndByProc() throws Exception {
    for (LocalReceiveQueue.Source source : LocalReceiveQueue.Source.values()) {
      try (DatagramChannel receiver = slowReceiver("127.0.0.1")) {
        AtomicLong received = drain(receiver);
        int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();
        UdpTransport t =
            source == LocalReceiveQueue.Source.PROC
                ? UdpTransport.pacedByProcNetUdp("127.0.0.1", port)
                : new UdpTransport("127.0.0.1", port);
        t.open();
        try {
          burst(t, DATAGRAMS, 1400);
        } finally {
          t.close();
        }
        long[] q = awaitDrained(receiver, received, DATAGRAMS);
        assertThat(q[SockDiag.DROPS]).as(source + ": drops").isZero();
        assertThat(received.get()).as(source + ": received").isEqualTo(DATAGRAMS);
      }
    }
  }

  @Test
  void twoSendersToOneSlowReceiverLoseNothing() throws Exception {
    for (String host : List.of("127.0.0.1", "::1")) {
      try (DatagramChannel receiver = slowReceiver(host)) {
        AtomicLong received = drain(receiver);
        int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();
        List<Thread> senders = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
          int size = s == 0 ? 1400 : 600;
          Thread th =
              new Thread(
                  () -> {
                    UdpTransport t = new UdpTransport(host, port);
                    try {
                      t.open();
                      burst(t, DATAGRAMS, size);
                    } catch (Throwable e) {
                      synchronized (failures) {
                        failures.add(e);
                      }
                    } finally {
                      t.close();
                    }
                  });
          th.start();
          senders.add(th);
        }
        for (Thread th : senders) {
          th.join();
        }
        assertThat(failures).isEmpty();
        long[] q = awaitDrained(receiver, received, 2 * DATAGRAMS);
        assertThat(q[SockDiag.DROPS]).as(host + ": drops").isZero();
        assertThat(received.get()).as(host + ": received").isEqualTo(2 * DATAGRAMS);
      }
    }
  }

  @Test
  void aDatagramTakesNoMoreOfTheReceiveBufferThanItsCharge() throws Exception {
    for (String host : List.of("127.0.0.1", "::1")) {
      try (SockDiag diag = SockDiag.open();
          DatagramChannel receiver = DatagramChannel.open();
          DatagramChannel sender = DatagramChannel.open()) {
        receiver.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
        receiver.bind(new InetSocketAddress(host, 0));
        sender.connect(receiver.getLocalAddress());
        InetSocketAddress from = (InetSocketAddress) sender.getLocalAddress();
        InetSocketAddress to = (InetSocketAddress) receiver.getLocalAddress();
        receiver.configureBlocking(false);
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        long[] q = new long[3];
        // every size up to 9,000 (each slab size boundary), then coarser up to the largest
        for (int size = 1; size <= 65_507; size += size < 9_000 ? 1 : 97) {
          sender.write(buf.clear().limit(size));
          assertThat(diag.udp(from, to, q)).isTrue();
          assertThat(q[SockDiag.QUEUED])
              .as("%s, %d bytes", host, size)
              .isLessThanOrEqualTo(LocalReceiveQueue.charge(size));
          assertThat(receiver.receive(buf.clear())).isNotNull();
        }
      }
    }
  }

  /** {@code count} datagrams of {@code size} bytes, in batches of 64 and one by one. */
  private static void burst(UdpTransport t, int count, int size) throws Exception {
    byte[] payload = new byte[size];
    try (MessageBatch batch = new MessageBatch(size)) {
      int sent = 0;
      while (sent < count) {
        batch.clear();
        int n = Math.min(64, count - sent);
        for (int i = 0; i < n; i++) {
          batch.next().writeBytes(payload);
          batch.add(1, 1);
        }
        if ((sent / 64) % 2 == 0) {
          assertThat(t.send(batch, 0, n)).isEqualTo(n);
        } else {
          for (int i = 0; i < n; i++) {
            ByteBuf one = Unpooled.wrappedBuffer(payload);
            t.send(one);
          }
        }
        sent += n;
      }
    }
  }

  /** A receiver with a 64 KiB buffer (128 KiB in the kernel): a burst of 4 MB overruns it. */
  private static DatagramChannel slowReceiver(String host) throws Exception {
    DatagramChannel receiver = DatagramChannel.open();
    receiver.setOption(StandardSocketOptions.SO_RCVBUF, RCVBUF);
    receiver.bind(new InetSocketAddress(host, 0));
    return receiver;
  }

  /** Reads every datagram, yielding between reads (slower than the sender), counting them. */
  private static AtomicLong drain(DatagramChannel receiver) {
    AtomicLong received = new AtomicLong();
    Thread th =
        new Thread(
            () -> {
              ByteBuffer buf = ByteBuffer.allocate(1 << 16);
              try {
                while (true) {
                  receiver.receive(buf.clear());
                  received.incrementAndGet();
                  if (received.get() % 16 == 0) {
                    Thread.sleep(1);
                  }
                }
              } catch (Exception e) {
                // closed
              }
            },
            "slow-receiver");
    th.setDaemon(true);
    th.start();
    return received;
  }

  /**
   * The receiver's counters once its queue is empty and it read {@code expected} datagrams or
   * dropped the rest.
   */
  private static long[] awaitDrained(DatagramChannel receiver, AtomicLong received, long expected)
      throws Exception {
    InetSocketAddress to = (InetSocketAddress) receiver.getLocalAddress();
    InetSocketAddress from = new InetSocketAddress(to.getAddress(), 9);
    long[] q = new long[3];
    try (SockDiag diag = SockDiag.open()) {
      while (true) {
        assertThat(diag.udp(from, to, q)).isTrue();
        if (q[SockDiag.QUEUED] == 0 && received.get() + q[SockDiag.DROPS] >= expected) {
          return q;
        }
        Thread.sleep(10);
      }
    }
  }
}
