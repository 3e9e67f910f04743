package dev.flowgate.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.bpf.BpfLink;
import dev.flowgate.bpf.BpfObject;
import dev.flowgate.bpf.FlowTable;
import dev.flowgate.bpf.Layout;
import dev.flowgate.bpf.NativeBpf;
import dev.flowgate.bpf.XdpMode;
import dev.flowgate.controlplane.testing.FlowgateProcess;
import dev.flowgate.exporters.testing.TestFlow;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.LabExtension;
import dev.flowgate.lab.VethPair;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An upgrade across a real schema change: the previous schema's object (schema 4, before the
 * gateway fields: {@code upgrade/flowgate-schema4.bpf.o}, built from main at ae866c7 and stripped
 * of DWARF) is loaded, pinned and attached the way that flowgate left it ({@code <pin>/4/maps}, an
 * XDP link pinned under {@code <pin>/4/links}), and counts a first batch of flows. Then this build
 * starts on the same pin path: the link must move to the new program (no detach), the old maps'
 * counts must reach the flow cache and the Arrow files, and a second batch counted by the new
 * program too: every flow exactly once with its exact packets and bytes, the old pins removed, the
 * take-over logged.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(120)
class UpgradeEndToEndTest {

  @RegisterExtension final LabExtension lab = new LabExtension();

  @Test
  void aStartOverPinsOfTheOlderSchemaDrainsThemAndKeepsCounting() throws Exception {
    VethPair veth = lab.veth();
    VethPair.End a = veth.a();
    Path pins = lab.pinDir();
    Path old = pins.resolve("4");
    int xdpBefore = pinSchema4(a, old);
    // the first batch, counted by the old program
    List<TestFlow> first = send(veth, 0, 6);
    // (the old object's own fds are closed: only the pins hold its maps and link)

    int api = FlowgateProcess.freePort();
    Path arrowDir = lab.dir().resolve("flows");
    List<TestFlow> second;
    String log;
    try (FlowgateProcess fg =
        FlowgateProcess.start(
            config(api, arrowDir, a.name(), pins), api, lab.dir().resolve("fg.log"))) {
      second = send(veth, 100, 5);
      log = runToQuiet(fg, first, second);
    }
    assertThat(log).contains("upgrade: took over the pins of flowgate schema 4");
    assertThat(Files.exists(old)).as("old pins removed").isFalse();
    assertThat(Files.list(pins.resolve(String.valueOf(Layout.SCHEMA_VERSION)).resolve("links")))
        .as("the link moved under this schema's pins")
        .hasSize(1);
    assertThat(exported(arrowDir)).as(log).isEqualTo(expected(first, second));
    assertThat(xdpBefore).isPositive();
  }

