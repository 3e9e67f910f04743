package dev.flowgate.controlplane.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.lab.Command;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package, built from the packaged jars by packaging/build-deb.sh (what {@code make deb}
 * runs after the Maven build), installed on this machine with dpkg, then removed and purged. The
 * system user flowgate stays after the purge, as Debian policy has it; nothing else does.
 */
@Tag("e2e")
@Timeout(600)
class DebianPackageTest {
  private static final Path TOKEN = Path.of("/etc/flowgate/api-token");
  private static final Path CONFIG = Path.of("/etc/flowgate/flowgate.yaml");
  private static final Path UNIT = Path.of("/lib/systemd/system/flowgate.service");
  private static final Path STATE = Path.of("/var/lib/flowgate");
  private static final Path LIB = Path.of("/usr/share/flowgate/lib");

  @TempDir Path out;
  private boolean installedByUs;

  @BeforeEach
  void notInstalledYet() {
    assertThat(Host.packageKnown("flowgate"))
        .as(
            "a flowgate package is already installed here; this test installs and purges its"
                + " own, so it will not touch that one")
        .isFalse();
  }

  @AfterEach
  void purge() {
    if (installedByUs && Host.packageKnown("flowgate")) {
      Host.run("dpkg", "-P", "flowgate");
    }
  }

  private Path buildDeb() {
    Command.Result r =
        Host.run(
            PackagedJars.treeRoot().resolve("packaging/build-deb.sh").toString(), out.toString());
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    List<String> lines = Arrays.asList(r.stdout().strip().split("\n"));
    Path deb = Path.of(lines.get(lines.size() - 1));
    assertThat(deb.getFileName().toString()).matches("flowgate_[0-9][^_]*_amd64\\.deb");
    return deb;
  }

  @Test
  void buildsInstallsRemovesAndPurgesCleanly() throws Exception {
    Path deb = buildDeb();

    Command.Result lintian = Host.run("lintian", "--no-tag-display-limit", deb.toString());
    String tags = lintian.stdout();
    assertThat(tags.lines().filter(l -> l.startsWith("E:"))).as(tags).isEmpty();

    Command.Result info = Host.run("dpkg-deb", "-f", deb.toString(), "Depends");
    assertThat(info.stdout()).contains("openjdk-17-jre-headless").contains("libbpf1");
    Command.Result contents = Host.run("dpkg-deb", "-c", deb.toString());
    assertThat(contents.stdout())
        .contains(
            "./usr/share/flowgate/lib/flowgate-native-",
            "./usr/share/flowgate/lib/flowgate-dataplane-bpf-",
            "./usr/bin/flowgate",
            "./usr/lib/sysusers.d/flowgate.conf",
            "./usr/lib/tmpfiles.d/flowgate.conf",
            "./usr/share/man/man8/flowgate.8.gz",
            "./usr/share/bash-completion/completions/flowgate",
            "./usr/share/flowgate/flow.proto",
            "./usr/share/doc/flowgate/fleet.md");
    Command.Result conffiles = Host.run("dpkg-deb", "-I", deb.toString(), "conffiles");
    assertThat(conffiles.stdout().strip()).isEqualTo(CONFIG.toString());

    installedByUs = true;
    Command.Result install = Host.run("dpkg", "-i", deb.toString());
    assertThat(install.exitCode()).as(install.stdout() + install.stderr()).isZero();

    assertThat(Host.run("getent", "passwd", "flowgate").stdout())
        .contains(":/var/lib/flowgate:/usr/sbin/nologin");
    assertThat(Host.modeAndOwner(TOKEN)).isEqualTo("rw-r----- root:flowgate");
    assertThat(Files.readString(TOKEN).strip()).matches("[0-9a-f]{64}");
    assertThat(Host.modeAndOwner(CONFIG)).isEqualTo("rw-r--r-- root:root");
    assertThat(Host.modeAndOwner(STATE)).isEqualTo("rwxr-x--- flowgate:flowgate");
    assertThat(Host.modeAndOwner(STATE.resolve("flows"))).isEqualTo("rwxr-x--- flowgate:flowgate");
    assertThat(Host.modeAndOwner(Path.of("/usr/bin/flowgate"))).isEqualTo("rwxr-xr-x root:root");
    assertThat(Host.modeAndOwner(UNIT)).isEqualTo("rw-r--r-- root:root");

    Command.Result verify = Host.run("systemd-analyze", "verify", UNIT.toString());
    assertThat(verify.exitCode()).as(verify.stdout() + verify.stderr()).isZero();
    assertThat(verify.stdout() + verify.stderr()).isBlank();
    assertThat(SystemdUnitTest.exposure(UNIT)).isLessThanOrEqualTo(2.0);

    // the installed launcher runs from /usr/share/flowgate/lib and accepts the packaged config
    Command.Result version = Host.run("/usr/bin/flowgate", "version");
    assertThat(version.stdout()).as(version.stderr()).startsWith("flowgate ");
    Command.Result check = Host.run("/usr/bin/flowgate", "check-config", CONFIG.toString());
    assertThat(check.exitCode()).as(check.stdout() + check.stderr()).isZero();

    String tokenBefore = Files.readString(TOKEN);
    Command.Result again = Host.run("dpkg", "-i", deb.toString());
    assertThat(again.exitCode()).as(again.stderr()).isZero();
    assertThat(Files.readString(TOKEN)).as("reinstall keeps the token").isEqualTo(tokenBefore);

    Command.Result remove = Host.run("dpkg", "-r", "flowgate");
    assertThat(remove.exitCode()).as(remove.stderr()).isZero();
    assertThat(LIB).doesNotExist();
    assertThat(Path.of("/usr/bin/flowgate")).doesNotExist();
    assertThat(UNIT).doesNotExist();
    assertThat(CONFIG).exists(); // a conffile stays until purge
    assertThat(TOKEN).exists();

    Command.Result purge = Host.run("dpkg", "-P", "flowgate");
    assertThat(purge.exitCode()).as(purge.stderr()).isZero();
    assertThat(Path.of("/etc/flowgate")).doesNotExist();
    assertThat(STATE).doesNotExist();
    assertThat(Host.packageKnown("flowgate")).isFalse();
    assertThat(Host.run("getent", "passwd", "flowgate").ok()).as("the system user stays").isTrue();
  }
}
