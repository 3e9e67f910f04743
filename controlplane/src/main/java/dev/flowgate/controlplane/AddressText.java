package dev.flowgate.controlplane;

import java.net.Inet4Address;
import java.net.InetAddress;

/** Addresses as people write them: dotted quad, or IPv6 in RFC 5952's canonical form. */
public final class AddressText {
  private AddressText() {}

  /** {@code a} as text. */
  public static String of(InetAddress a) {
    if (a instanceof Inet4Address) {
      return a.getHostAddress();
    }
    byte[] b = a.getAddress();
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    // the longest run of two or more zero groups becomes "::" (the first one on a tie)
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }
}
