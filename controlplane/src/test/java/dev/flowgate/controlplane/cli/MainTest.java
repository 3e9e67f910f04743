package dev.flowgate.controlplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.config.ConfigLoader;
import dev.flowgate.controlplane.config.RepoFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command line's exit codes and output, through {@link Main#execute}: no System.exit. */
@Timeout(30)
class MainTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int flowgate(String... args) {
    return Main.execute(new PrintWriter(out), new PrintWriter(err), args);
  }

  @Test
  void checkConfigOfTheShippedConfigsSaysOk() {
    Path gateway = RepoFiles.find("config/flowgate.yaml");
    Path lab = RepoFiles.find("config/lab.yaml");

    assertThat(flowgate("check-config", gateway.toString())).isEqualTo(0);
    assertThat(flowgate("check-config", lab.toString())).isEqualTo(0);

    assertThat(out.toString()).isEqualTo(gateway + ": ok\n" + lab + ": ok\n");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void checkConfigOfABadFilePrintsTheErrorAndExits2(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("flowgate.yaml");
    Files.writeString(file, "interfaces:\n  - name: eth0\nflows:\n  idle-timeout: 15x\n");

    assertThat(flowgate("check-config", file.toString())).isEqualTo(2);

    assertThat(out.toString()).isEmpty();
    assertThat(err.toString())
        .isEqualTo(
            file
                + ":4:17: flows.idle-timeout: \"15x\" is not a duration"
                + " (use an integer and ms, s, m or h)\n");
  }

  @Test
  void checkConfigOfAMissingFileExits2(@TempDir Path dir) {
    Path file = dir.resolve("absent.yaml");

    assertThat(flowgate("check-config", file.toString())).isEqualTo(2);

    assertThat(err.toString()).isEqualTo(file + ": cannot read: no such file\n");
  }

  @Test
  void checkConfigEffectivePrintsYamlThatLoadsBackEqual() throws Exception {
    Path gateway = RepoFiles.find("config/flowgate.yaml");

    assertThat(flowgate("check-config", "--effective", gateway.toString())).isEqualTo(0);

    assertThat(ConfigLoader.parse(out.toString(), "effective.yaml"))
        .isEqualTo(ConfigLoader.load(gateway));
    assertThat(err.toString()).isEqualTo(gateway + ": ok\n");
  }

  @Test
  void checkConfigWithoutAFileIsAUsageError() {
    assertThat(flowgate("check-config")).isEqualTo(2);

    assertThat(err.toString()).startsWith("Missing required parameter: 'FILE'");
  }

  @Test
  void runWithABadConfigExits2BeforeStartingAnything(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "interfaces:\n  - name: eth0\nalerts:\n  syn-flood: {}\n");

    assertThat(flowgate("run", "--config", file.toString())).isEqualTo(2);

    assertThat(err.toString())
        .isEqualTo(
            file
                + ":3:1: alerts: not supported yet (detectors, thresholds and alert sinks come"
                + " with the alerts issue); remove this section\n");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void runWithoutConfigIsAUsageError() {
    assertThat(flowgate("run")).isEqualTo(2);

    assertThat(err.toString()).startsWith("Missing required option: '--config=FILE'");
  }

  @Test
  void helpWorksOnEverySubcommandEvenWithRequiredOptions() {
    for (String command : new String[] {"run", "check-config", "version"}) {
      out.getBuffer().setLength(0);
      assertThat(flowgate(command, "--help")).as(command).isEqualTo(0);
      assertThat(out.toString()).as(command).startsWith("Usage: flowgate " + command);
    }
  }

  @Test
  void versionPrintsTheVersion() {
    assertThat(flowgate("version")).isEqualTo(0);

    assertThat(out.toString()).isEqualTo(FlowgateVersion.line() + "\n");
    assertThat(out.toString()).startsWith("flowgate ");
  }

  @Test
  void noCommandPrintsUsageAndExits2() {
    assertThat(flowgate()).isEqualTo(2);

    assertThat(err.toString()).contains("Usage: flowgate").contains("check-config");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void unknownCommandIsAUsageError() {
    assertThat(flowgate("start")).isEqualTo(2);

    assertThat(err.toString()).startsWith("Unmatched argument at index 0: 'start'");
  }

  @Test
  void helpExits0() {
    assertThat(flowgate("--help")).isEqualTo(0);

    assertThat(out.toString()).contains("Usage: flowgate").contains("run").contains("version");
  }
}
