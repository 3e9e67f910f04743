package dev.flowgate.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.controlplane.testing.FlowgateProcess;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Lab;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an operator reads: the log of a start, a collector that refuses every message (IPFIX over
 * TCP to a closed port: every connect refused, retried with backoff), an absent interface and a
 * stop. No SLF4J line, one line per event; under the journal ({@code JOURNAL_STREAM} set) each line
 * starts with its syslog priority and carries no timestamp, else with an ISO-8601 timestamp. The
 * refused sends are logged once, then at most one summary a minute, not once per retry.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(300)
class LogEndToEndTest {
  private static final Pattern JOURNAL_LINE = Pattern.compile("<[3-7]>[A-Za-z0-9_.$]+: \\S.*");
  private static final Pattern ISO_LINE =
      Pattern.compile(
          "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)"
              + " (ERROR|WARN|INFO|DEBUG|TRACE) [A-Za-z0-9_.$]+: \\S.*");

  private Lab lab;
  private VethPair veth;
  private Path dir;

  @BeforeEach
  void lab() {
    lab = Lab.open();
    veth = lab.quietVeth(Netns.HOST, lab.netns());
    dir = lab.tempDir();
  }

  @AfterEach
  void cleanup() {
    lab.close();
  }

  @Test
  void journalLinesCarryTheirPriorityAndARefusingCollectorIsLoggedOnce() throws Exception {
    Run run = runWithRefusingCollector(Map.of("JOURNAL_STREAM", "8:12345"), "j");
    List<String> lines = run.lines;
    assertThat(lines).allSatisfy(l -> assertThat(l).matches(JOURNAL_LINE));
    assertOnceThenSummaries(run, lines.stream().filter(l -> l.startsWith("<4>")).toList());
    assertThat(lines)
        .filteredOn(l -> l.startsWith("<4>") && l.contains("interface entry " + absent()))
        .hasSize(1);
    assertThat(lines).anyMatch(l -> l.startsWith("<6>") && l.contains("attached to "));
    assertThat(lines).anyMatch(l -> l.startsWith("<6>") && l.contains("stopping"));
  }

  @Test
  void withoutTheJournalLinesStartWithAnIsoTimestamp() throws Exception {
    Run run = runWithRefusingCollector(Map.of(), "t");
    assertThat(run.lines).allSatisfy(l -> assertThat(l).matches(ISO_LINE));
    assertOnceThenSummaries(run, run.lines.stream().filter(l -> l.contains(" WARN ")).toList());
  }

  /** What one run left: its log lines, its send errors and how long the failures went on. */
  private record Run(List<String> lines, long sendErrors, long minutes) {}

  /** The first refusal is a line of its own; later ones only in summaries, one a minute at most. */
  private static void assertOnceThenSummaries(Run run, List<String> warnings) {
    List<String> failed = warnings.stream().filter(l -> l.contains("cannot reach the collector")).toList();
    assertThat(failed).isNotEmpty();
    assertThat(failed.get(0)).doesNotContain("more since the last report");
    assertThat((long) failed.size())
        .isLessThanOrEqualTo(1 + run.minutes)
        .isLessThan(run.sendErrors);
  }

  private String absent() {
    return "fg-" + ProcessHandle.current().pid() + "-gone";
  }

  private Run runWithRefusingCollector(Map<String, String> env, String tag) throws Exception {
    int refusing = FlowgateProcess.freePort(); // nothing listens: every connect is refused
    int api = FlowgateProcess.freePort();
    Path log = dir.resolve("fg-" + tag + ".log");
    Path config = dir.resolve("flowgate-" + tag + ".yaml");
    Files.writeString(
        config,
        """
        interfaces:
          - name: %s
            mode: xdp
            direction: ingress
          - name: %s
        flows:
          max-flows: 4096
          sweep-interval: 200ms
          idle-timeout: 1s
        dataplane:
          pin-path: %s
          keep-attached: false
        state-directory: %s
        export:
          ipfix:
            - collector: 127.0.0.1:%d
              protocol: ipfix
              transport: tcp
        api:
          listen: 127.0.0.1:%d
        """
            .formatted(
                veth.a().name(),
                absent(),
                lab.pinDir(),
                dir.resolve("state-" + tag),
                refusing,
                api));
    long started = System.nanoTime();
    try (FlowgateProcess fg =
        FlowgateProcess.start(Netns.HOST, "127.0.0.1", config, api, log, "/healthz", env)) {
      // flows until the exporter has failed several times (each retry is one more send error)
      for (int round = 0; sendErrors(fg) < 3; round++) {
        FrameSender.send(veth.b(), KnownTraffic.connections(veth.b(), veth.a(), round).frames());
        fg.awaitStatus(s -> sendErrorsOf(s) >= 3);
      }
      long errors = sendErrors(fg);
      assertThat(fg.stop()).as(fg.log()).isZero();
      long minutes = (System.nanoTime() - started) / 60_000_000_000L;
      String text = fg.log();
      assertThat(text).doesNotContain("SLF4J").doesNotContain("WARNING:");
      return new Run(text.lines().toList(), errors, minutes);
    }
  }

  private static long sendErrors(FlowgateProcess fg) throws Exception {
    return sendErrorsOf(fg.json("/api/v1/status"));
  }

  private static long sendErrorsOf(JsonNode status) {
    long n = 0;
    for (JsonNode e : status.get("exporters")) {
      n += e.get("sendErrors").asLong();
    }
    return n;
  }
}
