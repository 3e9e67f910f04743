package dev.flowgate.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.netlink.Rtnetlink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Tag("kernel")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LabTest {
  private Lab lab = Lab.open();

  @AfterEach
  void closeLab() {
    lab.close();
  }

  @Test
  void framesSentInsideANamespaceArriveOnTheHostEndExactly() {
    Netns ns = lab.netns();
    VethPair veth = lab.quietVeth(Netns.HOST, ns);
    long before = veth.a().stats().rxPackets();
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      frames.add(
          Frames.ipv4("198.51.100.1", "203.0.113.1")
              .udp(1000 + i % 7, 53)
              .payload(i % 64)
              .build()
              .bytes());
    }
    FrameSender.Report report = FrameSender.send(veth.b(), frames);

    assertThat(report.frames()).isEqualTo(3000);
    Await.until("host end received 3000", () -> veth.a().stats().rxPackets() - before >= 3000);
    assertThat(veth.a().stats().rxPackets() - before).isEqualTo(3000);
    assertThat(veth.b().stats().txPackets()).isEqualTo(3000);
  }

  @Test
  void ifindexIsTheOneOfTheInterfacesOwnNamespace() throws Exception {
    Netns ns = lab.netns();
    VethPair veth = lab.veth(Netns.HOST, ns);
    assertThat(ns.ifindex("lo")).isEqualTo(1);
    // not java.net.NetworkInterface: it does not see an interface that has no IP address
    assertThat(veth.a().ifindex())
        .isEqualTo(
            Rtnetlink.links().stream()
                .filter(l -> l.name().equals(veth.a().name()))
                .findFirst()
                .orElseThrow()
                .ifindex());
    assertThat(ns.run("ip", "link", "show", "dev", veth.a().name()).ok()).isFalse();
    assertThat(ns.check("ip", "link", "show", "dev", veth.b().name()).stdout())
        .contains(veth.b().name());
  }

  @Test
  void closeRemovesEverythingEvenWhenAStepFails() throws Exception {
    Lab other = Lab.open();
    Netns ns = other.netns();
    VethPair veth = other.veth(Netns.HOST, ns);
    Path pins = other.pinDir();
    Path temp = other.tempDir();
    Files.writeString(temp.resolve("x"), "x");
    other.onClose(
        "a step that fails",
        () -> {
          throw new IllegalStateException("boom");
        });

    assertThatThrownBy(other::close)
        .isInstanceOf(LabException.class)
        .hasMessageContaining("a step that fails");
    assertThat(Command.run(List.of("ip", "netns", "list")).stdout()).doesNotContain(ns.name());
    assertThat(Command.run(List.of("ip", "link", "show", "dev", veth.a().name())).ok()).isFalse();
    assertThat(pins).doesNotExist();
    assertThat(temp).doesNotExist();
    other.close(); // idempotent
  }

  @Test
  void namesAreUniqueAndFitAnInterfaceName() {
    String a = Lab.uniqueName();
    String b = Lab.uniqueName();
    assertThat(a).isNotEqualTo(b).startsWith("fg-" + ProcessHandle.current().pid() + "-");
    assertThat(a.length()).isLessThanOrEqualTo(15);
  }

  @Test
  void commandsInsideANamespaceStillSeeBpffs() {
    Netns ns = lab.netns();
    Path pins = lab.pinDir();
    assertThat(ns.check("ls", "-d", pins.toString()).stdout().strip()).isEqualTo(pins.toString());
  }
}
