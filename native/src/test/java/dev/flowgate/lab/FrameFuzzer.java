package dev.flowgate.lab;

import java.util.Arrays;
import java.util.Random;

/**
 * Random frames for fuzzing a parser, all from one seed: well-formed frames of random shape (0-2
 * VLAN tags, IPv4 with options and fragments, IPv6 with extension chains, every transport the
 * parser knows and some it does not), the same mutated (bytes flipped, header fields smashed, cut
 * short, garbage appended), and plain garbage. Frames are 14 to {@link #MAX_LENGTH} bytes.
 */
public final class FrameFuzzer {
  /** Longest frame produced: fits one page of a BPF_PROG_TEST_RUN buffer. */
  public static final int MAX_LENGTH = 1600;

  private static final int[] ETHER_TYPES = {
    Frames.ETH_P_IP, Frames.ETH_P_IPV6, Frames.ETH_P_8021Q, Frames.ETH_P_8021AD, Frames.ETH_P_ARP, 0
  };
  private static final int[] EXTENSIONS = {
    Frames.IPPROTO_HOPOPTS,
    Frames.IPPROTO_ROUTING,
    Frames.IPPROTO_DSTOPTS,
    Frames.IPPROTO_AH,
    Frames.IPPROTO_FRAGMENT
  };

  private final Random random;

  /** A fuzzer whose whole output is fixed by {@code seed}. */
  public FrameFuzzer(long seed) {
    this.random = new Random(seed);
  }

  /** The next frame: 15% garbage, 35% well-formed, 50% mutated. */
  public byte[] next() {
    int dice = random.nextInt(100);
    if (dice < 15) {
      return garbage();
    }
    byte[] f = wellFormed().bytes();
    return dice < 50 ? f : mutate(f);
  }

  /** Random bytes, 14 to 200 long; the EtherType sometimes an IP or VLAN one. */
  public byte[] garbage() {
    byte[] g = Frames.garbage(random, 14 + random.nextInt(187));
    if (random.nextBoolean()) {
      int et = ETHER_TYPES[random.nextInt(ETHER_TYPES.length)];
      g[12] = (byte) (et >>> 8);
      g[13] = (byte) et;
    }
    return g;
  }

  /** A well-formed frame of random shape. */
  public Frame wellFormed() {
    boolean v6 = random.nextBoolean();
    FrameBuilder b =
        v6
            ? Frames.ipv6(
                "2001:db8:" + random.nextInt(4) + "::" + random.nextInt(300),
                "2001:db8:f::" + random.nextInt(300))
            : Frames.ipv4("198.51.100." + random.nextInt(256), "203.0.113." + random.nextInt(256));
    for (int tags = random.nextInt(3); tags > 0; tags--) {
      if (random.nextBoolean()) {
        b.dot1q(random.nextInt(4096));
      } else {
        b.dot1ad(random.nextInt(4096));
      }
    }
    b.tos(random.nextInt(256)).ttl(1 + random.nextInt(255)).id(random.nextInt(65536));
    if (v6) {
      for (int n = random.nextInt(10) < 7 ? 0 : random.nextInt(9); n > 0; n--) {
        int type = EXTENSIONS[random.nextInt(EXTENSIONS.length)];
        if (type == Frames.IPPROTO_FRAGMENT) {
          b.fragment(8 * random.nextInt(3), random.nextBoolean());
        } else {
          b.extension(
              type,
              type == Frames.IPPROTO_AH ? 12 + 4 * random.nextInt(4) : 8 * (1 + random.nextInt(3)));
        }
      }
    } else {
      if (random.nextInt(4) == 0) {
        byte[] opts = new byte[4 * (1 + random.nextInt(10))];
        Arrays.fill(opts, (byte) 1);
        b.options(opts);
      }
      if (random.nextInt(5) == 0) {
        b.fragment(8 * random.nextInt(3), random.nextBoolean());
      }
    }
    int sp = random.nextInt(65536);
    int dp = random.nextInt(65536);
    switch (random.nextInt(8)) {
      case 0, 1 -> b.tcp(sp, dp, random.nextInt(256));
      case 2, 3 -> b.udp(sp, dp);
      case 4 -> b.sctp(sp, dp);
      case 5 -> {
        if (v6) {
          b.icmpv6(random.nextInt(256), random.nextInt(256));
        } else {
          b.icmp(random.nextInt(256), random.nextInt(256));
        }
      }
      case 6 ->
          b.protocol(
              new int[] {Frames.IPPROTO_GRE, Frames.IPPROTO_ESP, Frames.IPPROTO_NONE, 253}
                  [random.nextInt(4)]);
      default -> b.protocol(random.nextInt(256));
    }
    return b.payload(random.nextInt(random.nextInt(10) == 0 ? 1400 : 100)).build();
  }

  /** {@code frame} with one to four random mutations. */
  public byte[] mutate(byte[] frame) {
    byte[] f = frame.clone();
    for (int n = 1 + random.nextInt(4); n > 0; n--) {
      switch (random.nextInt(6)) {
        case 0 -> f[random.nextInt(f.length)] ^= (byte) (1 << random.nextInt(8));
        case 1 -> f[random.nextInt(f.length)] = (byte) random.nextInt(256);
        case 2 -> f = Arrays.copyOf(f, 14 + random.nextInt(f.length - 13)); // cut short
        case 3 -> { // smash a byte near the headers: version/ihl, lengths, next header, tags
          int at = 12 + random.nextInt(Math.min(f.length - 12, 80));
          f[at] = (byte) random.nextInt(256);
        }
        case 4 -> { // append garbage
          int extra = random.nextInt(64);
          byte[] g = Arrays.copyOf(f, Math.min(MAX_LENGTH, f.length + extra));
          for (int i = f.length; i < g.length; i++) {
            g[i] = (byte) random.nextInt(256);
          }
          f = g;
        }
        default -> { // a different EtherType or TPID at the first type field
          int et = ETHER_TYPES[random.nextInt(ETHER_TYPES.length)];
          f[12] = (byte) (et >>> 8);
          f[13] = (byte) et;
        }
      }
    }
    return f.length > MAX_LENGTH ? Arrays.copyOf(f, MAX_LENGTH) : f;
  }
}