  /**
   * kill -9 in the start that takes the schema-4 pins over (the seam {@code CrashPoint}: the start
   * stops at the step, the test kills), right after the old maps' entries were journaled (the old
   * pins still there) or right after the old pins were removed (only the journal holds them); the
   * next start must bring every packet the old program counted to the Arrow files exactly once.
   */
  @ParameterizedTest
  @ValueSource(strings = {"upgrade-journaled", "upgrade-removed"})
  void aKillDuringTheUpgradeLosesNoOldCountAndCountsNoneTwice(String point) throws Exception {
    VethPair veth = lab.veth();
    VethPair.End a = veth.a();
    Path pins = lab.pinDir();
    Path old = pins.resolve("4");
    pinSchema4(a, old);
    List<TestFlow> first = send(veth, 0, 6);

    int api = FlowgateProcess.freePort();
    Path arrowDir = lab.dir().resolve("flows");
    Path config = config(api, arrowDir, a.name(), pins);
    List<String> cmd =
        new ArrayList<>(
            FlowgateProcess.command(List.of(), System.getProperty("java.class.path"), config));
    cmd.add(1, "-Dflowgate.test.pause-at=" + point);
    String paused = "test pause: the start stops at " + point;
    try (FlowgateProcess killed =
        FlowgateProcess.launch(cmd, Map.of(), api, lab.dir().resolve("fg-killed.log"))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (!killed.log().contains(paused)
          && killed.isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(killed.log()).contains(paused);
    } // close(): SIGKILL, at that step of the start
    assertThat(Files.exists(old))
        .as("old pins at " + point)
        .isEqualTo(point.equals("upgrade-journaled"));

    List<TestFlow> second;
    String log;
    try (FlowgateProcess fg = FlowgateProcess.start(config, api, lab.dir().resolve("fg.log"))) {
      second = send(veth, 100, 5);
      log = runToQuiet(fg, first, second);
    }
    assertThat(exported(arrowDir)).as(log).isEqualTo(expected(first, second));
    assertThat(Files.exists(old)).as("old pins removed").isFalse();
    assertThat(log).contains("crash journal replayed");
  }

  /** Waits until every sent packet is exported and none cached, stops; returns the log. */
  private static String runToQuiet(FlowgateProcess fg, List<TestFlow> first, List<TestFlow> second)
      throws Exception {
    long sent =
        first.stream().mapToLong(TestFlow::packets).sum()
            + second.stream().mapToLong(TestFlow::packets).sum();
    fg.awaitStatus(
        s ->
            CollectorEndToEndTest.sum(s, "exported") == sent
                && CollectorEndToEndTest.sum(s, "inCache") == 0);
    assertThat(fg.stop()).as(fg.log()).isZero();
    return fg.log();
  }

  /** Packets per flow in the Arrow files under {@code arrowDir}. */
  private static Map<String, Long> exported(Path arrowDir) throws Exception {
    Map<String, Long> exported = new HashMap<>();
    for (TestFlow f : ArrowFlowFiles.read(arrowDir)) {
      exported.merge(f.src() + ">" + f.dst() + ":" + f.srcPort(), f.packets(), Long::sum);
    }
    return exported;
  }

  private static Map<String, Long> expected(List<TestFlow> first, List<TestFlow> second) {
    Map<String, Long> expected = new HashMap<>();
    for (TestFlow f : first) {
      expected.merge(f.src() + ">" + f.dst() + ":" + f.srcPort(), f.packets(), Long::sum);
    }
    for (TestFlow f : second) {
      expected.merge(f.src() + ">" + f.dst() + ":" + f.srcPort(), f.packets(), Long::sum);
    }
    return expected;
  }

  /**
   * Loads the schema-4 object with its maps pinned under {@code old/maps}, lets it count on {@code
   * a} and pins its XDP link under {@code old/links}, as a stopped flowgate with keep-attached left
   * them; returns the link's id.
   */
  private int pinSchema4(VethPair.End a, Path old) throws Exception {
    Files.createDirectories(old.resolve("maps"));
    Files.createDirectories(old.resolve("links"));
    Path objFile = lab.dir().resolve("flowgate-schema4.bpf.o");
    try (InputStream in = getClass().getResourceAsStream("/upgrade/flowgate-schema4.bpf.o")) {
      Files.copy(in, objFile);
    }
    NativeBpf.ensureAvailable();
    int xdpBefore;
    try (BpfObject o = BpfObject.open(objFile)) {
      FlowTable.configure(o, FlowTable.flowsPerCpu(4096, NativeBpf.nrPossibleCpus()));
      o.pinMapsUnder(old.resolve("maps"));
      o.load();
      ByteBuffer key = ByteBuffer.allocateDirect(4).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer value =
          ByteBuffer.allocateDirect(Layout.IFACE_SETTINGS_SIZE).order(ByteOrder.LITTLE_ENDIAN);
      key.putInt(0, a.ifindex());
      Layout.putIfaceSettings(value, 0, 0, 0);
      o.map("fg_settings").update(key, value, 0);
      BpfLink link = BpfLink.attachXdp(o.program("fg_xdp"), a.ifindex(), XdpMode.NATIVE);
      link.pin(
          old.resolve("links").resolve(a.name().replace('.', '_') + "_" + a.ifindex() + "_xdp"));
      xdpBefore = link.id();
      link.close(); // pinned: stays attached, as a stopped flowgate with keep-attached left it
    }
    return xdpBefore;
  }

  /** {@code flows} UDP flows from the namespace end, flow i carrying i + 1 packets. */
  private static List<TestFlow> send(VethPair veth, int base, int flows) {
    List<byte[]> frames = new ArrayList<>();
    List<TestFlow> sent = new ArrayList<>();
    for (int i = 0; i < flows; i++) {
      String src = "10.77.0." + (base + i + 1);
      long bytes = 0;
      for (int p = 0; p <= i; p++) {
        var f =
            Frames.ipv4(src, "10.77.1.1")
                .macs(veth.b().mac(), veth.a().mac())
                .udp(2000 + base + i, 53)
                .payload(50 + p)
                .build();
        frames.add(f.bytes());
        bytes += f.ipLength();
      }
      sent.add(TestFlow.of(src, "10.77.1.1", 2000 + base + i, 53, TestFlow.UDP, i + 1, bytes));
    }
    FrameSender.send(veth.b(), frames);
    return sent;
  }

  private Path config(int api, Path arrowDir, String ifname, Path pins) throws Exception {
    String yaml =
        """
        interfaces:
          - name: %s
            mode: xdp
            direction: ingress
        flows:
          max-flows: 4096
          sweep-interval: 200ms
          idle-timeout: 2s
          active-timeout: 60s
        dataplane:
          pin-path: %s
        state-directory: %s
        export:
          arrow:
            directory: %s
        api:
          listen: 127.0.0.1:%d
        """
            .formatted(ifname, pins, lab.dir().resolve("state"), arrowDir, api);
    Path file = lab.dir().resolve("flowgate.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
