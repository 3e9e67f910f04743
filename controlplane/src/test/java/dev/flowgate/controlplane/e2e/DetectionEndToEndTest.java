package dev.flowgate.controlplane.e2e;

import dev.flowgate.controlplane.testing.FlowgateProcess;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.Lab;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The detectors end to end: flowgate as a process on a real veth with low thresholds, floods sent
 * at a bounded rate from a namespace. Each flood at twice its threshold must raise the right alert
 * at the right target no later than the second sweep after its first packet (sweep numbers, never
 * wall time); at half the threshold, or from an allow-listed source, nothing fires.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(300)
class DetectionEndToEndTest {
  private static final String VICTIM = "203.0.113.10";
  private static final String OTHER_VICTIM = "203.0.113.11";
  private static final String ATTACKER = "198.51.100.7";

  private Lab lab;
  private VethPair veth;
  private Path dir;
  private WebhookReceiver hook;
  private dev.flowgate.lab.MacAddress srcMac;
  private dev.flowgate.lab.MacAddress dstMac;

  @BeforeEach
  void lab() throws IOException {
    lab = Lab.open();
    Netns ns = lab.netns();
    veth = lab.quietVeth(Netns.HOST, ns);
    srcMac = veth.b().mac(); // each mac() asks ip(8): once, not per frame
    dstMac = veth.a().mac();
    dir = lab.tempDir();
    hook = new WebhookReceiver();
  }

  @AfterEach
  void cleanup() {
    hook.close();
    lab.close();
  }

  /** Starts flowgate with this {@code alerts:} section (indented two spaces) and 1 s sweeps. */
  private FlowgateProcess flowgate(String alerts, int maxFlows) throws Exception {
    return flowgate(alerts, maxFlows, "");
  }

  /** As {@link #flowgate(String, int)}, with more sink lines (indented four spaces). */
  private FlowgateProcess flowgate(String alerts, int maxFlows, String sinks) throws Exception {
    return flowgate(alerts, maxFlows, sinks, 0);
  }

  /** As {@link #flowgate(String, int, String)}, sampling 1 in {@code sampling} packets (0: off). */
  private FlowgateProcess flowgate(String alerts, int maxFlows, String sinks, int sampling)
      throws Exception {
    int port = FlowgateProcess.freePort();
    String yaml =
        """
        interfaces:
          - name: %s
            mode: xdp
            direction: ingress
            sampling: %d
        flows:
          max-flows: %d
          sweep-interval: 1s
          idle-timeout: 5s
        dataplane:
          pin-path: %s
          keep-attached: false
        state-directory: %s
        api:
          listen: 127.0.0.1:%d
        alerts:
          hold-down: 2s
        %s
          sinks:
            log: true
            webhook: {url: '%s', max-retries: 2}
        %s
        """
            .formatted(
                veth.a().name(),
                sampling,
                maxFlows,
                lab.pinDir(),
                dir.resolve("state"),
                port,
                alerts.stripTrailing(),
                hook.url(),
                sinks);
    Path file = dir.resolve("flowgate-" + System.nanoTime() + ".yaml");
    Files.writeString(file, yaml);
    return FlowgateProcess.start(file, port, dir.resolve("fg.log"));
  }

  private static String thresholds(String... lines) {
    StringBuilder b = new StringBuilder("  thresholds:\n");
    for (String l : lines) {
      b.append("    ").append(l).append('\n');
    }
    return b.toString();
  }

