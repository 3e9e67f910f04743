package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.bpf.FlowgateUnderTest.FlowCounters;
import dev.flowgate.bpf.FlowgateUnderTest.FlowKey;
import dev.flowgate.bpf.FlowgateUnderTest.Totals;
import dev.flowgate.lab.FrameFuzzer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 100,000 random, well-formed and mutated frames (one seed, printed with every failure; set {@code
 * -Dflowgate.fuzz.seed=N} to replay) through fg_xdp and fg_tc_egress with BPF_PROG_TEST_RUN.
 * Whatever the frame: the verdict is pass, every frame is counted once in the totals (IP or other),
 * and the flow maps hold exactly the IP packets and bytes of the totals. fg_xdp and fg_tc_egress
 * must agree flow by flow. The flow map is swept every {@value #SWEEP_EVERY} frames, as the control
 * plane would, so the flow table never fills.
 */
@Tag("kernel")
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ParserFuzzTest {
  static final int FRAMES = 100_000;
  static final int SWEEP_EVERY = 10_000;
  static final int LOOPBACK = ParserTableTest.LOOPBACK;
  static final int SLOT = 5;

  private FlowgateUnderTest flowgate;

  @BeforeEach
  void load() {
    flowgate = FlowgateUnderTest.load(4 * SWEEP_EVERY, null);
    flowgate.assignSlot(LOOPBACK, SLOT);
  }

  @AfterEach
  void unload() {
    if (flowgate != null) {
      flowgate.close();
    }
  }

  @Test
  void everyFuzzedFrameIsPassedAndCountedExactlyOnce() {
    long seed = Long.getLong("flowgate.fuzz.seed", System.nanoTime());
    String replay = "fuzz seed " + seed + " (replay: -Dflowgate.fuzz.seed=" + seed + ")";
    System.out.println(replay);
    FrameFuzzer fuzzer = new FrameFuzzer(seed);
    BpfProgram xdp = flowgate.program("fg_xdp");
    BpfProgram tc = flowgate.program("fg_tc_egress");

    long tcFrames = 0;
    long[] flowPackets = new long[Layout.DIR_MAX];
    long[] flowBytes = new long[Layout.DIR_MAX];
    List<Map<FlowKey, FlowCounters>> flows = List.of(new HashMap<>(), new HashMap<>());
    for (int i = 0; i < FRAMES; i++) {
      byte[] frame = fuzzer.next();
      int xdpVerdict = xdp.testRun(frame, 1).retval();
      if (xdpVerdict != BpfProgram.XDP_PASS) {
        throw new AssertionError(
            replay + ": fg_xdp returned " + xdpVerdict + " for frame " + i + " " + hex(frame));
      }
      if (ParserTableTest.tcTestRunTakes(frame)) {
        int tcVerdict = tc.testRun(frame, 1).retval();
        if (tcVerdict != BpfProgram.TC_ACT_UNSPEC) {
          throw new AssertionError(
              replay
                  + ": fg_tc_egress returned "
                  + tcVerdict
                  + " for frame "
                  + i
                  + " "
                  + hex(frame));
        }
        tcFrames++;
      }
      if ((i + 1) % SWEEP_EVERY == 0) {
        sweepInto(flowPackets, flowBytes, flows);
      }
    }
    sweepInto(flowPackets, flowBytes, flows);

    Totals in = flowgate.totals(SLOT, Layout.DIR_INGRESS);
    Totals out = flowgate.totals(SLOT, Layout.DIR_EGRESS);
    long[] errors = flowgate.errors();
    System.out.printf(
        "%s: xdp %s%n  tc %d frames %s%n  errors %s%n",
        replay, in, tcFrames, out, java.util.Arrays.toString(errors));
    assertThat(in.allPackets()).as(replay + ": fg_xdp totals, IP + other").isEqualTo(FRAMES);
    assertThat(out.allPackets())
        .as(replay + ": fg_tc_egress totals, IP + other")
        .isEqualTo(tcFrames);
    assertThat(flowPackets[Layout.DIR_INGRESS])
        .as(replay + ": fg_xdp flow packets")
        .isEqualTo(in.packets());
    assertThat(flowBytes[Layout.DIR_INGRESS])
        .as(replay + ": fg_xdp flow bytes")
        .isEqualTo(in.bytes());
    assertThat(flowPackets[Layout.DIR_EGRESS])
        .as(replay + ": fg_tc_egress flow packets")
        .isEqualTo(out.packets());
    assertThat(flowBytes[Layout.DIR_EGRESS])
        .as(replay + ": fg_tc_egress flow bytes")
        .isEqualTo(out.bytes());
    assertThat(in.insertFailed() + out.insertFailed()).as(replay + ": insert failures").isZero();
    assertThat(flowgate.allTotals())
        .as(replay + ": nothing counted under another slot")
        .isEqualTo(
            new Totals(
                in.packets() + out.packets(),
                in.bytes() + out.bytes(),
                in.otherPackets() + out.otherPackets(),
                in.otherBytes() + out.otherBytes(),
                0,
                0));
    assertThat(
            errors[Layout.DP_FLOW_INSERT_FAILED]
                + errors[Layout.DP_NO_FLOW_MAP]
                + errors[Layout.DP_IFACE_UNKNOWN])
        .as(replay + ": insert failed, no flow map, unknown interface")
        .isZero();
    // XDP and TC parse alike: the frames only XDP ran (too short for a TC test run) are all
    // "other", so both hooks must hold the same flows with the same counters
    assertThat(flows.get(Layout.DIR_EGRESS))
        .as(replay + ": fg_tc_egress flows = fg_xdp flows")
        .isEqualTo(flows.get(Layout.DIR_INGRESS));
    // the mix must really exercise both kinds
    assertThat(in.packets()).as(replay + ": IP frames").isGreaterThan(FRAMES / 4);
    assertThat(in.otherPackets()).as(replay + ": other frames").isGreaterThan(FRAMES / 20);
  }

  private void sweepInto(long[] packets, long[] bytes, List<Map<FlowKey, FlowCounters>> flows) {
    flowgate
        .sweep()
        .forEach(
            (k, v) -> {
              packets[k.direction()] += v.packets();
              bytes[k.direction()] += v.bytes();
              // keyed without the direction, so both hooks' maps compare
              flows.get(k.direction()).merge(k.at(k.ifindex(), 0), v, FlowCounters::plus);
            });
  }

  private static String hex(byte[] f) {
    return java.util.HexFormat.of().formatHex(f);
  }
}
