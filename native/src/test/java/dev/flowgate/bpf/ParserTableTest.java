package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.bpf.FlowgateUnderTest.FlowCounters;
import dev.flowgate.bpf.FlowgateUnderTest.FlowKey;
import dev.flowgate.bpf.FlowgateUnderTest.Totals;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The parser table run through BPF_PROG_TEST_RUN: every {@link ParserTable} row through fg_xdp,
 * fg_tc_ingress and fg_tc_egress. After each run the verdict, the frame (unchanged), the totals of
 * the loopback's slot (test runs arrive on the loopback), every other totals entry (zero), the
 * error counters and the flow map must be exactly as the row says. Everything is reset between
 * runs.
 */
@Tag("kernel")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ParserTableTest {
  /** The loopback's ifindex in the test's namespace: where BPF_PROG_TEST_RUN frames arrive. */
  static final int LOOPBACK = 1;

  /** The totals slot the test gives the loopback. */
  static final int SLOT = 3;

  enum Hook {
    XDP("fg_xdp", Layout.DIR_INGRESS, BpfProgram.XDP_PASS),
    TC_INGRESS("fg_tc_ingress", Layout.DIR_INGRESS, BpfProgram.TC_ACT_UNSPEC),
    TC_EGRESS("fg_tc_egress", Layout.DIR_EGRESS, BpfProgram.TC_ACT_UNSPEC);

    final String program;
    final int direction;
    final int verdict;

    Hook(String program, int direction, int verdict) {
      this.program = program;
      this.direction = direction;
      this.verdict = verdict;
    }
  }

  private static FlowgateUnderTest flowgate;

  @BeforeAll
  static void load() {
    flowgate = FlowgateUnderTest.load(1024, null);
    flowgate.assignSlot(LOOPBACK, SLOT);
  }

  @AfterAll
  static void unload() {
    if (flowgate != null) {
      flowgate.close();
    }
  }

  @BeforeEach
  void reset() {
    flowgate.reset();
  }

  /**
   * Every row through every hook, except where a hook cannot take the frame: BPF_PROG_TEST_RUN
   * refuses (EINVAL) a TC frame whose EtherType is IPv4 or IPv6 but which is shorter than the fixed
   * IP header (34 / 54 bytes), so those rows run through fg_xdp only.
   */
  static Stream<Arguments> rows() {
    return ParserTable.cases().stream()
        .flatMap(
            c ->
                Stream.of(Hook.values())
                    .filter(h -> h == Hook.XDP || tcTestRunTakes(c.frame()))
                    .map(h -> Arguments.of(c, h)));
  }

  static boolean tcTestRunTakes(byte[] frame) {
    int etherType = (frame[12] & 0xff) << 8 | (frame[13] & 0xff);
    return switch (etherType) {
      case 0x0800 -> frame.length >= 14 + 20;
      case 0x86dd -> frame.length >= 14 + 40;
      default -> true;
    };
  }

  /**
   * Every raw-IP row (an L3 device: the loopback's settings flagged FG_SETTINGS_RAW_IP) through
   * every hook. BPF_PROG_TEST_RUN hands a TC program the frame as given (it reads bytes 12-13 as an
   * EtherType, which here are address bytes, not 0x0800/0x86dd), so TC takes them all.
   */
  static Stream<Arguments> rawIpRows() {
    return ParserTable.rawIpCases().stream()
        .flatMap(c -> Stream.of(Hook.values()).map(h -> Arguments.of(c, h)));
  }

  @ParameterizedTest(name = "{0} through {1}")
  @MethodSource("rawIpRows")
  void rawIpFrameIsCountedExactlyAsTheTableSays(ParserCase row, Hook hook) {
    flowgate.assignSlot(LOOPBACK, SLOT, true);
    try {
      frameIsCountedExactlyAsTheTableSays(row, hook);
    } finally {
      flowgate.assignSlot(LOOPBACK, SLOT, false);
    }
  }

  @Test
  void tableHasAtLeastFortyRowsWithDistinctNames() {
    List<ParserCase> cases = ParserTable.cases();
    assertThat(cases.size()).isGreaterThanOrEqualTo(40);
    assertThat(cases.stream().map(ParserCase::name).distinct().count()).isEqualTo(cases.size());
  }

  @ParameterizedTest(name = "{0} through {1}")
  @MethodSource("rows")
  void frameIsCountedExactlyAsTheTableSays(ParserCase row, Hook hook) {
    TestRunResult r = flowgate.program(hook.program).testRun(row.frame(), 1);

    ParserCase.Expect e = row.expect();
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(r.retval()).as("verdict").isEqualTo(hook.verdict);
    soft.assertThat(r.dataOut()).as("frame after the program").isEqualTo(row.frame());
    Totals expectedTotals =
        e.ip ? new Totals(1, e.bytes, 0, 0, 0, 0) : new Totals(0, 0, 1, e.bytes, 0, 0);
    soft.assertThat(flowgate.totals(SLOT, hook.direction))
        .as("totals of the slot")
        .isEqualTo(expectedTotals);
    soft.assertThat(flowgate.allTotals()).as("totals of every slot").isEqualTo(expectedTotals);
    soft.assertThat(flowgate.errors())
        .as("error counters " + Layout.DP_ERROR_NAMES)
        .containsExactly(e.errorCounts());
    Map<FlowKey, FlowCounters> expectedFlows =
        e.ip ? Map.of(e.key(LOOPBACK, hook.direction), e.counters()) : Map.of();
    soft.assertThat(flowgate.flows()).as("flow map").isEqualTo(expectedFlows);
    soft.assertAll();
  }
}
