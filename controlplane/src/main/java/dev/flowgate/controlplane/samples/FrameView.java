package dev.flowgate.controlplane.samples;

/**
 * The fields a capture filter tests, parsed once per frame from its captured bytes: up to two VLAN
 * tags (802.1Q, 802.1ad) are looked through, as the dataplane does; IPv6 extension headers
 * (hop-by-hop, routing, fragment, destination options) are walked, at most six. A frame cut before
 * a field leaves that field unknown: it matches no test of it.
 */
public final class FrameView {

  private static final int ETH_HEADER = 14;
  private static final int ETH_P_IP = 0x0800;
  private static final int ETH_P_IPV6 = 0x86DD;
  private static final int ETH_P_8021Q = 0x8100;
  private static final int ETH_P_8021AD = 0x88A8;
  private static final int MAX_IPV6_EXT = 6;

  /** 4 or 6; 0 when the frame is not IP (or its IP header is cut). */
  int ipVersion;

  /** IPv4 protocol or IPv6 next header after the extension headers; -1 if unknown. */
  int protocol;

  /** Source and destination address: 4 or 16 bytes at {@code src}/{@code dst} of {@code data}. */
  byte[] data;

  int src;
  int dst;

  /** Transport ports, when {@link #hasPorts} (TCP, UDP or SCTP, first fragment, not cut). */
  boolean hasPorts;

  int srcPort;
  int dstPort;

  /** 4 or 6; 0 when the frame is not IP (or its IP header is cut). */
  public int ipVersion() {
    return ipVersion;
  }

  /** Offset of the source address in the parsed data. */
  public int srcOffset() {
    return src;
  }

  /** Offset of the destination address in the parsed data. */
  public int dstOffset() {
    return dst;
  }

  /** The IPv4 address at {@code at} of the parsed data. */
  public int v4(int at) {
    return (int) word(at, 4);
  }

  /** The first 8 bytes of the IPv6 address at {@code at} of the parsed data, big-endian. */
  public long addressHi(int at) {
    return word(at, 8);
  }

  /** The last 8 bytes of the IPv6 address at {@code at} of the parsed data, big-endian. */
  public long addressLo(int at) {
    return word(at + 8, 8);
  }

  /** Whether the transport ports are known (TCP, UDP or SCTP, first fragment, not cut). */
  public boolean hasPorts() {
    return hasPorts;
  }

  /** The source port, when {@link #hasPorts()}. */
  public int srcPort() {
    return srcPort;
  }

  /** The destination port, when {@link #hasPorts()}. */
  public int dstPort() {
    return dstPort;
  }

  private long word(int at, int bytes) {
    long w = 0;
    for (int i = 0; i < bytes; i++) {
      w = w << 8 | (data[at + i] & 0xFF);
    }
    return w;
  }

  /** Parses {@code len} bytes of {@code data} from {@code off}. */
  public FrameView parse(byte[] data, int off, int len) {
    this.data = data;
    ipVersion = 0;
    protocol = -1;
    hasPorts = false;
    int end = off + len;
    int p = off + 12;
    if (p + 2 > end) {
      return this;
    }
    int type = u16(data, p);
    for (int tags = 0; tags < 2 && (type == ETH_P_8021Q || type == ETH_P_8021AD); tags++) {
      p += 4;
      if (p + 2 > end) {
        return this;
      }
      type = u16(data, p);
    }
    p += 2;
    int l4;
    boolean first = true;
    if (type == ETH_P_IP) {
      if (p + 20 > end || (data[p] & 0xF0) != 0x40) {
        return this;
      }
      int ihl = (data[p] & 0x0F) * 4;
      if (ihl < 20) {
        return this;
      }
      ipVersion = 4;
      protocol = data[p + 9] & 0xFF;
      src = p + 12;
      dst = p + 16;
      first = (u16(data, p + 6) & 0x1FFF) == 0; // fragment offset 0
      l4 = p + ihl;
    } else if (type == ETH_P_IPV6) {
      if (p + 40 > end || (data[p] & 0xF0) != 0x60) {
        return this;
      }
      ipVersion = 6;
      src = p + 8;
      dst = p + 24;
      int next = data[p + 6] & 0xFF;
      l4 = p + 40;
      for (int n = 0; n <= MAX_IPV6_EXT; n++) {
        if (next != 0 && next != 43 && next != 44 && next != 60) {
          break;
        }
        if (n == MAX_IPV6_EXT || l4 + 8 > end) {
          return this; // protocol unknown
        }
        int following = data[l4] & 0xFF;
        if (next == 44) {
          first = (u16(data, l4 + 2) & 0xFFF8) == 0;
          l4 += 8;
        } else {
          l4 += ((data[l4 + 1] & 0xFF) + 1) * 8;
        }
        next = following;
      }
      protocol = next;
    } else {
      return this;
    }
    if (first && (protocol == 6 || protocol == 17 || protocol == 132) && l4 + 4 <= end) {
      hasPorts = true;
      srcPort = u16(data, l4);
      dstPort = u16(data, l4 + 2);
    }
    return this;
  }

  private static int u16(byte[] b, int at) {
    return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
  }
}
