package dev.flowgate.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.Lab;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Interfaces as they come and go, and as operators change them: a /regex/ entry attaches to a
 * device created after the start and forgets it when it is deleted; an entry added through the API
 * survives a restart; an entry added to the file is attached on SIGHUP, with the API's change still
 * on top.
 */
@Timeout(300)
class InterfaceLifecycleEndToEndTest {
  private static final String TOKEN = "e2e-token-0123456789abcdef";

  private Lab lab;
  private Netns ns;
  private Path dir;

  @BeforeEach
  void lab() {
    lab = Lab.open();
    ns = lab.netns();
    dir = lab.tempDir();
  }

  @AfterEach
  void cleanup() {
    lab.close();
  }

  private VethPair veth() {
    VethPair v = lab.quietVeth(Netns.HOST, ns);
    return v;
  }

  private Path config(int port, Path pins, List<String> names) throws Exception {
    Path token = dir.resolve("token");
    if (!Files.exists(token)) {
      Files.writeString(token, TOKEN);
      Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    }
    StringBuilder entries = new StringBuilder();
    for (String n : names) {
      entries.append("  - name: \"").append(n).append("\"\n    mode: xdp\n    sampling: 0\n");
    }
    String yaml =
        "interfaces:\n"
            + entries
            + """
              flows:
                max-flows: 4096
                sweep-interval: 200ms
                idle-timeout: 2s
              dataplane:
                pin-path: %s
                keep-attached: false
              state-directory: %s
              api:
                listen: 127.0.0.1:%d
                token-file: %s
              """
                .formatted(pins, dir.resolve("state"), port, token);
    Path file = dir.resolve("flowgate.yaml");
    Files.writeString(file, yaml);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private static List<String> attachedDevices(FlowgateProcess fg) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode e : fg.json("/api/v1/interfaces").get("interfaces")) {
      for (JsonNode a : e.get("attached")) {
        out.add(a.get("device").asText());
      }
    }
    return out;
  }

  private static List<String> awaitDevices(FlowgateProcess fg, Predicate<List<String>> done)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    List<String> last = attachedDevices(fg);
    while (!done.test(last) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      last = attachedDevices(fg);
    }
    return last;
  }

  private static List<byte[]> frames(VethPair v, int n) {
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      frames.add(
          Frames.ipv4("198.51.100.1", "203.0.113.1")
              .macs(v.b().mac(), v.a().mac())
              .udp(1000 + i, 53)
              .payload(10)
              .build()
              .bytes());
    }
    return frames;
  }

  @Test
  void regexEntryFollowsDevicesAsTheyComeAndGo() throws Exception {
    int port = FlowgateProcess.freePort();
    String prefix = "fg-" + ProcessHandle.current().pid() + "-";
    try (FlowgateProcess fg =
        FlowgateProcess.start(
            config(port, lab.pinDir(), List.of("/" + prefix + ".*/")),
            port,
            dir.resolve("fg.log"))) {
      VethPair later = veth();
      assertThat(awaitDevices(fg, d -> d.contains(later.a().name())))
          .as(fg.log())
          .contains(later.a().name());
      FrameSender.send(later.b(), frames(later, 7));
      JsonNode status = fg.awaitStatus(s -> packets(s, later.a().name()) == 7);
      assertThat(packets(status, later.a().name())).isEqualTo(7);

      deleteVeth(later);
      assertThat(awaitDevices(fg, d -> !d.contains(later.a().name())))
          .as(fg.log())
          .doesNotContain(later.a().name());
      assertThat(fg.stop()).isZero();
    }
  }

  @Test
  void apiChangesSurviveRestartAndStayOnTopOfAReloadedFile() throws Exception {
    VethPair first = veth();
    VethPair added = veth();
    VethPair fromFile = veth();
    int port = FlowgateProcess.freePort();
    Path pins = lab.pinDir();
    Path config = config(port, pins, List.of(first.a().name()));
    try (FlowgateProcess fg = FlowgateProcess.start(config, port, dir.resolve("fg1.log"))) {
      var created =
          fg.send(
              "POST",
              "/api/v1/interfaces",
              "{\"name\": \"" + added.a().name() + "\", \"sampling\": 0}",
              TOKEN);
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      var changed =
          fg.send("PATCH", "/api/v1/interfaces/" + first.a().name(), "{\"sampling\": 50}", TOKEN);
      assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
      assertThat(awaitDevices(fg, d -> d.contains(added.a().name()))).contains(added.a().name());
      assertThat(fg.stop()).isZero();
    }
    try (FlowgateProcess fg = FlowgateProcess.start(config, port, dir.resolve("fg2.log"))) {
      assertThat(attachedDevices(fg)).as(fg.log()).contains(first.a().name(), added.a().name());
      config(port, pins, List.of(first.a().name(), fromFile.a().name()));
      fg.hangUp();
      assertThat(awaitDevices(fg, d -> d.contains(fromFile.a().name())))
          .as(fg.log())
          .contains(first.a().name(), added.a().name(), fromFile.a().name());
      JsonNode entries = fg.json("/api/v1/interfaces").get("interfaces");
      for (JsonNode e : entries) {
        if (e.get("name").asText().equals(first.a().name())) {
          assertThat(e.get("sampling").asInt()).as("the API's patch stays on top").isEqualTo(50);
        }
      }
      FrameSender.send(fromFile.b(), frames(fromFile, 5));
      JsonNode s = fg.awaitStatus(x -> packets(x, fromFile.a().name()) == 5);
      assertThat(packets(s, fromFile.a().name())).isEqualTo(5);
      assertThat(fg.stop()).isZero();
    }
  }

  @Test
  void apiChangeAfterASighupKeepsTheReloadedEntries() throws Exception {
    VethPair first = veth();
    VethPair fromFile = veth();
    VethPair added = veth();
    int port = FlowgateProcess.freePort();
    Path pins = lab.pinDir();
    Path config = config(port, pins, List.of(first.a().name()));
    try (FlowgateProcess fg = FlowgateProcess.start(config, port, dir.resolve("fg.log"))) {
      config(port, pins, List.of(first.a().name(), fromFile.a().name()));
      fg.hangUp();
      assertThat(awaitDevices(fg, d -> d.contains(fromFile.a().name())))
          .as(fg.log())
          .contains(first.a().name(), fromFile.a().name());
      // the API's changes lay on top of the file as reloaded, not as loaded at start
      var changed =
          fg.send("PATCH", "/api/v1/interfaces/" + first.a().name(), "{\"sampling\": 50}", TOKEN);
      assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
      var created =
          fg.send(
              "POST",
              "/api/v1/interfaces",
              "{\"name\": \"" + added.a().name() + "\", \"sampling\": 0}",
              TOKEN);
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      assertThat(awaitDevices(fg, d -> d.contains(added.a().name())))
          .as(fg.log())
          .contains(first.a().name(), fromFile.a().name(), added.a().name());
      FrameSender.send(fromFile.b(), frames(fromFile, 4));
      JsonNode s = fg.awaitStatus(x -> packets(x, fromFile.a().name()) == 4);
      assertThat(packets(s, fromFile.a().name())).isEqualTo(4);
      assertThat(fg.stop()).isZero();
    }
  }

  private static long packets(JsonNode status, String ifname) {
    long n = 0;
    for (JsonNode row : status.get("accounting")) {
      if (row.get("interface").asText().equals(ifname)) {
        n += row.get("kernel").get("packets").asLong();
      }
    }
    return n;
  }

  /** Deletes a veth pair before the lab does (the lab's own cleanup tolerates it gone). */
  private static void deleteVeth(VethPair v) throws Exception {
    assertThat(new ProcessBuilder("ip", "link", "del", v.a().name()).inheritIO().start().waitFor())
        .isZero();
  }
}
