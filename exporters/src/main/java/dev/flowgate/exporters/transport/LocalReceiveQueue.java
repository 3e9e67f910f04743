package dev.flowgate.exporters.transport;

import dev.flowgate.bpf.BpfException;
import dev.flowgate.bpf.SockDiag;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

/**
 * The receive queue of a UDP collector on this host, and the pacing of a sender by it. A datagram
 * to a local collector never waits in a send buffer: it lands in the collector's receive buffer, or
 * is dropped there when that is full, while the sender's {@code send} succeeds. So the sender
 * spends a byte credit: its share of the collector's receive buffer ({@link #SHARE_DIVISOR a
 * quarter}) minus what the queue held when last asked, each datagram charged {@link #charge its
 * kernel size}; only when the credit runs out is the kernel asked again, and while the queue holds
 * the share or more the sender waits (at most {@link #MAX_WAIT_NANOS}). How a burst on loopback
 * reaches nfcapd whole. A collector on another host paces the sender by its own path (a full send
 * buffer blocks the send); this class is then not used.
 *
 * <p>The kernel is asked by {@code NETLINK_SOCK_DIAG} ({@link SockDiag}): the one socket the
 * sender's datagrams reach, its queue and its receive buffer, one request and one reply. Where that
 * cannot be opened, the queue is read from {@code /proc/net/udp} and {@code udp6} (which walks and
 * formats every UDP socket on the host) and the receive buffer is taken as {@link
 * #FALLBACK_RCVBUF}; logged once. The guarantee then holds for one sender to a collector whose
 * buffer is at least half of that.
 */
