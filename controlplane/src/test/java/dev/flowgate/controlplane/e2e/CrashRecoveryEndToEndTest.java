package dev.flowgate.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.controlplane.testing.FlowgateProcess;
import dev.flowgate.exporters.testing.TestFlow;
import dev.flowgate.lab.LabExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The crash journal end to end: flowgate stopped by SIGTERM under traffic, and killed with SIGKILL,
 * then started again, with traffic sent while it is away (the programs stay attached). The exported
 * Arrow files must hold every packet sent: exactly after SIGTERM and after a kill while nothing was
 * being exported, and after kills at random moments at least every packet and at most that plus
 * what the starts reported as in-doubt.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(600)
class CrashRecoveryEndToEndTest {
  @RegisterExtension final LabExtension lab = new LabExtension();
  private Path arrowDir;
  private Path pins;
  private int port;
  private int run;

  @BeforeEach
  void lab() throws IOException {
    arrowDir = lab.dir().resolve("flows");
    pins = lab.pinDir();
    port = FlowgateProcess.freePort();
  }

  private FlowgateProcess start(boolean keepAttached, String idleTimeout) throws Exception {
    String yaml =
        """
        interfaces:
          - name: %s
            mode: xdp
            direction: ingress
            sampling: 0
        flows:
          max-flows: 8192
          sweep-interval: 100ms
          idle-timeout: %s
          active-timeout: 120s
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
                idleTimeout,
                pins,
                keepAttached,
                lab.dir().resolve("state"),
                arrowDir,
                port);
    Path file = lab.dir().resolve("flowgate.yaml");
    Files.writeString(file, yaml);
    run++;
    return FlowgateProcess.start(file, port, lab.dir().resolve("fg" + run + ".log"));
  }

  @Test
  void sigtermUnderTrafficThenTrafficWhileStoppedLosesNothing() throws Exception {
    TrafficPump pump;
    try (FlowgateProcess fg = start(true, "1s")) {
      pump = TrafficPump.start(lab.veth(), 0);
      pump.awaitBatches(8);
      assertThat(fg.stop()).as(fg.log()).isZero(); // the pump is still sending
    }
    pump.awaitBatches(pump.batches() + 3); // sent while flowgate is stopped
    try (FlowgateProcess fg = start(false, "1s")) {
      pump.stopAndJoin();
      JsonNode s = awaitQuiet(fg);
      assertThat(unaccounted(s)).as(fg.log()).isZero();
      assertThat(s.at("/journal/inDoubtRecords").asLong()).isZero();
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
    assertThat(Files.size(lab.dir().resolve("state/journal/journal.log"))).isZero();
    long[] e = exported();
    assertThat(e[0]).isEqualTo(pump.packets());
    assertThat(e[1]).isEqualTo(pump.bytes());
  }

  @Test
  void killWhileNothingIsExportedLosesNothingAndCountsNothingTwice() throws Exception {
    // long idle timeout and no FIN: flows stay in the cache, so nothing is being exported
    TrafficPump before;
    try (FlowgateProcess fg = start(true, "60s")) {
      before = TrafficPump.start(lab.veth(), 0);
      before.awaitBatches(1);
      before.stopAndJoin();
      fg.awaitStatus(x -> sum(x, "inCache") == before.packets());
      JsonNode s = fg.awaitStatus(x -> x.get("sweeps").asLong() > 0);
      long sweeps = s.get("sweeps").asLong();
      fg.awaitStatus(x -> x.get("sweeps").asLong() > sweeps + 2); // a few empty sweeps
      assertThat(sum(fg.json("/api/v1/status"), "exported")).isZero();
    } // close(): SIGKILL
    TrafficPump whileDead = TrafficPump.start(lab.veth(), 1000);
    whileDead.awaitBatches(2);
    whileDead.stopAndJoin();
    TrafficPump after;
    long total = before.packets() + whileDead.packets();
    try (FlowgateProcess fg = start(false, "60s")) {
      after = TrafficPump.start(lab.veth(), 2000);
      after.awaitBatches(2);
      after.stopAndJoin();
      long all = total + after.packets();
      // the invariant holds exactly with the replayed flows adopted by this run
      JsonNode s = fg.awaitStatus(x -> sum(x, "kernel") == all && sum(x, "inCache") == all);
      assertThat(sum(s, "kernel")).as(fg.log()).isEqualTo(all);
      assertThat(sum(s, "inCache")).as(fg.log()).isEqualTo(all);
      assertThat(unaccounted(s)).isZero();
      assertThat(s.at("/journal/inDoubtRecords").asLong()).isZero();
      assertThat(s.at("/journal/replayedSweeps").asLong()).isPositive();
      assertThat(fg.log()).contains("crash journal replayed");
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
    long[] e = exported();
    assertThat(e[0]).isEqualTo(total + after.packets());
    assertThat(e[1]).isEqualTo(before.bytes() + whileDead.bytes() + after.bytes());
  }

  @Test
  void killsAtRandomMomentsLoseNothingAndDuplicateOnlyWhatIsReportedInDoubt() throws Exception {
    Random rnd = new Random();
    long seed = rnd.nextLong();
    rnd.setSeed(seed);
    TrafficPump pump = null;
    long inDoubtPackets = 0;
    for (int round = 0; round < 4; round++) {
      try (FlowgateProcess fg = start(true, "1s")) {
        if (pump == null) {
          pump = TrafficPump.start(lab.veth(), 0); // counted from the first attach on
        }
        inDoubtPackets += fg.json("/api/v1/status").at("/journal/inDoubtPackets").asLong();
        Thread.sleep(300 + rnd.nextInt(1500));
      } // close(): SIGKILL, the pump still sending
      Thread.sleep(rnd.nextInt(300));
    }
    try (FlowgateProcess fg = start(false, "1s")) {
      inDoubtPackets += fg.json("/api/v1/status").at("/journal/inDoubtPackets").asLong();
      pump.stopAndJoin();
      awaitQuiet(fg);
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
    long[] e = exported();
    String why = "seed " + seed + ", in-doubt packets " + inDoubtPackets;
    assertThat(e[0]).as(why).isGreaterThanOrEqualTo(pump.packets());
    assertThat(e[0]).as(why).isLessThanOrEqualTo(pump.packets() + inDoubtPackets);
  }

  /**
   * Kills at different moments of a burst's life (before its flows expire, while they are exported,
   * after the Arrow sink took them), each followed by a run that gets no new flow and stops: the
   * finished Arrow files then hold every packet sent, plus at most what the starts reported in
   * doubt. A kill after the export leaves the rows in the killed run's {@code .tmp} file, which the
   * next run must finish although no flow reaches its sink.
   */
  @Test
  void killsAroundAnExportThenARunWithoutFlowsLeaveEveryPacketInFinishedFiles() throws Exception {
    long sent = 0;
    long inDoubt = 0;
    int[] waitsMs = {0, 500, 1000, 1500, 2500, 4000}; // after the burst, before the kill
    for (int round = 0; round < waitsMs.length; round++) {
      try (FlowgateProcess fg = start(true, "1s")) {
        inDoubt += fg.json("/api/v1/status").at("/journal/inDoubtPackets").asLong();
        TrafficPump pump = TrafficPump.start(lab.veth(), 100 * round);
        pump.awaitBatches(1);
        pump.stopAndJoin();
        sent += pump.packets();
        Thread.sleep(waitsMs[round]);
      } // close(): SIGKILL
      try (FlowgateProcess fg = start(true, "1s")) {
        inDoubt += fg.json("/api/v1/status").at("/journal/inDoubtPackets").asLong();
        awaitQuiet(fg);
        assertThat(fg.stop()).as(fg.log()).isZero();
      }
      long[] e = exported();
      String why = "round " + round + " (kill " + waitsMs[round] + " ms after the burst)";
      assertThat(e[0]).as(why).isGreaterThanOrEqualTo(sent);
      assertThat(e[0]).as(why).isLessThanOrEqualTo(sent + inDoubt);
    }
  }

  /** Waits until the kernel side stops moving and is all exported or cached. */
  private static JsonNode awaitQuiet(FlowgateProcess fg) throws Exception {
    long[] last = {-1};
    return fg.awaitStatus(
        x -> {
          long k = sum(x, "kernel");
          boolean quiet = k == last[0] && unaccounted(x) == 0;
          last[0] = k;
          return quiet;
        });
  }

  private static long unaccounted(JsonNode s) {
    return sum(s, "unaccounted");
  }

  private static long sum(JsonNode s, String term) {
    long n = 0;
    for (JsonNode row : s.get("accounting")) {
      n += row.get(term).get("packets").asLong();
    }
    return n;
  }

  /** Packets and bytes in every finished Arrow file. */
  private long[] exported() throws IOException {
    long[] sums = new long[2];
    for (TestFlow f : ArrowFlowFiles.read(arrowDir)) {
      sums[0] += f.packets();
      sums[1] += f.bytes();
    }
    return sums;
  }
}
