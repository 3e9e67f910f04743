package dev.flowgate.bpf;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A {@code NETLINK_SOCK_DIAG} socket through the JNI shim: what the UDP socket that a datagram
 * would reach holds, by exact lookup of the datagram's addresses and ports (the kernel finds the
 * socket as its receive path does). One request and one reply per question, whatever the number of
 * sockets on the host; {@code /proc/net/udp} walks and formats them all. Used by one thread at a
 * time.
 */
public final class SockDiag implements AutoCloseable {

  /** Index in {@link #udp}'s result: bytes queued unread (the kernel's accounting, truesize). */
  public static final int QUEUED = 0;

  /** Index in {@link #udp}'s result: the socket's receive buffer, bytes ({@code SO_RCVBUF}). */
  public static final int RCVBUF = 1;

  /** Index in {@link #udp}'s result: datagrams the socket dropped (its buffer full), or -1. */
  public static final int DROPS = 2;

  private static final int ENOENT = 2;

  private int fd;

  private SockDiag(int fd) {
    this.fd = fd;
  }

  /** True if {@link #open} can work (the JNI shim loaded). */
  public static boolean isAvailable() {
    return NativeBpf.isAvailable();
  }

  /**
   * Opens the netlink socket.
   *
   * @throws BpfException if the kernel refuses it (no sock_diag)
   * @throws IllegalStateException if the JNI shim is not available
   */
  public static SockDiag open() {
    NativeBpf.ensureAvailable();
    int fd = open0();
    if (fd < 0) {
      throw new BpfException("socket(NETLINK_SOCK_DIAG)", -fd, "");
    }
    return new SockDiag(fd);
  }

  /**
   * The UDP socket a datagram from {@code from} to {@code to} would reach, into {@code out} (at
   * least 3 long): {@link #QUEUED}, {@link #RCVBUF}, {@link #DROPS}. Both addresses of one family
   * (an IPv4 datagram is asked as IPv4, whatever the sender's socket family).
   *
   * @return false if no socket would receive such a datagram
   * @throws BpfException if the kernel cannot answer (e.g. no UDP sock_diag: ENOENT is not that, it
   *     means no socket), or the arguments are bad (EINVAL)
   */
  public boolean udp(InetSocketAddress from, InetSocketAddress to, long[] out) {
    if (fd < 0) {
      throw new IllegalStateException("SockDiag closed");
    }
    int r =
        udp0(
            fd,
            bytes(from.getAddress(), to.getAddress()),
            from.getPort(),
            to.getAddress().getAddress(),
            to.getPort(),
            out);
    if (r == -ENOENT) {
      return false;
    }
    if (r < 0) {
      throw new BpfException("sock_diag UDP " + from + " -> " + to, -r, "");
    }
    return true;
  }

  /** {@code from}'s bytes in {@code to}'s family (the wildcard when {@code from} is the other). */
  private static byte[] bytes(InetAddress from, InetAddress to) {
    boolean v4 = to instanceof Inet4Address;
    if ((from instanceof Inet4Address) == v4) {
      return from.getAddress();
    }
    return new byte[v4 ? 4 : 16];
  }

  @Override
  public void close() {
    if (fd >= 0) {
      close0(fd);
      fd = -1;
    }
  }

  private static native int open0();

  private static native int close0(int fd);

  private static native int udp0(int fd, byte[] src, int sport, byte[] dst, int dport, long[] out);
}
