package dev.flowgate.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.controlplane.testing.FlowgateProcess;
import dev.flowgate.exporters.EndReason;
import dev.flowgate.exporters.testing.TestFlow;
import dev.flowgate.lab.Frame;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.LabExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * flowgate as users run it: a process with a config file, attached to a real veth, fed known frames
 * from a namespace; the API and the exported Arrow files must agree with what was sent, exactly,
 * across idle timeouts, FIN, SIGTERM and a restart with the programs kept attached.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(300)
class FlowgateEndToEndTest {
  @RegisterExtension final LabExtension lab = new LabExtension();
  private Path arrowDir;

  @BeforeEach
  void lab() {
    arrowDir = lab.dir().resolve("flows");
  }

  /** A mix of flows with known counts: UDP v4 and v6, ICMP, and a TCP flow ending in FIN. */
  private record Traffic(
      List<byte[]> frames, long packets, long bytes, Map<String, Long> packetsByFlow) {}

  private Traffic traffic(int round) {
    List<byte[]> frames = new ArrayList<>();
    Map<String, Long> byFlow = new HashMap<>();
    long bytes = 0;
    for (int f = 0; f < 40; f++) {
      for (int p = 0; p < 3; p++) {
        Frame fr =
            Frames.ipv4("198.51.100." + (1 + f), "203.0.113.9")
                .macs(lab.veth().b().mac(), lab.veth().a().mac())
                .udp(10000 + round * 100 + f, 53)
                .payload(20 + p * 10)
                .build();
        frames.add(fr.bytes());
        bytes += fr.ipLength();
        byFlow.merge("17/" + (10000 + round * 100 + f), 1L, Long::sum);
      }
    }
    for (int f = 0; f < 10; f++) {
      for (int p = 0; p < 2; p++) {
        Frame fr =
            Frames.ipv6("2001:db8:1::" + (f + 1), "2001:db8:2::1")
                .macs(lab.veth().b().mac(), lab.veth().a().mac())
                .udp(20000 + round * 100 + f, 443)
                .payload(100)
                .build();
        frames.add(fr.bytes());
        bytes += fr.ipLength();
        byFlow.merge("17/" + (20000 + round * 100 + f), 1L, Long::sum);
      }
    }
    for (int p = 0; p < 4; p++) {
      Frame fr =
          Frames.ipv4("198.51.100.200", "203.0.113.10")
              .macs(lab.veth().b().mac(), lab.veth().a().mac())
              .icmp(8, 0)
              .payload(56)
              .build();
      frames.add(fr.bytes());
      bytes += fr.ipLength();
    }
    int[] flags = {
      Frames.TCP_SYN,
      Frames.TCP_ACK,
      Frames.TCP_ACK | Frames.TCP_PSH,
      Frames.TCP_ACK,
      Frames.TCP_FIN | Frames.TCP_ACK
    };
    for (int flag : flags) {
      Frame fr =
          Frames.ipv4("198.51.100.201", "203.0.113.11")
              .macs(lab.veth().b().mac(), lab.veth().a().mac())
              .tcp(40000 + round, 443, flag)
              .payload(flag == Frames.TCP_SYN ? 0 : 200)
              .build();
      frames.add(fr.bytes());
      bytes += fr.ipLength();
    }
    byFlow.put("6/" + (40000 + round), (long) flags.length);
    return new Traffic(frames, frames.size(), bytes, byFlow);
  }

