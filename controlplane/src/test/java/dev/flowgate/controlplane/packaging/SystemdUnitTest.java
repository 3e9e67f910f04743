package dev.flowgate.controlplane.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.lab.Command;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * systemd/flowgate.service: systemd-analyze's offline security exposure stays at 2.0 or below, it
 * verifies clean, and it grants only the three capabilities the least-privilege test proves are
 * enough. (DebianPackageTest verifies the installed unit as is.)
 */
@Timeout(120)
class SystemdUnitTest {
  private static final Path UNIT = PackagedJars.treeRoot().resolve("systemd/flowgate.service");
  private static final Pattern EXPOSURE =
      Pattern.compile("Overall exposure level for flowgate\\.service: (\\d+\\.\\d+)");

  @TempDir Path dir;

  /** The exposure figure systemd-analyze prints for the unit. */
  static double exposure(Path unit) {
    Command.Result r =
        Host.run("systemd-analyze", "security", "--offline=true", "--no-pager", unit.toString());
    Matcher m = EXPOSURE.matcher(r.stdout() + r.stderr());
    assertThat(m.find()).as(r.stdout() + r.stderr()).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void securityExposureIsAtMostTwo() {
    double exposure = exposure(UNIT);
    System.out.println("systemd-analyze security --offline=true flowgate.service: " + exposure);
    assertThat(exposure).isLessThanOrEqualTo(2.0);
  }

  @Test
  void verifiesCleanWithTheLauncherInPlace() throws Exception {
    // the unit names /usr/bin/flowgate, which exists once the package is installed: here the
    // tree's launcher stands in for it, nothing else changes
    Path unit = dir.resolve("flowgate.service");
    Files.writeString(
        unit,
        Files.readString(UNIT)
            .replace(
                "/usr/bin/flowgate", PackagedJars.treeRoot().resolve("bin/flowgate").toString()));
    Command.Result r = Host.run("systemd-analyze", "verify", unit.toString());
    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    assertThat(r.stdout() + r.stderr()).isBlank();
  }

  @Test
  void grantsOnlyTheProvenCapabilitiesToItsOwnUser() throws Exception {
    // the directives only, not the comments that explain them
    String unit =
        "\n"
            + String.join(
                "\n", Files.readAllLines(UNIT).stream().filter(l -> !l.startsWith("#")).toList())
            + "\n";
    assertThat(unit)
        .contains(
            "\nType=notify\n",
            "\nUser=flowgate\n",
            "\nNoNewPrivileges=yes\n",
            "\nProtectSystem=strict\n",
            "\nReadWritePaths=/var/lib/flowgate /sys/fs/bpf/flowgate\n",
            "\nCapabilityBoundingSet=CAP_BPF CAP_NET_ADMIN CAP_PERFMON\n",
            "\nAmbientCapabilities=CAP_BPF CAP_NET_ADMIN CAP_PERFMON\n",
            "\nExecStartPre=+",
            // check-config first: systemctl reload fails on a bad file, nothing is signalled
            "\nExecReload=/usr/bin/flowgate check-config /etc/flowgate/flowgate.yaml\n"
                + "ExecReload=/bin/kill -HUP $MAINPID\n",
            "\nRestart=on-failure\n",
            "\nWatchdogSec=")
        .doesNotContain("CAP_SYS_RESOURCE", "CAP_SYS_ADMIN", "\nMemoryDenyWriteExecute=");
  }
}
