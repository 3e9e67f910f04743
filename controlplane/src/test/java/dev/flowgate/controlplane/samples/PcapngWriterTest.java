package dev.flowgate.controlplane.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapngWriterTest {

  /** 2023-11-14T22:13:20.123456789Z in ns: 0x17979cfe_3d85cd15. */
  private static final long TIME = 1_700_000_000_123_456_789L;

  private final ByteBuf out = Unpooled.buffer();

  @AfterEach
  void release() {
    out.release();
  }

  /** Hex digits per line; anything after '|' is a comment. */
  private static String hex(String listing) {
    StringBuilder sb = new StringBuilder();
    for (String line : listing.split("\n")) {
      int bar = line.indexOf('|');
      sb.append((bar >= 0 ? line.substring(0, bar) : line).replaceAll("\\s+", ""));
    }
    return sb.toString();
  }

  @Test
  void sectionHeaderAndInterfaceDescriptionByteForByte() {
    PcapngWriter.sectionHeader(out, "fg");
    PcapngWriter.interfaceDescription(out, "veth0", 128);
    assertThat(ByteBufUtil.hexDump(out))
        .isEqualTo(
            hex(
                """
                0a0d0d0a 28000000  | SHB, length 8 + 16 + 8 + 8 = 40
                4d3c2b1a 0100 0000 | byte-order magic, version 1.0
                ffffffffffffffff   | section length unknown
                0400 0200 6667 0000 | shb_userappl "fg", padded
                00000000 28000000  | end of options, length 40
                01000000 2c000000  | IDB, length 8 + 8 + 12 + 8 + 8 = 44
                0100 0000 80000000 | Ethernet, reserved, snap length 128
                0200 0500 7665746830 000000 | if_name "veth0", padded
                0900 0100 09 000000 | if_tsresol 9: nanoseconds
                00000000 2c000000  | end of options, length 44
                """));
  }

  @Test
  void enhancedPacketCarriesOriginalLengthDirectionAndComment() {
    byte[] frame = {1, 2, 3, 4, 5};
    PcapngWriter.enhancedPacket(
        out, 1, TIME, frame, 0, 5, 1514, 1, "1 in 10".getBytes(StandardCharsets.UTF_8));
    assertThat(ByteBufUtil.hexDump(out))
        .isEqualTo(
            hex(
                """
                06000000 40000000  | EPB, length 28 + 8 + 8 + 12 + 4 + 4 = 64
                01000000           | interface 1
                fe9c9717 15cd853d  | timestamp ns, high word then low word
                05000000 ea050000  | captured 5, original 1514
                0102030405 000000  | the bytes, padded
                0200 0400 02000000 | epb_flags: outbound
                0100 0700 3120696e203130 00 | opt_comment "1 in 10", padded
                00000000 40000000  | end of options, length 64
                """));
  }

  @Test
  void interfaceStatisticsByteForByte() {
    PcapngWriter.interfaceStatistics(out, 0, TIME, TIME, 5, 2, 3, "x");
    assertThat(ByteBufUtil.hexDump(out))
        .isEqualTo(
            hex(
                """
                05000000 60000000  | ISB, length 8 + 12 + 5 * 12 + 8 + 8 = 96
                00000000           | interface 0
                fe9c9717 15cd853d  | timestamp: the end
                0200 0800 fe9c9717 15cd853d | isb_starttime
                0300 0800 fe9c9717 15cd853d | isb_endtime
                0400 0800 0500000000000000  | isb_ifrecv 5
                0500 0800 0200000000000000  | isb_ifdrop 2
                0800 0800 0300000000000000  | isb_usrdeliv 3
                0100 0100 78 000000         | comment "x"
                00000000 60000000  | end of options, length 96
                """));
  }

  @Test
  void tsharkReadsWhatItWrites(@TempDir Path dir) throws Exception {
    PcapngWriter.sectionHeader(out, "flowgate");
    PcapngWriter.interfaceDescription(out, "a0", 128);
    PcapngWriter.interfaceDescription(out, "b0", 64);
    byte[] frame = new byte[60];
    frame[12] = 0x08; // an IPv4 ethertype, a zero header: tshark still frames it
    byte[] note = "sampled 1 in 100".getBytes(StandardCharsets.UTF_8);
    PcapngWriter.enhancedPacket(out, 0, TIME, frame, 0, 60, 60, 0, note);
    PcapngWriter.enhancedPacket(out, 1, TIME + 1000, frame, 0, 14, 1500, 1, note);
    PcapngWriter.interfaceStatistics(out, 0, TIME, TIME + 2000, 1, 0, 1, "no loss");
    PcapngWriter.interfaceStatistics(out, 1, TIME, TIME + 2000, 3, 2, 1, "2 lost");
    Path file = dir.resolve("x.pcapng");
    byte[] bytes = new byte[out.readableBytes()];
    out.getBytes(out.readerIndex(), bytes);
    Files.write(file, bytes);

    Process p =
        new ProcessBuilder(
                "tshark",
                "-r",
                file.toString(),
                "-T",
                "fields",
                "-e",
                "frame.interface_name",
                "-e",
                "frame.len",
                "-e",
                "frame.cap_len",
                "-e",
                "frame.comment",
                "-e",
                "frame.time_epoch")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(text).isZero();
    List<String> lines = text.strip().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).startsWith("a0\t60\t60\tsampled 1 in 100\t1700000000.123456789");
    assertThat(lines.get(1)).startsWith("b0\t1500\t14\tsampled 1 in 100\t1700000000.123457789");
  }
}
