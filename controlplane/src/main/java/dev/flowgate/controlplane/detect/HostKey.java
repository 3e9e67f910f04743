package dev.flowgate.controlplane.detect;

import dev.flowgate.bpf.Layout;
import dev.flowgate.controlplane.AddressText;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * One target of the detectors: a destination address (128 bits, IPv4 mapped as the kernel keys it,
 * held big-endian in {@code hi}/{@code lo}) and the direction its packets were seen in ({@link
 * Layout#DIR_INGRESS}: incoming, {@link Layout#DIR_EGRESS}: outgoing).
 */
public record HostKey(long hi, long lo, int direction) {

  /** Whether the address is IPv4 (::ffff:a.b.c.d). */
  public boolean isIpv4() {
    return hi == 0 && (lo >>> 32) == 0xFFFFL;
  }

  /** The address as people write it (dotted quad for IPv4). */
  public String address() {
    return text(hi, lo);
  }

  /** "in" or "out". */
  public String directionLabel() {
    return direction == Layout.DIR_EGRESS ? "out" : "in";
  }

  /** A 128-bit address (big-endian halves, IPv4 mapped) as text. */
  static String text(long hi, long lo) {
    byte[] b;
    if (hi == 0 && (lo >>> 32) == 0xFFFFL) {
      int a = (int) lo;
      b = new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
    } else {
      b = new byte[16];
      for (int i = 0; i < 8; i++) {
        b[i] = (byte) (hi >>> (56 - 8 * i));
        b[8 + i] = (byte) (lo >>> (56 - 8 * i));
      }
    }
    try {
      return AddressText.of(InetAddress.getByAddress(b));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
