package dev.flowgate.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.controlplane.testing.FlowgateProcess;
import dev.flowgate.exporters.testing.TestFlow;
import dev.flowgate.lab.Command;
import dev.flowgate.lab.Frame;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.Lab;
import dev.flowgate.lab.Netns;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * flowgate on an L3 device: a {@code tun} interface (no Ethernet header) configured with {@code
 * mode: xdp}. tun has no native XDP, so flowgate counts it at TC ingress and logs why; the link
 * type (ARPHRD_NONE) makes the programs parse from the IP header. A known mix written into the tun
 * is exported as flows exactly (Arrow files), with the tun's ifindex.
 *
 * <p>The tun has no address, IPv4 forwarding off and IPv6 off: the host drops the packets after the
 * hook.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(300)
class TunEndToEndTest {
  /** Writes hex-encoded IP packets (argv[2..]) into tun argv[1] (IFF_TUN | IFF_NO_PI). */
  private static final String TUN_WRITER =
      """
      import fcntl, os, struct, sys
      fd = os.open("/dev/net/tun", os.O_RDWR)
      fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", sys.argv[1].encode(), 0x0001 | 0x1000))
      for h in sys.argv[2:]:
          os.write(fd, bytes.fromhex(h))
      os.close(fd)
      """;

  private Lab lab;
  private Path dir;
  private String tun;

  @BeforeEach
  void lab() {
    lab = Lab.open();
    dir = lab.tempDir();
    tun = Lab.uniqueName();
    Command.check("ip", "tuntap", "add", "dev", tun, "mode", "tun");
    lab.onClose("tun " + tun, () -> Command.check("ip", "link", "del", "dev", tun));
    Command.check("sysctl", "-q", "-w", "net.ipv6.conf." + tun + ".disable_ipv6=1");
    Command.check("sysctl", "-q", "-w", "net.ipv4.conf." + tun + ".forwarding=0");
    Command.check("ip", "link", "set", "dev", tun, "up");
  }

  @AfterEach
  void cleanup() {
    lab.close();
  }

  @Test
  void recordMacsOnATunDeviceIsRefusedWithAClearError() throws Exception {
    int api = FlowgateProcess.freePort();
    Path config = dir.resolve("macs.yaml");
    Files.writeString(
        config,
        """
        interfaces:
          - name: %s
            record-macs: true
        dataplane:
          pin-path: %s
          keep-attached: false
        state-directory: %s
        api:
          listen: 127.0.0.1:%d
        """
            .formatted(tun, lab.pinDir(), dir.resolve("state"), api));
    try (FlowgateProcess fg =
        FlowgateProcess.launch(
            FlowgateProcess.command(List.of(), System.getProperty("java.class.path"), config),
            Map.of(),
            api,
            dir.resolve("macs.log"))) {
      String needle =
          "record-macs: true on " + tun + ": its link type (none) has no Ethernet header";
      while (!fg.log().contains(needle)) {
        assertThat(fg.isAlive()).as(fg.log()).isTrue();
        Thread.sleep(100);
      }
      assertThat(fg.log()).contains(needle + ", so there are no MAC addresses to record");
    }
  }

  @Test
  void tunTrafficIsExportedAsFlowsExactlyAfterTheXdpFallback() throws Exception {
    List<Frame> mix = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      mix.add(Frames.ipv4("198.51.100.9", "203.0.113.9").udp(5001, 53).payload(20 + i).build());
    }
    for (int i = 0; i < 2; i++) {
      mix.add(Frames.ipv6("2001:db8:9::1", "2001:db8:9::2").udp(6001, 53).payload(50).build());
    }
    mix.add(Frames.ipv4("198.51.100.9", "203.0.113.9").icmp(8, 0).payload(56).build());
    // flow key (src dst sport dport proto) -> packets, bytes
    Map<String, long[]> expected = new TreeMap<>();
    List<String> argv = new ArrayList<>(List.of("/usr/bin/python3", "-c", TUN_WRITER, tun));
    for (Frame f : mix) {
      byte[] ip = Arrays.copyOfRange(f.bytes(), 14, f.bytes().length); // no Ethernet on a tun
      argv.add(HexFormat.of().formatHex(ip));
      long[] pb = expected.computeIfAbsent(key(ip), k -> new long[2]);
      pb[0]++;
      pb[1] += f.ipLength();
    }

