package dev.flowgate.controlplane.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.controlplane.testing.FlowgateProcess;
import dev.flowgate.lab.Command;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.LabExtension;
import dev.flowgate.lab.VethPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

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

  @RegisterExtension final LabExtension lab = new LabExtension();
  private Path pins;

  @BeforeEach
  void lab() throws Exception {
    Files.setPosixFilePermissions(lab.dir(), PosixFilePermissions.fromString("rwx--x--x"));
    for (String owned : List.of("state", "flows")) {
      Path p = Files.createDirectory(lab.dir().resolve(owned));
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-x---"));
      chownNobody(p);
    }
    pins = lab.pinDir();
    chownNobody(pins);
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
    Path file = lab.dir().resolve("flowgate.yaml");
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
            .formatted(
                lab.veth().a().name(),
                pins,
                lab.dir().resolve("state"),
                lab.dir().resolve("flows"),
                port));
    return file;
  }

  @Test
  void unitCapabilitiesAloneAttachCountExactlyAndExport() throws Exception {
    int port = FlowgateProcess.freePort();
    LabTraffic t = LabTraffic.udp(lab.veth(), 30, 12000);
    List<String> cmd =
        FlowgateProcess.command(
            asNobodyWith(UNIT_CAPS), PackagedJars.copiedTo(lab.dir().resolve("lib")), config(port));
    try (FlowgateProcess fg =
        FlowgateProcess.start(cmd, Map.of(), port, lab.dir().resolve("fg.log"))) {
      JsonNode ifaces = fg.json("/api/v1/interfaces");
      assertThat(ifaces.toString()).as(fg.log()).contains(lab.veth().a().name());
      FrameSender.send(lab.veth().b(), t.frames());
      JsonNode s = fg.awaitStatus(x -> FlowgateProcess.packets(x, "exported") == t.packets());
      assertThat(FlowgateProcess.packets(s, "kernel")).as(fg.log()).isEqualTo(t.packets());
      assertThat(FlowgateProcess.packets(s, "exported")).isEqualTo(t.packets());
      assertThat(FlowgateProcess.packets(s, "unaccounted")).isZero();
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
    ArrowFlowTotals exported = ArrowFlowTotals.read(lab.dir().resolve("flows"));
    assertThat(exported.packets()).isEqualTo(t.packets());
    assertThat(exported.bytes()).isEqualTo(t.bytes());
    assertThat(exported.records()).isEqualTo(30);
    // everything the service wrote belongs to its user
    try (var files = Files.walk(lab.dir().resolve("flows"))) {
      files.forEach(p -> assertThat(uid(p)).as(p.toString()).isEqualTo(NOBODY));
    }
  }

  @Test
  void withoutCapBpfItExitsNamingTheCapability() throws Exception {
    int port = FlowgateProcess.freePort();
    List<String> cmd =
        FlowgateProcess.command(
            asNobodyWith("+net_admin,+perfmon"),
            PackagedJars.copiedTo(lab.dir().resolve("lib")),
            config(port));
    try (FlowgateProcess fg =
        FlowgateProcess.launch(cmd, Map.of(), port, lab.dir().resolve("no.log"))) {
      assertThat(fg.awaitExit()).as(fg.log()).isEqualTo(1);
      assertThat(fg.log())
          .contains(
              "missing capability CAP_BPF (flowgate needs CAP_BPF, CAP_NET_ADMIN and"
                  + " CAP_PERFMON)")
          .doesNotContain("Exception")
          .doesNotContain("\tat ");
    }
    // nothing attached, nothing pinned (empty directories at most)
    VethPair.End host = lab.veth().a();
    assertThat(host.ip("link", "show", "dev", host.name()).stdout()).doesNotContain("xdp");
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
