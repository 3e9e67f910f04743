package dev.flowgate.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The frame builder against an independent dissector: scapy (Debian's /usr/bin/python3) decodes
 * each frame, recomputes every length and checksum field, and must rebuild the exact same bytes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FramesTest {
  private static final String SCAPY_CHECK =
      """
      import sys
      from scapy.all import Ether, raw
      for line in open(sys.argv[1]):
          b = bytes.fromhex(line.strip())
          p = Ether(b)
          layer = p
          while layer and layer.name != 'Raw':
              for f in ('chksum', 'cksum', 'len', 'plen'):
                  if f in layer.fields:
                      delattr(layer, f)
              if layer.name in ('TCP', 'UDP', 'SCTP', 'ICMP') or layer.name.startswith('ICMPv6'):
                  break  # what follows is payload, not headers of ours
              layer = layer.payload
          print('ok' if raw(p) == b else 'MISMATCH ' + p.summary() + ' ' + raw(p).hex())
      """;

  static final List<Frame> FRAMES =
      List.of(
          Frames.ipv4("198.51.100.1", "203.0.113.2")
              .tos(0xb8)
              .tcp(40000, 443, Frames.TCP_SYN)
              .payload(33)
              .build(),
          Frames.ipv4("198.51.100.1", "203.0.113.2")
              .options(new byte[] {7, 7, 4, 0, 0, 0, 0})
              .udp(1, 2)
              .payload(5)
              .build(),
          Frames.ipv4("198.51.100.1", "203.0.113.2").dot1q(10).icmp(8, 0).payload(56).build(),
          Frames.ipv4("198.51.100.1", "203.0.113.2")
              .dot1ad(20)
              .dot1q(30)
              .sctp(2905, 2905)
              .payload(20)
              .build(),
          Frames.ipv4("198.51.100.1", "203.0.113.2")
              .fragment(0, true)
              .udp(7, 7)
              .payload(64)
              .build(),
          Frames.ipv6("2001:db8::1", "2001:db8::2")
              .tos(0x20)
              .flowLabel(0x12345)
              .tcp(1, 2, Frames.TCP_ACK)
              .payload(10)
              .build(),
          Frames.ipv6("2001:db8::1", "2001:db8::2")
              .hopByHop(8)
              .destinationOptions(16)
              .udp(546, 547)
              .payload(3)
              .build(),
          Frames.ipv6("2001:db8::1", "2001:db8::2").icmpv6(128, 0).payload(32).build(),
          Frames.ipv6("2001:db8::1", "2001:db8::2").sctp(9, 9).payload(4).build(),
          Frames.ipv6("2001:db8::1", "2001:db8::2")
              .fragment(0, true)
              .udp(5, 5)
              .payload(16)
              .build());

  @Test
  void scapyRebuildsEveryFrameByteForByte() throws Exception {
    Path dir = Files.createTempDirectory("fg-frames");
    try {
      Path hex = dir.resolve("frames.hex");
      Files.write(hex, FRAMES.stream().map(f -> HexFormat.of().formatHex(f.bytes())).toList());
      Command.Result r = Command.check("/usr/bin/python3", "-c", SCAPY_CHECK, hex.toString());
      assertThat(r.stdout().lines().toList()).containsOnly("ok").hasSize(FRAMES.size());
    } finally {
      Files.walk(dir).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void boundariesMarkEveryHeaderStart() {
    Frame f =
        Frames.ipv4("198.51.100.1", "203.0.113.2")
            .dot1q(5)
            .options(new byte[4])
            .udp(1, 2)
            .payload(4)
            .build();
    // 14: inside the tag, 16: after it, 18: IPv4, 38: past its fixed part, 42: UDP, 50: payload
    assertThat(f.boundaries()).containsExactly(14, 16, 18, 38, 42, 50);
    assertThat(f.l3Offset()).isEqualTo(18);
    assertThat(f.l4Offset()).isEqualTo(42);
    assertThat(f.ipLength()).isEqualTo(24 + 8 + 4);
  }

  @Test
  void laterFragmentCarriesNoTransportHeader() {
    Frame f =
        Frames.ipv6("2001:db8::1", "2001:db8::2")
            .fragment(1280, false)
            .tcp(1, 2, 0)
            .payload(10)
            .build();
    assertThat(f.l4Offset()).isEqualTo(-1);
    assertThat(f.length()).isEqualTo(14 + 40 + 8 + 10);
    assertThat(f.bytes()[14 + 40] & 0xff)
        .as("fragment header's next header")
        .isEqualTo(Frames.IPPROTO_TCP);
  }
}
