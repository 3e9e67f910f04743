package dev.flowgate.lab;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds one exact frame, layer by layer: Ethernet, up to any number of VLAN tags, IPv4 (with
 * options, fragments) or IPv6 (with extension headers), a transport header, a payload. Lengths and
 * checksums are computed unless a test overrides them on purpose. Start with {@link Frames#ipv4},
 * {@link Frames#ipv6} or {@link Frames#ethernet}.
 *
 * <p>A non-first fragment ({@code fragment(offset > 0, ...)}) carries no transport header: the
 * transport method only sets the protocol number, and the payload follows the IP headers.
 */
public final class FrameBuilder {
  private enum Transport {
    NONE,
    TCP,
    UDP,
    SCTP,
    ICMP,
    ICMPV6,
    RAW
  }

  private record Tag(int tpid, int tci) {}

  private record Extension(int type, int length, int fragOffset, boolean more, int id) {}

  private MacAddress srcMac = MacAddress.local(1);
  private MacAddress dstMac = MacAddress.local(2);
  private final List<Tag> tags = new ArrayList<>();
  private int etherType;

  private final int ipVersion; // 0 = not IP
  private final byte[] srcIp;
  private final byte[] dstIp;
  private int tos;
  private int ttl = 64;
  private int ipId = 1;
  private boolean dontFragment;
  private boolean moreFragments;
  private int fragmentOffset;
  private byte[] ipv4Options = new byte[0];
  private int flowLabel;
  private final List<Extension> extensions = new ArrayList<>();
  private Integer lengthOverride;
  private Integer ihlOverride;
  private Integer versionOverride;

  private Transport transport = Transport.NONE;
  private int protocol = 255;
  private int srcPort;
  private int dstPort;
  private int tcpFlags;
  private int icmpType;
  private int icmpCode;
  private byte[] payload = new byte[0];

  FrameBuilder(int etherType) {
    this.etherType = etherType;
    this.ipVersion = 0;
    this.srcIp = null;
    this.dstIp = null;
  }

  FrameBuilder(String src, String dst) {
    this.srcIp = address(src);
    this.dstIp = address(dst);
    if (srcIp.length != dstIp.length) {
      throw new IllegalArgumentException(src + " and " + dst + " are not the same family");
    }
    this.ipVersion = srcIp.length == 4 ? 4 : 6;
    this.etherType = ipVersion == 4 ? Frames.ETH_P_IP : Frames.ETH_P_IPV6;
  }

  private static byte[] address(String literal) {
    if (!literal.matches("[0-9a-fA-F:.]+")) { // never a name lookup
      throw new IllegalArgumentException("not an IP literal: " + literal);
    }
    try {
      return InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP literal: " + literal, e);
    }
  }

  // ---- layer 2

  /** Source and destination Ethernet addresses (default 02:00:00:00:00:01 -> ...:02). */
  public FrameBuilder macs(MacAddress src, MacAddress dst) {
    this.srcMac = src;
    this.dstMac = dst;
    return this;
  }

  /** Appends an 802.1Q tag (TPID 0x8100); the first tag added is the outer one. */
  public FrameBuilder dot1q(int vid) {
    return tag(Frames.ETH_P_8021Q, vid);
  }

  /** Appends an 802.1ad service tag (TPID 0x88a8); the first tag added is the outer one. */
  public FrameBuilder dot1ad(int vid) {
    return tag(Frames.ETH_P_8021AD, vid);
  }

  /** Appends a tag with any TPID and TCI (PCP, DEI and VID as on the wire). */
  public FrameBuilder tag(int tpid, int tci) {
    tags.add(new Tag(tpid, tci));
    return this;
  }

  // ---- layer 3

  /** IPv4 ToS / IPv6 traffic class byte. */
  public FrameBuilder tos(int value) {
    this.tos = value;
    return this;
  }

  /** IPv4 TTL / IPv6 hop limit (default 64). */
  public FrameBuilder ttl(int value) {
    this.ttl = value;
    return this;
  }

  /** IPv4 identification / IPv6 fragment header identification (default 1). */
  public FrameBuilder id(int value) {
    this.ipId = value;
    return this;
  }

  /** IPv6 flow label (20 bits). */
  public FrameBuilder flowLabel(int value) {
    this.flowLabel = value;
    return this;
  }

  /** Sets IPv4's DF bit. */
  public FrameBuilder dontFragment() {
    this.dontFragment = true;
    return this;
  }

  /** IPv4 options, padded with End-of-Options to a multiple of 4 bytes (ihl follows). */
  public FrameBuilder options(byte[] options) {
    int padded = (options.length + 3) & ~3;
    this.ipv4Options = java.util.Arrays.copyOf(options, padded);
    return this;
  }

  /**
   * Makes this a fragment at byte {@code offset} (a multiple of 8) with MF = {@code more}. IPv4:
   * the header's fields; IPv6: a Fragment header appended to the extension chain here.
   */
  public FrameBuilder fragment(int offset, boolean more) {
    if (offset % 8 != 0) {
      throw new IllegalArgumentException("fragment offset must be a multiple of 8: " + offset);
    }
    if (ipVersion == 6) {
      extensions.add(new Extension(Frames.IPPROTO_FRAGMENT, 8, offset, more, ipId));
    } else {
      this.fragmentOffset = offset;
      this.moreFragments = more;
    }
    return this;
  }

  /** An IPv6 Hop-by-Hop Options header of {@code length} bytes (8, 16, ...), padded with Pad1. */
  public FrameBuilder hopByHop(int length) {
    return extension(Frames.IPPROTO_HOPOPTS, length);
  }

  /** An IPv6 Routing header (type 0, segments left 0) of {@code length} bytes. */
  public FrameBuilder routing(int length) {
    return extension(Frames.IPPROTO_ROUTING, length);
  }

  /** An IPv6 Destination Options header of {@code length} bytes, padded with Pad1. */
  public FrameBuilder destinationOptions(int length) {
    return extension(Frames.IPPROTO_DSTOPTS, length);
  }

  /**
   * Any IPv6 extension header of {@code length} bytes (a multiple of 8; AH, type 51, a multiple of
   * 4 of at least 12), zero-filled after its next-header and length bytes.
   */
  public FrameBuilder extension(int type, int length) {
    boolean ah = type == Frames.IPPROTO_AH;
    if (ah ? length < 12 || length % 4 != 0 : length < 8 || length % 8 != 0) {
      throw new IllegalArgumentException("bad length " + length + " for extension " + type);
    }
    extensions.add(new Extension(type, length, 0, false, 0));
    return this;
  }

  /** Writes {@code value} as IPv4 total length / IPv6 payload length instead of the true one. */
  public FrameBuilder lengthField(int value) {
    this.lengthOverride = value;
    return this;
  }

  /** Writes {@code value} as IPv4 ihl instead of the true one (the header is not resized). */
  public FrameBuilder ihlField(int value) {
    this.ihlOverride = value;
    return this;
  }

  /** Writes {@code value} as the IP version nibble instead of 4 or 6. */
  public FrameBuilder versionField(int value) {
    this.versionOverride = value;
    return this;
  }

  // ---- layer 4

  /** A 20-byte TCP header with {@code flags} (see {@link Frames#TCP_SYN} etc.). */
  public FrameBuilder tcp(int srcPort, int dstPort, int flags) {
    return ports(Transport.TCP, Frames.IPPROTO_TCP, srcPort, dstPort).flags(flags);
  }

  /** An 8-byte UDP header. */
  public FrameBuilder udp(int srcPort, int dstPort) {
    return ports(Transport.UDP, Frames.IPPROTO_UDP, srcPort, dstPort);
  }

  /** A 12-byte SCTP common header (verification tag 1, CRC32c checksum). */
  public FrameBuilder sctp(int srcPort, int dstPort) {
    return ports(Transport.SCTP, Frames.IPPROTO_SCTP, srcPort, dstPort);
  }

  /** An 8-byte ICMP header (identifier 1, sequence 1 for echo). */
  public FrameBuilder icmp(int type, int code) {
    return icmp(Transport.ICMP, Frames.IPPROTO_ICMP, type, code);
  }

  /** An 8-byte ICMPv6 header with the pseudo-header checksum. */
  public FrameBuilder icmpv6(int type, int code) {
    return icmp(Transport.ICMPV6, Frames.IPPROTO_ICMPV6, type, code);
  }

  /** Any other protocol number; no transport header, the payload follows the IP headers. */
  public FrameBuilder protocol(int number) {
    this.transport = Transport.RAW;
    this.protocol = number;
    return this;
  }

  private FrameBuilder flags(int flags) {
    this.tcpFlags = flags;
    return this;
  }

  private FrameBuilder ports(Transport t, int proto, int sp, int dp) {
    this.transport = t;
    this.protocol = proto;
    this.srcPort = sp;
    this.dstPort = dp;
    return this;
  }

  private FrameBuilder icmp(Transport t, int proto, int type, int code) {
    this.transport = t;
    this.protocol = proto;
    this.icmpType = type;
    this.icmpCode = code;
    return this;
  }

  /** The bytes after every header. */
  public FrameBuilder payload(byte[] bytes) {
    this.payload = bytes.clone();
    return this;
  }

  /** {@code n} payload bytes 0, 1, 2, ... (mod 256). */
  public FrameBuilder payload(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) i;
    }
    this.payload = b;
    return this;
  }

  // ---- assembly

  /** Assembles the frame. */
  public Frame build() {
    List<Integer> boundaries = new ArrayList<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(dstMac.bytes());
    out.writeBytes(srcMac.bytes());
    for (Tag t : tags) {
      be16(out, t.tpid());
      boundaries.add(out.size()); // cut inside the tag: TPID without TCI
      be16(out, t.tci());
      boundaries.add(out.size()); // cut after the tag
    }
    be16(out, etherType);
    boundaries.add(out.size());
    if (ipVersion == 0) {
      int payloadOffset = out.size();
      out.writeBytes(payload);
      return new Frame(
          out.toByteArray(),
          -1,
          -1,
          payloadOffset,
          0,
          boundaries.stream().filter(b -> b < out.size()).toList());
    }
    int l3 = out.size();
    boolean laterFragment =
        fragmentOffset > 0
            || extensions.stream()
                .anyMatch(e -> e.type() == Frames.IPPROTO_FRAGMENT && e.fragOffset() > 0);
    byte[] l4 = laterFragment ? new byte[0] : transportHeader();
    byte[] ip;
    if (ipVersion == 4) {
      ip = ipv4Header(l4.length + payload.length);
      boundaries.add(l3 + 20); // the fixed header, before any options
    } else {
      ip = ipv6Header(l4.length + payload.length, boundaries, l3);
    }
    out.writeBytes(ip);
    int ipLength = ip.length + l4.length + payload.length;
    boundaries.add(out.size()); // after every IP header
    int l4Offset = l4.length > 0 ? out.size() : -1;
    out.writeBytes(l4);
    boundaries.add(out.size()); // after the transport header
    int payloadOffset = out.size();
    out.writeBytes(payload);
    byte[] frame = out.toByteArray();
    if (l4Offset >= 0) {
      fillTransportChecksum(frame, l4Offset, frame.length - l4Offset);
    }
    if (lengthOverride != null) {
      ipLength = ipVersion == 4 ? lengthOverride : 40 + lengthOverride;
    }
    List<Integer> cuts =
        boundaries.stream().filter(b -> b < frame.length).distinct().sorted().toList();
    return new Frame(frame, l3, l4Offset, payloadOffset, ipLength, cuts);
  }

  private byte[] ipv4Header(int l4AndPayload) {
    int hlen = 20 + ipv4Options.length;
    byte[] h = new byte[hlen];
    int version = versionOverride != null ? versionOverride : 4;
    int ihl = ihlOverride != null ? ihlOverride : hlen / 4;
    h[0] = (byte) ((version << 4) | (ihl & 0xf));
    h[1] = (byte) tos;
    put16(h, 2, lengthOverride != null ? lengthOverride : hlen + l4AndPayload);
    put16(h, 4, ipId);
    int frag = (fragmentOffset / 8) | (moreFragments ? 0x2000 : 0) | (dontFragment ? 0x4000 : 0);
    put16(h, 6, frag);
    h[8] = (byte) ttl;
    h[9] = (byte) protocol;
    System.arraycopy(srcIp, 0, h, 12, 4);
    System.arraycopy(dstIp, 0, h, 16, 4);
    System.arraycopy(ipv4Options, 0, h, 20, ipv4Options.length);
    put16(h, 10, Checksums.fold(Checksums.sum(h, 0, hlen, 0)));
    return h;
  }

  private byte[] ipv6Header(int l4AndPayload, List<Integer> boundaries, int l3) {
    int extLen = extensions.stream().mapToInt(Extension::length).sum();
    byte[] h = new byte[40 + extLen];
    int version = versionOverride != null ? versionOverride : 6;
    int word0 = (version << 28) | ((tos & 0xff) << 20) | (flowLabel & 0xfffff);
    put16(h, 0, word0 >>> 16);
    put16(h, 2, word0 & 0xffff);
    put16(h, 4, lengthOverride != null ? lengthOverride : extLen + l4AndPayload);
    h[6] = (byte) (extensions.isEmpty() ? protocol : extensions.get(0).type());
    h[7] = (byte) ttl;
    System.arraycopy(srcIp, 0, h, 8, 16);
    System.arraycopy(dstIp, 0, h, 24, 16);
    int at = 40;
    for (int i = 0; i < extensions.size(); i++) {
      boundaries.add(l3 + at);
      Extension e = extensions.get(i);
      h[at] = (byte) (i + 1 < extensions.size() ? extensions.get(i + 1).type() : protocol);
      if (e.type() == Frames.IPPROTO_FRAGMENT) {
        put16(h, at + 2, e.fragOffset() | (e.more() ? 1 : 0));
        put16(h, at + 4, e.id() >>> 16);
        put16(h, at + 6, e.id() & 0xffff);
      } else if (e.type() == Frames.IPPROTO_AH) {
        h[at + 1] = (byte) (e.length() / 4 - 2);
      } else {
        h[at + 1] = (byte) (e.length() / 8 - 1);
      }
      at += e.length();
    }
    return h;
  }

  private byte[] transportHeader() {
    return switch (transport) {
      case NONE, RAW -> new byte[0];
      case TCP -> {
        byte[] t = new byte[20];
        put16(t, 0, srcPort);
        put16(t, 2, dstPort);
        put16(t, 4, 0); // seq high
        put16(t, 6, 1); // seq low
        t[12] = 5 << 4; // data offset: 5 words
        t[13] = (byte) tcpFlags;
        put16(t, 14, 65535); // window
        yield t;
      }
      case UDP -> {
        byte[] t = new byte[8];
        put16(t, 0, srcPort);
        put16(t, 2, dstPort);
        put16(t, 4, 8 + payload.length); // 8: the UDP header itself
        yield t;
      }
      case SCTP -> {
        byte[] t = new byte[12];
        put16(t, 0, srcPort);
        put16(t, 2, dstPort);
        put16(t, 6, 1); // verification tag
        yield t;
      }
      case ICMP, ICMPV6 -> {
        byte[] t = new byte[8];
        t[0] = (byte) icmpType;
        t[1] = (byte) icmpCode;
        put16(t, 4, 1); // identifier (echo)
        put16(t, 6, 1); // sequence (echo)
        yield t;
      }
    };
  }

  private void fillTransportChecksum(byte[] f, int off, int len) {
    switch (transport) {
      case TCP ->
          put16(
              f,
              off + 16,
              Checksums.fold(
                  Checksums.sum(f, off, len, Checksums.pseudoHeader(srcIp, dstIp, protocol, len))));
      case UDP -> {
        int c =
            Checksums.fold(
                Checksums.sum(f, off, len, Checksums.pseudoHeader(srcIp, dstIp, protocol, len)));
        put16(f, off + 6, c == 0 ? 0xffff : c); // RFC 768: 0 means "no checksum"
      }
      case ICMP -> put16(f, off + 2, Checksums.fold(Checksums.sum(f, off, len, 0)));
      case ICMPV6 ->
          put16(
              f,
              off + 2,
              Checksums.fold(
                  Checksums.sum(f, off, len, Checksums.pseudoHeader(srcIp, dstIp, protocol, len))));
      case SCTP -> {
        int crc = Checksums.crc32c(f, off, len);
        // stored in the byte order the CRC is computed in (RFC 9260 appendix A)
        f[off + 8] = (byte) crc;
        f[off + 9] = (byte) (crc >>> 8);
        f[off + 10] = (byte) (crc >>> 16);
        f[off + 11] = (byte) (crc >>> 24);
      }
      default -> {}
    }
  }

  private static void be16(ByteArrayOutputStream out, int v) {
    out.write((v >>> 8) & 0xff);
    out.write(v & 0xff);
  }

  private static void put16(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 8);
    b[off + 1] = (byte) v;
  }
}
