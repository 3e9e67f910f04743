package dev.flowgate.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.controlplane.testing.FlowgateProcess;
import dev.flowgate.exporters.testing.TestFlow;
import dev.flowgate.lab.Frame;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.LabExtension;
import dev.flowgate.lab.VethPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 in the middle of a sweep that journals the retired half in parts (the seam {@code
 * CrashPoint}: the sweeper stops at the step, the test kills): right after the first part of a
 * burst of 1,500 flows is journaled (one CPU slice's rows, or a chunk of 1,024), before the sweep's
 * end frame (the start must ignore the cut parts and drain the half, which nothing emptied), and
 * right after the end frame, before the half is emptied (the start re-runs the sweep from the
 * journal and deletes what the half still holds). Nothing is exported before the kill (a long idle
 * timeout), so the next run's finished Arrow files must hold every packet exactly once, none in
 * doubt.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(300)
class ChunkedSweepCrashEndToEndTest {
  private static final int FLOWS = 1500; // more than a chunk (max-flows 1,024: chunks of 1,024)

  @RegisterExtension final LabExtension lab = new LabExtension();

  @ParameterizedTest
  @ValueSource(strings = {"sweep-part-journaled", "sweep-journaled"})
  void aKillWhileASweepIsJournaledInPartsReplaysEveryPacketOnce(String point) throws Exception {
    VethPair veth = lab.veth();
    int api = FlowgateProcess.freePort();
    Path arrowDir = lab.dir().resolve("flows");
    Path config = lab.dir().resolve("flowgate.yaml");
    Files.writeString(
        config,
        """
        interfaces:
          - name: %s
            mode: xdp
            direction: ingress
            sampling: 0
        flows:
          max-flows: 1024
          sweep-interval: 2s
          idle-timeout: 60s
          active-timeout: 120s
        dataplane:
          pin-path: %s
          keep-attached: true
        state-directory: %s
        export:
          arrow:
            directory: %s
        api:
          listen: 127.0.0.1:%d
        """
            .formatted(veth.a().name(), lab.pinDir(), lab.dir().resolve("state"), arrowDir, api));
    List<String> cmd =
        new ArrayList<>(
            FlowgateProcess.command(List.of(), System.getProperty("java.class.path"), config));
    cmd.add(1, "-Dflowgate.test.pause-at=" + point);
    String paused = "test pause: the start stops at " + point;
    Map<String, Long> sent = new HashMap<>(); // packets per flow
    try (FlowgateProcess killed =
        FlowgateProcess.start(cmd, Map.of(), api, lab.dir().resolve("fg-killed.log"))) {
      send(veth, 0, sent);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!killed.log().contains(paused) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(killed.log()).contains(paused);
      if (point.equals("sweep-part-journaled")) {
        Matcher m = Pattern.compile("journaled a part of (\\d+) entries").matcher(killed.log());
        assertThat(m.find()).isTrue();
        assertThat(Integer.parseInt(m.group(1)))
            .as("the rest of the burst still in the table, not journaled")
            .isPositive()
            .isLessThan(FLOWS);
      }
    } // close(): SIGKILL, in the middle of the sweep

    String log;
    try (FlowgateProcess fg = FlowgateProcess.start(config, api, lab.dir().resolve("fg.log"))) {
      long packets = sent.values().stream().mapToLong(Long::longValue).sum();
      JsonNode s = fg.awaitStatus(x -> CollectorEndToEndTest.sum(x, "inCache") == packets);
      assertThat(CollectorEndToEndTest.sum(s, "unaccounted")).as(fg.log()).isZero();
      assertThat(s.at("/journal/inDoubtRecords").asLong()).as(fg.log()).isZero();
      assertThat(s.at("/journal/inDoubtPackets").asLong()).isZero();
      assertThat(fg.stop()).as(fg.log()).isZero();
      log = fg.log();
    }
    assertThat(log).contains("crash journal replayed");
    if (point.equals("sweep-part-journaled")) {
      assertThat(log).as("the cut parts are ignored").contains("ignored a torn last frame");
    } else {
      assertThat(log).contains("left in the kernel by a cut sweep were replayed");
    }
    Map<String, Long> exported = new HashMap<>();
    for (TestFlow f : ArrowFlowFiles.read(arrowDir)) {
      exported.merge(key(f), f.packets(), Long::sum);
    }
    List<String> differ = new ArrayList<>();
    for (String k : sent.keySet()) {
      if (!sent.get(k).equals(exported.get(k))) {
        differ.add(k + ": sent " + sent.get(k) + ", exported " + exported.get(k));
      }
    }
    for (String k : exported.keySet()) {
      if (!sent.containsKey(k)) {
        differ.add(k + ": not sent, exported " + exported.get(k));
      }
    }
    assertThat(differ).as(log).isEmpty();
    assertThat(exported).hasSize(sent.size());
  }

  private static String key(TestFlow f) {
    return f.src() + ">" + f.dst() + ":" + f.srcPort();
  }

  /**
   * {@value #FLOWS} UDP flows of 1 to 3 packets in one burst, added to {@code sent}; {@code round}
   * makes them new.
   */
  private static void send(VethPair veth, int round, Map<String, Long> sent) {
    List<byte[]> frames = new ArrayList<>();
    for (int f = 0; f < FLOWS; f++) {
      String src = "10." + (10 + round) + "." + (f / 250) + "." + (f % 250 + 1);
      int n = 1 + f % 3;
      for (int p = 0; p < n; p++) {
        Frame fr =
            Frames.ipv4(src, "203.0.113.9")
                .macs(veth.b().mac(), veth.a().mac())
                .udp(2000 + f % 7, 53)
                .payload(20 + 10 * p)
                .build();
        frames.add(fr.bytes());
      }
      sent.merge(src + ">203.0.113.9:" + (2000 + f % 7), (long) n, Long::sum);
    }
    FrameSender.send(veth.b(), frames);
  }
}
