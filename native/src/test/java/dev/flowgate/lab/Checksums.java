package dev.flowgate.lab;

import java.util.zip.CRC32C;

/** The checksums a crafted frame needs: the Internet checksum (RFC 1071) and SCTP's CRC32c. */
final class Checksums {
  private Checksums() {}

  /**
   * One's-complement sum of 16-bit words of {@code b[off, off+len)}, not yet folded or inverted.
   */
  static long sum(byte[] b, int off, int len, long acc) {
    int i = off;
    for (; i + 1 < off + len; i += 2) {
      acc += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }
    if (i < off + len) {
      acc += (b[i] & 0xff) << 8;
    }
    return acc;
  }

  /** Folds a sum to 16 bits and inverts it: the value to store. */
  static int fold(long acc) {
    while ((acc >>> 16) != 0) {
      acc = (acc & 0xffff) + (acc >>> 16);
    }
    return (int) (~acc & 0xffff);
  }

  /** The sum of the TCP/UDP/ICMPv6 pseudo-header (RFC 793 for IPv4, RFC 8200 8.1 for IPv6). */
  static long pseudoHeader(byte[] src, byte[] dst, int protocol, int l4Length) {
    long acc = sum(src, 0, src.length, 0);
    acc = sum(dst, 0, dst.length, acc);
    return acc + protocol + (l4Length & 0xffff) + (l4Length >>> 16);
  }

  /** SCTP's checksum (RFC 9260 appendix A): CRC32c of the packet with the field zeroed. */
  static int crc32c(byte[] b, int off, int len) {
    CRC32C crc = new CRC32C();
    crc.update(b, off, len);
    return (int) crc.getValue();
  }
}