    int api = FlowgateProcess.freePort();
    Path arrowDir = dir.resolve("flows");
    Path config = dir.resolve("flowgate.yaml");
    Files.writeString(
        config,
        """
        interfaces:
          - name: %s
            mode: xdp
            direction: ingress
        flows:
          max-flows: 4096
          sweep-interval: 200ms
          idle-timeout: 1s
        dataplane:
          pin-path: %s
          keep-attached: false
        state-directory: %s
        export:
          arrow:
            directory: %s
        api:
          listen: 127.0.0.1:%d
        """
            .formatted(tun, lab.pinDir(), dir.resolve("state"), arrowDir, api));
    int ifindex = Netns.HOST.ifindex(tun);
    try (FlowgateProcess fg = FlowgateProcess.start(config, api, dir.resolve("fg.log"))) {
      Command.check(argv.toArray(String[]::new));
      JsonNode s =
          fg.awaitStatus(x -> sum(x, "kernel") == mix.size() && sum(x, "exported") == mix.size());
      assertThat(sum(s, "exported")).as(fg.log()).isEqualTo(mix.size());
      assertThat(fg.log())
          .contains(tun + ": native XDP refused")
          .contains("counting at TC ingress instead")
          .contains("link none");
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
    Map<String, long[]> exported = new TreeMap<>();
    for (TestFlow f : ArrowFlowFiles.read(arrowDir)) {
      assertThat(f.ifindex()).isEqualTo(ifindex);
      String k =
          InetAddress.getByName(f.src()).getHostAddress()
              + " "
              + InetAddress.getByName(f.dst()).getHostAddress()
              + " "
              + f.srcPort()
              + " "
              + f.dstPort()
              + " "
              + f.protocol();
      long[] pb = exported.computeIfAbsent(k, x -> new long[2]);
      pb[0] += f.packets();
      pb[1] += f.bytes();
    }
    assertThat(exported.keySet()).isEqualTo(expected.keySet());
    expected.forEach((k, v) -> assertThat(exported.get(k)).as(k).containsExactly(v));
  }

  /** "src dst sport dport proto" of a raw IP packet (UDP ports, ICMP type << 8 | code). */
  private static String key(byte[] ip) throws Exception {
    boolean v4 = (ip[0] >> 4) == 4;
    int l4 = v4 ? (ip[0] & 0xf) * 4 : 40;
    int proto = v4 ? ip[9] & 0xff : ip[6] & 0xff;
    InetAddress src = InetAddress.getByAddress(Arrays.copyOfRange(ip, v4 ? 12 : 8, v4 ? 16 : 24));
    InetAddress dst = InetAddress.getByAddress(Arrays.copyOfRange(ip, v4 ? 16 : 24, v4 ? 20 : 40));
    int sport = 0;
    int dport;
    if (proto == 1 || proto == 58) {
      dport = (ip[l4] & 0xff) << 8 | (ip[l4 + 1] & 0xff);
    } else {
      sport = (ip[l4] & 0xff) << 8 | (ip[l4 + 1] & 0xff);
      dport = (ip[l4 + 2] & 0xff) << 8 | (ip[l4 + 3] & 0xff);
    }
    return src.getHostAddress()
        + " "
        + dst.getHostAddress()
        + " "
        + sport
        + " "
        + dport
        + " "
        + proto;
  }

  private static long sum(JsonNode s, String term) {
    long n = 0;
    for (JsonNode row : s.get("accounting")) {
      n += row.get(term).get("packets").asLong();
    }
    return n;
  }
}