  private List<byte[]> frames(int n, IntFunction<byte[]> frame) {
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(frame.apply(i));
    }
    return out;
  }

  private byte[] syn(String src, String dst, int i) {
    return Frames.ipv4(src, dst)
        .macs(srcMac, dstMac)
        .tcp(10000 + i % 50000, 80, Frames.TCP_SYN)
        .build()
        .bytes();
  }

  private byte[] syn6(String src, String dst, int i) {
    return Frames.ipv6(src, dst)
        .macs(srcMac, dstMac)
        .tcp(10000 + i % 50000, 80, Frames.TCP_SYN)
        .build()
        .bytes();
  }

  private byte[] udp(String src, String dst, int srcPort, int i) {
    return Frames.ipv4(src, dst)
        .macs(srcMac, dstMac)
        .udp(srcPort, 20000 + i % 1000)
        .payload(200)
        .build()
        .bytes();
  }

  private byte[] ping(String src, String dst) {
    return Frames.ipv4(src, dst).macs(srcMac, dstMac).icmp(8, 0).payload(56).build().bytes();
  }

  /** The sweeps flowgate completed, as /status says. */
  private static long sweeps(FlowgateProcess fg) throws Exception {
    return fg.json("/api/v1/status").get("sweeps").asLong();
  }

  /** Polls /alerts until one matches (30 s at most); returns it or null. */
  private static JsonNode awaitAlert(FlowgateProcess fg, Predicate<JsonNode> match)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (JsonNode a : fg.json("/api/v1/alerts").get("alerts")) {
        if (match.test(a)) {
          return a;
        }
      }
      Thread.sleep(100);
    }
    return null;
  }

  private static Predicate<JsonNode> alert(String type, String target, String state) {
    return a ->
        a.get("type").asText().equals(type)
            && a.get("target").asText().equals(target)
            && a.get("state").asText().equals(state);
  }

  /** Waits until {@code n} more sweeps have completed after {@code from}. */
  private static void awaitSweeps(FlowgateProcess fg, long from, int n) throws Exception {
    fg.awaitStatus(s -> s.get("sweeps").asLong() >= from + n);
  }

  /**
   * Sends a flood at {@code rate} for {@code seconds}, and checks the alert it must raise: type,
   * target, direction, hostgroup, raised by the second sweep after the first packet; then that it
   * resolves after the flood and that the webhook heard both. Returns the firing alert.
   */
  private JsonNode floodRaises(
      FlowgateProcess fg,
      List<byte[]> flood,
      int rate,
      String type,
      String target,
      String hostgroup)
      throws Exception {
    long firstSweep;
    try (PacedSender s = PacedSender.start(veth.b(), flood, rate)) {
      firstSweep = sweeps(fg);
      JsonNode a = awaitAlert(fg, alert(type, target, "firing"));
      assertThat(a).as("no %s alert at %s:\n%s", type, target, fg.log()).isNotNull();
      assertThat(a.get("direction").asText()).isEqualTo("in");
      assertThat(a.get("hostgroup").asText()).isEqualTo(hostgroup);
      assertThat(a.get("severity").asText()).isEqualTo("critical");
      assertThat(a.get("detectedSweep").asLong())
          .as("sweep that raised it, first packet after sweep %d", firstSweep)
          .isLessThanOrEqualTo(firstSweep + 2);
      assertThat(a.get("rate").asLong()).isGreaterThanOrEqualTo(a.get("threshold").asLong());
      assertThat(s.await()).isEqualTo(flood.size());
    }
    JsonNode done = awaitAlert(fg, alert(type, target, "resolved"));
    assertThat(done).as("not resolved:\n%s", fg.log()).isNotNull();
    long id = done.get("id").asLong();
    List<String> events = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (events.size() < 2 && System.nanoTime() < deadline) {
      events.clear();
      for (JsonNode b : hook.bodies()) {
        if (b.at("/alert/id").asLong() == id) {
          events.add(b.get("event").asText());
        }
      }
      Thread.sleep(100);
    }
    assertThat(events).as("webhook events of alert %d", id).containsExactly("firing", "resolved");
    return done;
  }

  @Test
  void synFloodAtTwiceTheThresholdRaisesSynFloodAtTheTargetWithItsSource() throws Exception {
    try (FlowgateProcess fg = flowgate(thresholds("syn-flood: {critical: 500pps}"), 4096)) {
      JsonNode a =
          floodRaises(
              fg,
              frames(3000, i -> syn(ATTACKER, VICTIM, i)),
              1000,
              "syn-flood",
              VICTIM,
              "default");
      assertThat(a.at("/fingerprint/topSources/0/key").asText()).isEqualTo(ATTACKER);
      assertThat(a.at("/fingerprint/topDestinationPorts/0/key").asText()).isEqualTo("80");
      assertThat(fg.json("/api/v1/alerts").get("alerts")).hasSize(1);
      assertThat(fg.get("/metrics").body())
          .contains("flowgate_alerts_total{type=\"syn-flood\"} 1.0")
          .contains("flowgate_alert_deliveries_total{outcome=\"delivered\",sink=\"webhook\"} 2.0");
    }
  }

  @Test
  void withSamplingTheFingerprintHasTheSamplesTopSourcesPortsAndSizes() throws Exception {
    // every packet sampled: the flood's samples name its source, its ports and its frame size
    try (FlowgateProcess fg = flowgate(thresholds("udp-flood: {critical: 500pps}"), 4096, "", 1)) {
      JsonNode a =
          floodRaises(
              fg,
              frames(3000, i -> udp(ATTACKER, VICTIM, 40000, i)),
              1000,
              "udp-flood",
              VICTIM,
              "default");
      JsonNode sampled = a.at("/fingerprint/samples");
      assertThat(sampled.isObject()).as("no samples in %s", a).isTrue();
      assertThat(sampled.get("samples").asLong()).isPositive();
      assertThat(sampled.at("/topSources/0/key").asText()).isEqualTo(ATTACKER);
      assertThat(sampled.at("/topSources/0/packets").asLong())
          .isEqualTo(sampled.get("samples").asLong());
      assertThat(sampled.at("/topSourcePorts/0/key").asText()).isEqualTo("40000");
      assertThat(sampled.at("/topDestinationPorts").size()).isEqualTo(5);
      // 14 + 20 + 8 + 200 bytes: every sample in the 128-255 bin
      long inBin = -1;
      long all = 0;
      for (JsonNode bin : sampled.get("packetSizes")) {
        all += bin.get("samples").asLong();
        if (bin.get("bytes").asText().equals("128-255")) {
          inBin = bin.get("samples").asLong();
        }
      }
      assertThat(inBin).isEqualTo(all).isEqualTo(sampled.get("samples").asLong());
    }
  }

  @Test
  void udpFloodAtTwiceTheThresholdRaisesUdpFlood() throws Exception {
    try (FlowgateProcess fg = flowgate(thresholds("udp-flood: {critical: 500pps}"), 4096)) {
      JsonNode a =
          floodRaises(
          fg,
          frames(3000, i -> udp(ATTACKER, VICTIM, 40000, i)),
          1000,
          "udp-flood",
          VICTIM,
          "default");
      assertThat(a.at("/fingerprint").has("samples")).as("sampling is off: %s", a).isFalse();
      assertThat(fg.json("/api/v1/alerts").get("alerts")).hasSize(1);
    }
  }

  @Test
  void icmpFloodAtTwiceTheThresholdRaisesIcmpFlood() throws Exception {
    try (FlowgateProcess fg = flowgate(thresholds("icmp-flood: {critical: 500pps}"), 4096)) {
      floodRaises(
          fg, frames(3000, i -> ping(ATTACKER, VICTIM)), 1000, "icmp-flood", VICTIM, "default");
      assertThat(fg.json("/api/v1/alerts").get("alerts")).hasSize(1);
    }
  }

  @Test
  void ntpReflectionAtTwiceTheThresholdRaisesAmplificationOnly() throws Exception {
    try (FlowgateProcess fg =
        flowgate(
            thresholds("amplification: {critical: 500pps}", "udp-flood: {critical: 5000pps}"),
            4096)) {
      JsonNode a =
          floodRaises(
              fg,
              frames(3000, i -> udp(ATTACKER, VICTIM, 123, i)),
              1000,
              "amplification",
              VICTIM,
              "default");
      assertThat(a.at("/fingerprint/topSourcePorts/0/key").asText()).isEqualTo("123");
      assertThat(fg.json("/api/v1/alerts").get("alerts")).hasSize(1);
    }
  }

  @Test
  void randomSourceSynFloodThatOverflowsTheFlowTableStillRaisesSynFlood() throws Exception {
    // 1,024 flows per CPU, 3,072 with the spill map on two CPUs: an interval holds fewer flows
    // than the threshold, so only counting every packet apart from the table can raise it.
    // 20,000 new flows as fast as the sender goes (at most 50,000 a second): whichever way the
    // sweeps cut them, an interval gets far more than 5,000
    try (FlowgateProcess fg = flowgate(thresholds("syn-flood: {critical: 5000pps}"), 1024)) {
      List<byte[]> flood =
          frames(
              20000,
              i ->
                  syn("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), VICTIM, i));
      floodRaises(fg, flood, 50000, "syn-flood", VICTIM, "default");
      JsonNode status = fg.json("/api/v1/status");
      long unaccounted = 0;
      for (JsonNode row : status.get("accounting")) {
        unaccounted += row.at("/unaccounted/packets").asLong();
      }
      assertThat(unaccounted).as("the flow table overflowed").isPositive();
    }
  }

  @Test
  void floodAtHalfTheThresholdRaisesNothing() throws Exception {
    try (FlowgateProcess fg =
        flowgate(
            thresholds(
                "syn-flood: {critical: 500pps}",
                "udp-flood: {critical: 500pps}",
                "icmp-flood: {critical: 500pps}",
                "amplification: {critical: 500pps}"),
            4096)) {
      List<byte[]> mix = new ArrayList<>();
      for (int i = 0; i < 750; i++) {
        mix.add(syn(ATTACKER, VICTIM, i));
        mix.add(udp(ATTACKER, OTHER_VICTIM, 53, i));
      }
      // 500 frames a second: 250 SYN to one target, 250 DNS replies (UDP, amplification) to another
      try (PacedSender s = PacedSender.start(veth.b(), mix, 500)) {
        assertThat(s.await()).isEqualTo(mix.size());
      }
      awaitSweeps(fg, sweeps(fg), 3);
      assertThat(fg.json("/api/v1/alerts").get("alerts")).as(fg.log()).isEmpty();
      assertThat(hook.bodies()).isEmpty();
    }
  }

  @Test
  void ipv6HostgroupsAndTargetsBehaveLikeIpv4Ones() throws Exception {
    String alerts =
        thresholds("syn-flood: {critical: 100000pps}")
            + "  hostgroups:\n"
            + "    - name: web4\n"
            + "      networks: [203.0.113.0/24]\n"
            + "      thresholds: {syn-flood: {critical: 500pps}}\n"
            + "    - name: web6\n"
            + "      networks: ['2001:db8:10::/64']\n"
            + "      thresholds: {syn-flood: {critical: 500pps}}\n";
    try (FlowgateProcess fg = flowgate(alerts, 4096)) {
      floodRaises(
          fg,
          frames(3000, i -> syn6("2001:db8:99::7", "2001:db8:10::10", i)),
          1000,
          "syn-flood",
          "2001:db8:10::10",
          "web6");
      floodRaises(
          fg, frames(3000, i -> syn(ATTACKER, VICTIM, i)), 1000, "syn-flood", VICTIM, "web4");
      // the same flood at a host of the default group (100,000 SYN/s) raises nothing
      try (PacedSender s =
          PacedSender.start(
              veth.b(), frames(3000, i -> syn6("2001:db8:99::7", "2001:db8:11::10", i)), 1000)) {
        s.await();
      }
      awaitSweeps(fg, sweeps(fg), 2);
      assertThat(fg.json("/api/v1/alerts").get("alerts")).hasSize(2);
    }
  }

  @Test
  void allowListedSourceNeverTriggers() throws Exception {
    String alerts =
        "  allow: [198.51.100.0/24, '2001:db8:99::/48']\n"
            + thresholds("syn-flood: {critical: 500pps}");
    try (FlowgateProcess fg = flowgate(alerts, 4096)) {
      // the allow-listed source floods VICTIM while another floods OTHER_VICTIM, interleaved
      List<byte[]> both = new ArrayList<>();
      for (int i = 0; i < 3000; i++) {
        both.add(syn(ATTACKER, VICTIM, i));
        both.add(syn("192.0.2.7", OTHER_VICTIM, i));
      }
      floodRaises(fg, both, 2000, "syn-flood", OTHER_VICTIM, "default");
      awaitSweeps(fg, sweeps(fg), 1);
      JsonNode all = fg.json("/api/v1/alerts").get("alerts");
      assertThat(all).hasSize(1);
      assertThat(all.get(0).get("target").asText()).isEqualTo(OTHER_VICTIM);
    }
  }

  @Test
  void alertmanagerShowsTheAlertFiringThenResolved() throws Exception {
    try (Alertmanager am = Alertmanager.start(lab.tempDir());
        FlowgateProcess fg =
            flowgate(
                thresholds("syn-flood: {critical: 500pps}"),
                4096,
                "    alertmanager: {url: '" + am.url() + "', resend-interval: 1s}")) {
      try (PacedSender s =
          PacedSender.start(veth.b(), frames(4000, i -> syn(ATTACKER, VICTIM, i)), 1000)) {
        JsonNode active = am.awaitAlert("syn-flood", VICTIM, true);
        assertThat(active).as("Alertmanager never saw it:\n%s", fg.log()).isNotNull();
        assertThat(active.at("/labels/severity").asText()).isEqualTo("critical");
        assertThat(active.at("/labels/hostgroup").asText()).isEqualTo("default");
        assertThat(active.at("/status/state").asText()).isEqualTo("active");
        s.await();
      }
      assertThat(awaitAlert(fg, alert("syn-flood", VICTIM, "resolved"))).isNotNull();
      assertThat(am.awaitAlert("syn-flood", VICTIM, false))
          .as("Alertmanager still shows it active:\n%s", fg.log())
          .isNull();
      String metrics = fg.get("/metrics").body();
      assertThat(metrics)
          .contains(
              "flowgate_alert_deliveries_total{outcome=\"failed\",sink=\"alertmanager\"} 0.0");
    }
  }

  @Test
  void aBusyMixOfNormalFlowsRaisesNothingWithTheDefaults() throws Exception {
    // 3 s of what a small site's uplink carries, about 11,700 frames a second, shuffled within
    // each second: a busy server taking 400 new connections a second (a SYN, then ten data
    // packets each, from 1,200 clients); 128 hosts each downloading (a SYN-ACK, 40 data packets
    // of 1,400 bytes), resolving (5 DNS replies from port 53), on QUIC (10 datagrams of 1,200
    // bytes from port 443) and answered pings (1 echo reply), all at once
    String server = "203.0.113.80";
    java.util.Random random = new java.util.Random(15);
    List<byte[]> mix = new ArrayList<>();
    int client = 0;
    for (int sec = 0; sec < 3; sec++) {
      List<byte[]> second = new ArrayList<>();
      for (int c = 0; c < 400; c++, client++) {
        String from = "198.18." + (client / 250 % 250) + "." + (client % 250 + 1);
        int port = 30000 + client;
        second.add(
            Frames.ipv4(from, server).macs(srcMac, dstMac).tcp(port, 443, Frames.TCP_SYN).build()
                .bytes());
        for (int d = 0; d < 10; d++) {
          second.add(
              Frames.ipv4(from, server)
                  .macs(srcMac, dstMac)
                  .tcp(port, 443, Frames.TCP_ACK | Frames.TCP_PSH)
                  .payload(400)
                  .build()
                  .bytes());
        }
      }
      for (int h = 0; h < 128; h++) {
        String host = "192.0.2." + (h + 1);
        String remote = "100.64." + h + ".1";
        int port = 40000 + sec * 128 + h;
        second.add(
            Frames.ipv4(remote, host)
                .macs(srcMac, dstMac)
                .tcp(443, port, Frames.TCP_SYN | Frames.TCP_ACK)
                .build()
                .bytes());
        for (int d = 0; d < 40; d++) {
          second.add(
              Frames.ipv4(remote, host)
                  .macs(srcMac, dstMac)
                  .tcp(443, port, Frames.TCP_ACK)
                  .payload(1400)
                  .build()
                  .bytes());
        }
        for (int d = 0; d < 5; d++) {
          second.add(
              Frames.ipv4("100.64.200." + (d + 1), host)
                  .macs(srcMac, dstMac)
                  .udp(53, 50000 + d)
                  .payload(120)
                  .build()
                  .bytes());
        }
        for (int d = 0; d < 10; d++) {
          second.add(
              Frames.ipv4("100.65." + h + ".1", host)
                  .macs(srcMac, dstMac)
                  .udp(443, 51000 + h)
                  .payload(1200)
                  .build()
                  .bytes());
        }
        second.add(Frames.ipv4("100.66.0.1", host).macs(srcMac, dstMac).icmp(0, 0).payload(56)
            .build().bytes());
      }
      java.util.Collections.shuffle(second, random);
      mix.addAll(second);
    }
    int rate = mix.size() / 3;
    try (FlowgateProcess fg = flowgate("", 65536)) {
      long kernelBefore = kernelPackets(fg);
      try (PacedSender s = PacedSender.start(veth.b(), mix, rate)) {
        assertThat(s.await()).isEqualTo(mix.size());
      }
      awaitSweeps(fg, sweeps(fg), 3);
      assertThat(kernelPackets(fg) - kernelBefore)
          .as("the mix crossed the probe")
          .isGreaterThanOrEqualTo(mix.size());
      assertThat(fg.json("/api/v1/alerts").get("alerts")).as(fg.log()).isEmpty();
      assertThat(hook.bodies()).isEmpty();
    }
  }

  /** IP packets the kernel counted on the probe's interfaces, as /status says. */
  private static long kernelPackets(FlowgateProcess fg) throws Exception {
    long kernel = 0;
    for (JsonNode row : fg.json("/api/v1/status").get("accounting")) {
      kernel += row.at("/kernel/packets").asLong();
    }
    return kernel;
  }

  @Test
  void bulkIperf3TransferRaisesNothingWithTheDefaults() throws Exception {
    int o = (int) (ProcessHandle.current().pid() % 250) + 1;
    String server = "198.18." + o + ".1";
    veth.a().ip("addr", "add", server + "/24", "dev", veth.a().name());
    veth.b().ip("addr", "add", "198.18." + o + ".2/24", "dev", veth.b().name());
    int port = FlowgateProcess.freePort();
    try (FlowgateProcess fg = flowgate("", 65536)) {
      Process iperf =
          new ProcessBuilder("iperf3", "-s", "-1", "-B", server, "-p", "" + port)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("iperf3-server.log").toFile())
              .start();
      try {
        long from = sweeps(fg);
        // the server listens within moments: retry the client until it connects
        dev.flowgate.lab.Command.Result r = null;
        for (int i = 0; i < 50 && (r == null || r.exitCode() != 0); i++) {
          Thread.sleep(100);
          r =
              veth.b()
                  .netns()
                  .run("iperf3", "-c", server, "-p", "" + port, "-t", "4", "-M", "1400");
        }
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        awaitSweeps(fg, from, 7);
      } finally {
        iperf.destroyForcibly();
      }
      long kernel = 0;
      for (JsonNode row : fg.json("/api/v1/status").get("accounting")) {
        kernel += row.at("/kernel/packets").asLong();
      }
      assertThat(kernel).as("the transfer crossed the probe").isGreaterThan(10_000);
      assertThat(fg.json("/api/v1/alerts").get("alerts")).as(fg.log()).isEmpty();
    }
  }
}
