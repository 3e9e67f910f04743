package dev.flowgate.controlplane.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.lab.Command;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Lab;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * flowgate as the systemd unit runs it: an unprivileged user (nobody here, flowgate there) holding
 * only the unit's capabilities, CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON (set with setpriv as ambient
 * capabilities, bounding set cut to the same three, no CAP_SYS_RESOURCE). It must attach, count
 * exactly and export; without CAP_BPF it must say so, without a stack trace.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(300)
class LeastPrivilegeTest {
  private static final int NOBODY = 65534;
  private static final String UNIT_CAPS = "+bpf,+net_admin,+perfmon";

  private Lab lab;
  private VethPair veth;
  private Path dir;
  private Path pins;

  @BeforeEach
  void lab() throws Exception {
    lab = Lab.open();
    veth = lab.quietVeth(Netns.HOST, lab.netns());
    dir = lab.tempDir();
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    for (String owned : List.of("state", "flows")) {
      Path p = Files.createDirectory(dir.resolve(owned));
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-x---"));
      chownNobody(p);
    }
    pins = lab.pinDir();
    chownNobody(pins);
  }

  @AfterEach
  void cleanup() {
    lab.close();
  }

  private static void chownNobody(Path p) {
    Command.check("chown", NOBODY + ":" + NOBODY, p.toString());
  }

  /** setpriv: user nobody, no supplementary groups, only {@code caps} (e.g. +bpf,+perfmon). */
  private static List<String> asNobodyWith(String caps) {
    return List.of(
        "setpriv",
        "--reuid=" + NOBODY,
        "--regid=" + NOBODY,
        "--clear-groups",
        "--inh-caps=-all," + caps,
        "--ambient-caps=-all," + caps,
        "--bounding-set=-all," + caps,
        "--no-new-privs");
  }

  private Path config(int port) throws Exception {
    Path file = dir.resolve("flowgate.yaml");
    Files.writeString(
        file,
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
        dataplane:
          pin-path: %s
          keep-attached: false
        state-directory: %s
        export:
          arrow:
            directory: %s
            rotate-interval: 1s
        api:
          listen: 127.0.0.1:%d
        """
            .formatted(veth.a().name(), pins, dir.resolve("state"), dir.resolve("flows"), port));
    return file;
  }

  @Test
  void unitCapabilitiesAloneAttachCountExactlyAndExport() throws Exception {
    int port = ServiceProcess.freePort();
    LabTraffic t = LabTraffic.udp(veth, 30, 12000);
    List<String> cmd =
        ServiceProcess.command(
            asNobodyWith(UNIT_CAPS), PackagedJars.copiedTo(dir.resolve("lib")), config(port));
    try (ServiceProcess fg = ServiceProcess.start(cmd, Map.of(), port, dir.resolve("fg.log"))) {
      JsonNode ifaces = fg.json("/api/v1/interfaces");
      assertThat(ifaces.toString()).as(fg.log()).contains(veth.a().name());
      FrameSender.send(veth.b(), t.frames());
      JsonNode s = fg.awaitStatus(x -> ServiceProcess.packets(x, "exported") == t.packets());
      assertThat(ServiceProcess.packets(s, "kernel")).as(fg.log()).isEqualTo(t.packets());
      assertThat(ServiceProcess.packets(s, "exported")).isEqualTo(t.packets());
      assertThat(ServiceProcess.packets(s, "unaccounted")).isZero();
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
    ArrowFlowTotals exported = ArrowFlowTotals.read(dir.resolve("flows"));
    assertThat(exported.packets()).isEqualTo(t.packets());
    assertThat(exported.bytes()).isEqualTo(t.bytes());
    assertThat(exported.records()).isEqualTo(30);
    // everything the service wrote belongs to its user
    try (var files = Files.walk(dir.resolve("flows"))) {
      files.forEach(p -> assertThat(uid(p)).as(p.toString()).isEqualTo(NOBODY));
    }
  }

  @Test
  void withoutCapBpfItExitsNamingTheCapability() throws Exception {
    int port = ServiceProcess.freePort();
    List<String> cmd =
        ServiceProcess.command(
            asNobodyWith("+net_admin,+perfmon"),
            PackagedJars.copiedTo(dir.resolve("lib")),
            config(port));
    try (ServiceProcess fg = ServiceProcess.launch(cmd, Map.of(), port, dir.resolve("no.log"))) {
      assertThat(fg.awaitExit()).as(fg.log()).isEqualTo(1);
      assertThat(fg.log())
          .contains(
              "missing capability CAP_BPF (flowgate needs CAP_BPF, CAP_NET_ADMIN and"
                  + " CAP_PERFMON)")
          .doesNotContain("Exception")
          .doesNotContain("\tat ");
    }
    // nothing attached, nothing pinned (empty directories at most)
    assertThat(veth.a().ip("link", "show", "dev", veth.a().name()).stdout()).doesNotContain("xdp");
    try (var left = Files.walk(pins)) {
      assertThat(left.filter(p -> !Files.isDirectory(p))).isEmpty();
    }
  }

  private static int uid(Path p) {
    try {
      return (Integer) Files.getAttribute(p, "unix:uid");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
