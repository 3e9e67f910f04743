package dev.flowgate.bpf;

import java.nio.channels.SocketChannel;

/**
 * What a connected TCP socket still holds that the peer has not acknowledged: the {@code SIOCOUTQ}
 * ioctl (tcp(7)), through the JNI shim. A TCP exporter counts a message delivered once the bytes
 * written up to its end minus this are acknowledged.
 */
public final class SocketSendQueue {
  private SocketSendQueue() {}

  /** True if {@link #unacknowledged} can answer (the JNI shim loaded). */
  public static boolean isAvailable() {
    return NativeBpf.isAvailable();
  }

  /**
   * Bytes written to {@code channel} and not yet acknowledged by the peer (sent or still waiting to
   * be sent).
   *
   * @throws BpfException if the ioctl fails, or {@code channel} is not the JDK's own socket channel
   *     (ENOTSUP); ask only while the channel is open (a closed channel's fd number may be reused)
   * @throws IllegalStateException if the JNI shim is not available
   */
  public static int unacknowledged(SocketChannel channel) {
    NativeBpf.ensureAvailable();
    int n = unacked0(channel);
    if (n < 0) {
      throw new BpfException("ioctl(SIOCOUTQ)", -n, "");
    }
    return n;
  }

  private static native int unacked0(SocketChannel channel);
}
