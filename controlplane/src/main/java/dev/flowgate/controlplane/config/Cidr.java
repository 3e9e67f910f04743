package dev.flowgate.controlplane.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network as the config writes it ({@code 192.0.2.0/24}, {@code 2001:db8::/32}, or
 * a bare address for one host), held the way the kernel keys addresses: 128 bits, IPv4 mapped to
 * {@code ::ffff:a.b.c.d} (so an IPv4 /24 is a /120 of the mapped space).
 *
 * @param hi the network's first 64 bits (big-endian)
 * @param lo the network's last 64 bits
 * @param mappedPrefix the prefix length in the 128-bit space
 * @param text the network as written, normalized ({@code address/prefix})
 */
public record Cidr(long hi, long lo, int mappedPrefix, String text) {

  private static final Pattern ADDRESS_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

  /** Prefix length as written: 0..32 for IPv4, 0..128 for IPv6. */
  public int prefix() {
    return isIpv4() ? mappedPrefix - 96 : mappedPrefix;
  }

  /** Whether this is an IPv4 network. */
  public boolean isIpv4() {
    return mappedPrefix >= 96 && hi == 0 && (lo >>> 32) == 0xFFFFL;
  }

  /** Whether the 128-bit address (hi, lo), IPv4 mapped, lies in this network. */
  public boolean contains(long addrHi, long addrLo) {
    if (mappedPrefix == 0) {
      return true;
    }
    if (mappedPrefix <= 64) {
      long mask = -1L << (64 - mappedPrefix);
      return (addrHi & mask) == hi;
    }
    if (addrHi != hi) {
      return false;
    }
    long mask = mappedPrefix == 128 ? -1L : -1L << (128 - mappedPrefix);
    return (addrLo & mask) == lo;
  }

  /**
   * Parses {@code address[/prefix]}.
   *
   * @throws IllegalArgumentException saying what is wrong (host bits set, prefix out of range, not
   *     an address)
   */
  public static Cidr parse(String text) {
    String t = text.strip();
    int slash = t.indexOf('/');
    String addr = slash < 0 ? t : t.substring(0, slash);
    if (addr.isEmpty() || !ADDRESS_CHARS.matcher(addr).matches()) {
      throw new IllegalArgumentException(
          ConfigNode.quote(text) + " is not a network (write 192.0.2.0/24 or 2001:db8::/32)");
    }
    byte[] b;
    try {
      b = InetAddress.getByName(addr).getAddress(); // literal only: the pattern allows no names
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          ConfigNode.quote(text) + " is not a network (write 192.0.2.0/24 or 2001:db8::/32)");
    }
    boolean v4 = b.length == 4;
    int max = v4 ? 32 : 128;
    int prefix = max;
    if (slash >= 0) {
      String p = t.substring(slash + 1);
      if (!p.matches("[0-9]{1,3}")) {
        throw new IllegalArgumentException(
            ConfigNode.quote(text) + " has no prefix length after / (0.." + max + ")");
      }
      prefix = Integer.parseInt(p);
      if (prefix > max) {
        throw new IllegalArgumentException(
            ConfigNode.quote(text)
                + ": prefix length "
                + prefix
                + " is out of range (0.."
                + max
                + ")");
      }
    }
    long hi;
    long lo;
    int mapped;
    if (v4) {
      hi = 0;
      lo = 0xFFFFL << 32 | (Integer.toUnsignedLong(toInt(b, 0)));
      mapped = prefix + 96;
    } else {
      hi = toLong(b, 0);
      lo = toLong(b, 8);
      mapped = prefix;
    }
    Cidr net = new Cidr(hi, lo, mapped, "");
    long maskedHi = mapped >= 64 ? hi : (mapped == 0 ? 0 : hi & (-1L << (64 - mapped)));
    long maskedLo = mapped <= 64 ? 0 : (mapped == 128 ? lo : lo & (-1L << (128 - mapped)));
    String normalized = canonical(v4, maskedHi, maskedLo) + "/" + prefix;
    if (maskedHi != hi || maskedLo != lo) {
      throw new IllegalArgumentException(
          ConfigNode.quote(text) + " has host bits set (did you mean " + normalized + "?)");
    }
    return new Cidr(net.hi, net.lo, mapped, normalized);
  }

  private static String canonical(boolean v4, long hi, long lo) {
    byte[] out;
    if (v4) {
      int a = (int) lo;
      out = new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
    } else {
      out = new byte[16];
      for (int i = 0; i < 8; i++) {
        out[i] = (byte) (hi >>> (56 - 8 * i));
        out[8 + i] = (byte) (lo >>> (56 - 8 * i));
      }
    }
    try {
      String s = InetAddress.getByAddress(out).getHostAddress();
      return v4 ? s : compress(s);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Java writes 2001:db8:0:0:0:0:0:0; RFC 5952 writes 2001:db8::. */
  static String compress(String full) {
    String[] parts = full.split(":");
    int bestAt = -1;
    int bestLen = 1;
    for (int i = 0; i < parts.length; ) {
      if (parts[i].equals("0")) {
        int j = i;
        while (j < parts.length && parts[j].equals("0")) {
          j++;
        }
        if (j - i > bestLen) {
          bestAt = i;
          bestLen = j - i;
        }
        i = j;
      } else {
        i++;
      }
    }
    if (bestAt < 0) {
      return full;
    }
    String left = String.join(":", java.util.Arrays.copyOfRange(parts, 0, bestAt));
    String right = String.join(":", java.util.Arrays.copyOfRange(parts, bestAt + bestLen, 8));
    return left + "::" + right;
  }

  private static int toInt(byte[] b, int at) {
    return (b[at] & 0xFF) << 24
        | (b[at + 1] & 0xFF) << 16
        | (b[at + 2] & 0xFF) << 8
        | b[at + 3] & 0xFF;
  }

  private static long toLong(byte[] b, int at) {
    return Integer.toUnsignedLong(toInt(b, at)) << 32 | Integer.toUnsignedLong(toInt(b, at + 4));
  }

  @Override
  public String toString() {
    return text;
  }
}
