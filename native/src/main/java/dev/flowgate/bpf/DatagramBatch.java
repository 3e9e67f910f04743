package dev.flowgate.bpf;

import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Many datagrams on a connected UDP socket in one crossing: {@code sendmmsg(2)} through the JNI
 * shim, over messages laid end to end in one direct buffer. An exporter that sends one small
 * message per datagram pays a system call per message otherwise ({@link DatagramChannel#write});
 * this pays one per 256.
 */
public final class DatagramBatch {
  private DatagramBatch() {}

  /** True if {@link #send} can be used (the JNI shim loaded). */
  public static boolean isAvailable() {
    return NativeBpf.isAvailable();
  }

  /**
   * Sends messages {@code from} to {@code from + count - 1}, message {@code i} being the {@code
   * lengths[i]} bytes at {@code offsets[i]} of {@code buffer} (absolute, from its address: its
   * position and limit do not matter), in order, each as one datagram of the connected {@code
   * channel}.
   *
   * @return how many were sent, in order: all, or fewer when the kernel refused the next one (its
   *     error is lost, as with sendmmsg(2); sending it again sends it or reports the error)
   * @throws BpfException if the first one could not be sent ({@code errno} as {@code send(2)} gives
   *     it, e.g. ECONNREFUSED after an ICMP port unreachable), or the arguments are out of range
   *     (EINVAL), or {@code channel} is not the JDK's own channel (ENOTSUP)
   * @throws IllegalStateException if the JNI shim is not available
   */
  public static int send(
      DatagramChannel channel,
      ByteBuffer buffer,
      int[] offsets,
      int[] lengths,
      int from,
      int count) {
    NativeBpf.ensureAvailable();
    if (!buffer.isDirect()) {
      throw new IllegalArgumentException("sendmmsg needs a direct buffer");
    }
    int n = send0(channel, buffer, offsets, lengths, from, count);
    if (n < 0) {
      throw new BpfException("sendmmsg", -n, "");
    }
    return n;
  }

  private static native int send0(
      DatagramChannel channel,
      ByteBuffer buffer,
      int[] offsets,
      int[] lengths,
      int from,
      int count);
}