final class LocalReceiveQueue implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(LocalReceiveQueue.class.getName());
  private static final AtomicBoolean FALLBACK_LOGGED = new AtomicBoolean();

  /**
   * A sender's share of the collector's receive buffer is 1 / this: 4. The queue the kernel reports
   * leaves out what the reader has taken but the kernel not yet released (UDP releases it in steps
   * of up to a quarter of the buffer), and the buffer drops by the full count; so two senders (the
   * flows and the packet samples one collector entry can feed) with a quarter each, plus that
   * unreleased quarter, stay within the buffer.
   */
  static final int SHARE_DIVISOR = 4;

  /**
   * The receive buffer assumed when {@code /proc/net/udp} is read (it does not show it): {@code
   * net.core.rmem_default}, what a socket that did not set {@code SO_RCVBUF} has (212,992 bytes if
   * unreadable).
   */
  static final long FALLBACK_RCVBUF = rmemDefault();

  /** Longest wait for a local collector that reads nothing: 2 s, then a share goes anyway. */
  static final long MAX_WAIT_NANOS = 2_000_000_000L;

  /** Between two questions while the collector is full: 50 us. */
  static final long WAIT_NANOS = 50_000;

  private static final List<Path> TABLES =
      List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));

  /** Where the queue is read. */
  enum Source {
    /** {@code NETLINK_SOCK_DIAG}: the one socket, its queue and receive buffer. */
    SOCK_DIAG,
    /** {@code /proc/net/udp{,6}}: the fallback. */
    PROC
  }

  private final InetSocketAddress from;
  private final InetSocketAddress to;
  private final long[] answer = new long[3];
  private SockDiag diag; // null: /proc (or closed)
  private final Source source;
  private long credit; // bytes this sender may still add before asking
  private long rcvbuf = FALLBACK_RCVBUF; // the collector's, as last seen
  private long asked; // questions to the kernel
  private boolean closed;

  private LocalReceiveQueue(InetSocketAddress from, InetSocketAddress to, Source wanted) {
    this.from = from;
    this.to = to;
    SockDiag d = null;
    if (wanted == Source.SOCK_DIAG) {
      try {
        d = SockDiag.open();
        d.udp(from, to, answer); // a kernel without UDP sock_diag fails here, not later
      } catch (BpfException | IllegalStateException e) {
        if (d != null) {
          d.close();
          d = null;
        }
        if (FALLBACK_LOGGED.compareAndSet(false, true)) {
          LOG.warning(
              "sock_diag unavailable ("
                  + e.getMessage()
                  + "): pacing local collectors by /proc/net/udp, which costs more per question");
        }
      }
    }
    this.diag = d;
    this.source = d != null ? Source.SOCK_DIAG : Source.PROC;
  }

  /**
   * The queue of the collector at {@code to} if that is an address of this host, else null; {@code
   * from} is the sender's local address (the datagrams' source).
   */
  static LocalReceiveQueue of(InetSocketAddress from, InetSocketAddress to) {
    return of(from, to, Source.SOCK_DIAG);
  }

  /**
   * As {@link #of(InetSocketAddress, InetSocketAddress)}, read from {@code source} if it can be.
   */
  static LocalReceiveQueue of(InetSocketAddress from, InetSocketAddress to, Source source) {
    InetAddress a = to.getAddress();
    if (a == null) {
      return null;
    }
    try {
      if (a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null) {
        return new LocalReceiveQueue(from, to, source);
      }
    } catch (SocketException e) {
      return null;
    }
    return null;
  }

  /**
   * What a datagram of {@code length} bytes takes of a receive buffer at most: the power of two at
   * or above length + 448, plus 512. The kernel charges an skb's true size: its data plus headroom
   * and shared info (~375 bytes) rounded up to a slab size (a power of two), plus the sk_buff
   * (256): measured on loopback at 832 for 1 byte, 2,304 for 1,400 (charged 2,560), 16,640 for
   * 8,960 (charged 16,896); LocalReceiveQueueTest checks every size.
   */
  static long charge(int length) {
    return Long.highestOneBit(Math.max(1, length + 448L - 1)) * 2 + 512;
  }

  private static long rmemDefault() {
    try {
      // one line; Files.readString reads "2" of "212992" from this size-0 file (JDK 17)
      return Long.parseLong(
          Files.readAllLines(Path.of("/proc/sys/net/core/rmem_default")).get(0).trim());
    } catch (IOException | RuntimeException e) {
      return 212_992;
    }
  }

  /** Where the queue is read from. */
  Source source() {
    return source;
  }

  /** How many times the kernel was asked so far. */
  synchronized long asked() {
    return asked;
  }

  /**
   * How many of the datagrams {@code lengths[from .. from + count)} may be sent now, at least one
   * when {@code count > 0}: waits while the collector holds its share of its buffer or more (at
   * most {@link #MAX_WAIT_NANOS}, then lets a share's worth go). The count is charged to the
   * credit.
   */
  int admit(int[] lengths, int from, int count) throws InterruptedIOException {
    if (count <= 0) {
      return 0;
    }
    long start = 0;
    while (true) {
      synchronized (this) {
        if (closed) {
          return count;
        }
        int k = take(lengths, from, count);
        if (k > 0) {
          return k;
        }
        refresh();
        k = take(lengths, from, count);
        if (k > 0) {
          return k;
        }
        if (start == 0) {
          start = System.nanoTime();
        } else if (System.nanoTime() - start >= MAX_WAIT_NANOS) {
          credit = share(); // a collector that reads nothing: the buffer's drops are its own
          return Math.max(1, take(lengths, from, count));
        }
      }
      LockSupport.parkNanos(WAIT_NANOS);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while pacing to the collector");
      }
    }
  }

  /** As {@link #admit(int[], int, int)} for one datagram of {@code length} bytes. */
  void admit(int length) throws InterruptedIOException {
    admit(new int[] {length}, 0, 1);
  }

  /** The datagrams the credit covers, charged. */
  private int take(int[] lengths, int from, int count) {
    int k = 0;
    while (k < count && credit >= charge(lengths[from + k])) {
      credit -= charge(lengths[from + k]);
      k++;
    }
    return k;
  }

  /** Asks the kernel: the credit becomes the share minus what the collector holds now. */
  private void refresh() {
    asked++;
    long rcvbuf = FALLBACK_RCVBUF;
    long queued;
    if (diag != null) {
      try {
        if (!diag.udp(from, to, answer)) {
          credit = share(FALLBACK_RCVBUF); // nobody listens: the send is refused, not paced
          return;
        }
        queued = answer[SockDiag.QUEUED];
        rcvbuf = answer[SockDiag.RCVBUF] > 0 ? answer[SockDiag.RCVBUF] : FALLBACK_RCVBUF;
      } catch (BpfException e) {
        queued = 0; // a failed question does not stop the export
      }
    } else {
      queued = procUnread();
    }
    credit = share(rcvbuf) - queued;
    this.rcvbuf = rcvbuf;
  }

  private long share() {
    return share(rcvbuf);
  }

  private static long share(long rcvbuf) {
    return rcvbuf / SHARE_DIVISOR;
  }

  /**
   * The bytes the collector's socket holds unread, from {@code /proc/net/udp{,6}} (the largest if
   * several unconnected sockets hold the port), 0 if none does or the tables cannot be read.
   */
  private long procUnread() {
    long max = 0;
    String portHex = String.format(":%04X", to.getPort());
    for (Path table : TABLES) {
      List<String> lines;
      try {
        lines = Files.readAllLines(table);
      } catch (IOException e) {
        continue;
      }
      for (int i = 1; i < lines.size(); i++) {
        String[] f = lines.get(i).trim().split("\\s+");
        // sl local_address rem_address st tx_queue:rx_queue ...
        if (f.length > 4 && f[1].endsWith(portHex) && f[2].endsWith(":0000")) {
          String queues = f[4];
          int colon = queues.indexOf(':');
          if (colon > 0) {
            max = Math.max(max, Long.parseLong(queues.substring(colon + 1), 16));
          }
        }
      }
    }
    return max;
  }

  /** Closes the netlink socket; a sender still pacing goes on unpaced. */
  @Override
  public synchronized void close() {
    closed = true;
    if (diag != null) {
      diag.close();
      diag = null;
    }
  }
}