  private Path config(boolean keepAttached, int port, Path pins) throws IOException {
    String yaml =
        """
        interfaces:
          - name: %s
            mode: xdp
            direction: ingress
            sampling: 0
        flows:
          max-flows: 4096
          sweep-interval: 200ms
          idle-timeout: 2s
          active-timeout: 60s
        dataplane:
          pin-path: %s
          keep-attached: %s
        state-directory: %s
        export:
          arrow:
            directory: %s
        api:
          listen: 127.0.0.1:%d
        """
            .formatted(
                lab.veth().a().name(),
                pins,
                keepAttached,
                lab.dir().resolve("state"),
                arrowDir,
                port);
    Path file = lab.dir().resolve("flowgate.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void countsEveryPacketAndFinishesFlowsByIdleTimeoutAndFin() throws Exception {
    Traffic t = traffic(0);
    int port = freshPort();
    try (FlowgateProcess fg =
        FlowgateProcess.start(
            config(false, port, lab.pinDir()), port, lab.dir().resolve("fg.log"))) {
      FrameSender.send(lab.veth().b(), t.frames());
      JsonNode status =
          fg.awaitStatus(
              s ->
                  kernelPackets(s) == t.packets()
                      && exportedPackets(s) + cachedPackets(s) == t.packets());
      assertThat(kernelPackets(status)).as(fg.log()).isEqualTo(t.packets());
      assertThat(status.at("/accounting/0/kernel/bytes").asLong()).isEqualTo(t.bytes());
      assertThat(status.at("/accounting/0/unaccounted/packets").asLong()).isZero();

      JsonNode top = fg.json("/api/v1/flows?top=100&by=packets");
      for (JsonNode f : top.get("flows")) {
        String key =
            f.get("protocolIdentifier").asInt() + "/" + f.get("sourceTransportPort").asInt();
        if (t.packetsByFlow().containsKey(key)) {
          assertThat(f.get("packetDeltaCount").asLong())
              .as(key)
              .isEqualTo(t.packetsByFlow().get(key));
        }
      }
      // every flow but the finished TCP one goes idle after 2 s
      JsonNode idle = fg.awaitStatus(s -> cachedPackets(s) == 0);
      assertThat(exportedPackets(idle)).as(fg.log()).isEqualTo(t.packets());
      assertThat(fg.stop()).isZero();
    }
    Exported e = readArrowFiles();
    assertThat(e.packets).isEqualTo(t.packets());
    assertThat(e.bytes).isEqualTo(t.bytes());
    assertThat(e.reasonByFlow.get("6/40000")).isEqualTo(EndReason.END_OF_FLOW.code());
    assertThat(e.reasonByFlow.get("17/10000")).isEqualTo(EndReason.IDLE_TIMEOUT.code());
    assertThat(e.packetsByFlow).containsAllEntriesOf(t.packetsByFlow());
  }

  @Test
  void restartWithProgramsKeptAttachedLosesNothing() throws Exception {
    Path pins = lab.pinDir();
    Traffic before = traffic(1);
    Traffic whileStopped = traffic(2);
    Traffic after = traffic(3);
    int port = freshPort();
    try (FlowgateProcess fg =
        FlowgateProcess.start(config(true, port, pins), port, lab.dir().resolve("fg1.log"))) {
      FrameSender.send(lab.veth().b(), before.frames());
      fg.awaitStatus(s -> kernelPackets(s) == before.packets());
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
    FrameSender.send(lab.veth().b(), whileStopped.frames());
    try (FlowgateProcess fg =
        FlowgateProcess.start(config(false, port, pins), port, lab.dir().resolve("fg2.log"))) {
      FrameSender.send(lab.veth().b(), after.frames());
      JsonNode s =
          fg.awaitStatus(x -> kernelPackets(x) == whileStopped.packets() + after.packets());
      assertThat(kernelPackets(s)).as(fg.log()).isEqualTo(whileStopped.packets() + after.packets());
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
    Exported e = readArrowFiles();
    assertThat(e.packets).isEqualTo(before.packets() + whileStopped.packets() + after.packets());
    assertThat(e.bytes).isEqualTo(before.bytes() + whileStopped.bytes() + after.bytes());
    assertThat(e.packetsByFlow).containsAllEntriesOf(whileStopped.packetsByFlow());
  }

  private static int freshPort() throws IOException {
    return FlowgateProcess.freePort();
  }

  private static long kernelPackets(JsonNode s) {
    return sum(s, "kernel");
  }

  private static long exportedPackets(JsonNode s) {
    return sum(s, "exported");
  }

  private static long cachedPackets(JsonNode s) {
    return sum(s, "inCache");
  }

  private static long sum(JsonNode s, String term) {
    long n = 0;
    for (JsonNode row : s.get("accounting")) {
      n += row.get(term).get("packets").asLong();
    }
    return n;
  }

  private static final class Exported {
    long packets;
    long bytes;
    final Map<String, Long> packetsByFlow = new HashMap<>();
    final Map<String, Integer> reasonByFlow = new HashMap<>();
  }

  private Exported readArrowFiles() throws IOException {
    Exported e = new Exported();
    List<TestFlow> flows = ArrowFlowFiles.read(arrowDir);
    assertThat(flows).isNotEmpty();
    for (TestFlow f : flows) {
      e.packets += f.packets();
      e.bytes += f.bytes();
      String key = f.protocol() + "/" + f.srcPort();
      e.packetsByFlow.merge(key, f.packets(), Long::sum);
      e.reasonByFlow.put(key, f.endReason());
    }
    return e;
  }
}
