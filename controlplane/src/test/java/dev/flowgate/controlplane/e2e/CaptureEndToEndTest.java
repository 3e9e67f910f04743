package dev.flowgate.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowgate.controlplane.testing.FlowgateProcess;
import dev.flowgate.lab.Command;
import dev.flowgate.lab.Frame;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.Lab;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Packet samples from a running flowgate on a veth lab. Live capture with sampling 1: the pcapng
 * equals what tcpdump saw on the same interface, tshark reads it, the filter selects exactly its
 * flow, a client that does not read loses counted samples while another gets every one, bad input
 * is refused with the right status. PSAMP: tshark decodes one record per sample taken, nfcapd on
 * the same port keeps exact flows. Sampling 1 in 100 from two CPUs takes exactly the ceiling of
 * each CPU's packets over 100, and delivered + lost in the kernel = taken.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(300)
class CaptureEndToEndTest {
  private static final String TOKEN = "capture-token-0123456789abcdef";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private Lab lab;
  private VethPair veth;
  private Path dir;
  private dev.flowgate.lab.MacAddress srcMac;
  private dev.flowgate.lab.MacAddress dstMac;

  @BeforeEach
  void lab() {
    lab = Lab.open();
    veth = lab.quietVeth(Netns.HOST, lab.netns());
    // GRO off on the receiving end, or tcpdump sees merged frames
    Command.run(List.of("ethtool", "-K", veth.a().name(), "gro", "off")).orThrow();
    dir = lab.tempDir();
    srcMac = veth.b().mac();
    dstMac = veth.a().mac();
  }

  @AfterEach
  void cleanup() {
    lab.close();
  }

  private Path config(int port, boolean token) throws Exception {
    return config(port, token, 1);
  }

  private Path config(int port, boolean token, int sampling) throws Exception {
    return config(port, token, sampling, "");
  }

  private Path config(int port, boolean token, int sampling, String export) throws Exception {
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, TOKEN);
    Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
    Path file = dir.resolve("flowgate.yaml");
    Files.writeString(
        file,
        """
        interfaces:
          - name: %s
            mode: xdp
            direction: ingress
            sampling: %d
        flows:
          max-flows: 4096
          sweep-interval: 200ms
        dataplane:
          pin-path: %s
          keep-attached: false
        state-directory: %s
        api:
          listen: 127.0.0.1:%d
        %s
        %s
        """
            .formatted(
                veth.a().name(),
                sampling,
                lab.pinDir(),
                dir.resolve("state"),
                port,
                token ? "  token-file: " + tokenFile : "",
                export));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  /** IPv4, IPv6, VLAN-tagged, malformed and non-IP frames, some longer than the snap length. */
  private List<byte[]> mixedFrames() {
    List<Frame> f = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      f.add(
          mac(Frames.ipv4("198.51.100.1", "203.0.113.9").udp(10000 + i, 53).payload(20 + 30 * i)));
      f.add(mac(Frames.ipv6("2001:db8::1", "2001:db8::2").tcp(40000, 443 + i, 0).payload(300)));
      f.add(mac(Frames.ipv4("198.51.100.2", "203.0.113.9").dot1q(100 + i).icmp(8, 0).payload(64)));
    }
    f.add(mac(Frames.ipv4("198.51.100.3", "203.0.113.9").ihlField(3).udp(1, 2).payload(40)));
    f.add(mac(Frames.ipv4("198.51.100.3", "203.0.113.9").versionField(5).udp(1, 2).payload(40)));
    f.add(mac(Frames.ethernet(Frames.ETH_P_MPLS).payload(200)));
    f.add(mac(Frames.ethernet(Frames.ETH_P_ARP).payload(28)));
    return f.stream().map(Frame::bytes).toList();
  }

  private Frame mac(dev.flowgate.lab.FrameBuilder b) {
    return b.macs(srcMac, dstMac).build();
  }

  private String captureUrl(int port, String query) {
    return "http://127.0.0.1:" + port + "/api/v1/capture?" + query;
  }

  /** A capture being read into memory on a thread of its own. */
  private static final class Live {
    final HttpResponse<InputStream> response;
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final CompletableFuture<byte[]> done = new CompletableFuture<>();

    Live(HttpResponse<InputStream> response) {
      this.response = response;
      Thread t =
          new Thread(
              () -> {
                try (InputStream in = response.body()) {
                  byte[] b = new byte[1 << 16];
                  for (int n; (n = in.read(b)) > 0; ) {
                    synchronized (bytes) {
                      bytes.write(b, 0, n);
                    }
                  }
                  done.complete(bytes.toByteArray());
                } catch (Exception e) {
                  done.completeExceptionally(e);
                }
              });
      t.setDaemon(true);
      t.start();
    }

    /** Waits until the section header and interface descriptions arrived. */
    Live awaitHeader() throws InterruptedException {
      while (true) {
        byte[] sofar;
        synchronized (bytes) {
          sofar = bytes.toByteArray();
        }
        try {
          if (PcapFile.read(sofar).blockTypes.contains(1)) {
            return this;
          }
        } catch (IllegalArgumentException e) {
          // a block cut by the read so far: wait for the rest
        }
        Thread.sleep(20);
      }
    }

    PcapFile awaitEnd() throws Exception {
      return PcapFile.read(done.get(120, TimeUnit.SECONDS));
    }
  }

  private Live capture(int port, String query) throws Exception {
    HttpResponse<InputStream> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(captureUrl(port, query)))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode())
        .as(() -> "capture " + query + ": " + readAll(r.body()))
        .isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/x-pcapng");
    return new Live(r);
  }

  private static String readAll(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (Exception e) {
      return e.toString();
    }
  }

  /** tcpdump on the host end, inbound only, packet-buffered into a pcap file. */
  private Process tcpdump(Path file) throws Exception {
    Path err = dir.resolve("tcpdump.log");
    Process p =
        new ProcessBuilder(
                "tcpdump", "-i", veth.a().name(), "-Q", "in", "-U", "-n", "-w", file.toString())
            .redirectErrorStream(true)
            .redirectOutput(err.toFile())
            .start();
    while (!Files.readString(err).contains("listening on")) {
      assertThat(p.isAlive()).as(Files.readString(err)).isTrue();
      Thread.sleep(20);
    }
    return p;
  }

  @Test
  void aCaptureHoldsExactlyTheFramesTcpdumpSawAndTsharkReadsIt() throws Exception {
    List<byte[]> frames = mixedFrames();
    int port = FlowgateProcess.freePort();
    try (FlowgateProcess fg =
        FlowgateProcess.start(config(port, true), port, dir.resolve("fg.log"))) {
      Path truthFile = dir.resolve("truth.pcap");
      Process truth = tcpdump(truthFile);
      Live live =
          capture(port, "interface=" + veth.a().name() + "&count=" + frames.size()).awaitHeader();
      FrameSender.send(veth.b(), frames);
      PcapFile got = live.awaitEnd();
      PcapFile seen = PcapFile.read(Files.readAllBytes(truthFile));
      while (seen.packets.size() < frames.size()) {
        Thread.sleep(50);
        seen = PcapFile.read(Files.readAllBytes(truthFile));
      }
      truth.destroy();

      assertThat(got.packets).hasSize(frames.size());
      assertThat(seen.packets).hasSize(frames.size());
      for (int i = 0; i < frames.size(); i++) {
        PcapFile.Packet g = got.packets.get(i);
        PcapFile.Packet t = seen.packets.get(i);
        assertThat(g.originalLength()).as("packet %d", i).isEqualTo(t.originalLength());
        assertThat(g.bytes()).as("packet %d", i).isEqualTo(t.head(128));
      }
      assertThat(got.statistics).hasSize(1);
      PcapFile.Statistics s = got.statistics.get(0);
      assertThat(s.delivered()).isEqualTo(frames.size());
      assertThat(s.dropped()).isZero();
      assertThat(s.received()).isGreaterThanOrEqualTo(frames.size());

      Path file = dir.resolve("capture.pcapng");
      Files.write(file, live.done.get());
      Command.Result read =
          Command.run(
              List.of("tshark", "-r", file.toString(), "-T", "fields", "-e", "frame.comment"));
      assertThat(read.exitCode()).as(read.stderr()).isZero();
      assertThat(read.stdout().lines())
          .hasSize(frames.size())
          .allMatch(l -> l.equals("sampled 1 in 1"));
      Command.Result capinfos = Command.run(List.of("capinfos", "-T", "-r", "-M", file.toString()));
      assertThat(capinfos.exitCode()).as(capinfos.stderr() + capinfos.stdout()).isZero();
      assertThat(fg.stop()).isZero();
    }
  }

  @Test
  void aFilterSelectsEveryPacketOfItsFlowAndNoOther() throws Exception {
    List<byte[]> frames = new ArrayList<>();
    int wanted = 0;
    for (int i = 0; i < 40; i++) {
      frames.add(
          mac(Frames.ipv4("10.1.2.3", "192.0.2.1").tcp(40000, 443, Frames.TCP_ACK).payload(i))
              .bytes());
      frames.add(
          mac(Frames.ipv4("192.0.2.1", "10.1.2.3").tcp(443, 40000, Frames.TCP_ACK).payload(i))
              .bytes());
      frames.add(mac(Frames.ipv4("10.1.2.3", "192.0.2.1").udp(40000, 443).payload(i)).bytes());
      frames.add(
          mac(Frames.ipv4("10.1.2.4", "192.0.2.1").tcp(40000, 443, Frames.TCP_ACK).payload(i))
              .bytes());
      frames.add(
          mac(Frames.ipv4("10.1.2.3", "192.0.2.1").tcp(40000, 80, Frames.TCP_ACK).payload(i))
              .bytes());
      wanted += 2;
    }
    int port = FlowgateProcess.freePort();
    try (FlowgateProcess fg =
        FlowgateProcess.start(config(port, true), port, dir.resolve("fg.log"))) {
      String filter = URLEncoder.encode("host 10.1.2.3 and tcp port 443", StandardCharsets.UTF_8);
      Live live = capture(port, "count=" + wanted + "&seconds=60&filter=" + filter).awaitHeader();
      FrameSender.send(veth.b(), frames);
      PcapFile got = live.awaitEnd();

      assertThat(got.packets).hasSize(wanted);
      for (PcapFile.Packet p : got.packets) {
        byte[] b = p.bytes();
        int srcPort = (b[34] & 0xFF) << 8 | (b[35] & 0xFF);
        int dstPort = (b[36] & 0xFF) << 8 | (b[37] & 0xFF);
        assertThat(b[23]).isEqualTo((byte) 6);
        assertThat(srcPort == 443 || dstPort == 443).isTrue();
      }
      assertThat(fg.stop()).isZero();
    }
  }

  @Test
  void aClientThatDoesNotReadLosesCountedSamplesWhileAnotherGetsEveryOne() throws Exception {
    // more samples than the slow capture's queue (65,536) and its socket and write buffers hold,
    // sent in chunks the ring buffer holds, each once the last one is out of the kernel: the
    // kernel loses none, so the fast capture must get every one
    int chunk = 3_000;
    int n = 70 * chunk;
    List<byte[]> frames = new ArrayList<>(chunk);
    for (int i = 0; i < chunk; i++) {
      frames.add(mac(Frames.ipv4("198.51.100.7", "203.0.113.9").udp(10000 + i % 1000, 53)).bytes());
    }
    int port = FlowgateProcess.freePort();
    try (FlowgateProcess fg =
            FlowgateProcess.start(config(port, true), port, dir.resolve("fg.log"));
        Socket slow = new Socket()) {
      slow.setReceiveBufferSize(4096);
      slow.connect(new InetSocketAddress("127.0.0.1", port));
      OutputStream out = slow.getOutputStream();
      out.write(
          ("GET /api/v1/capture?seconds=3600 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  + TOKEN
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // the response's first bytes: the slow capture runs; from now on nobody reads it
      assertThat(new String(slow.getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
          .isEqualTo("HTTP/1.1 200");
      Live fast = capture(port, "count=" + n + "&seconds=3600").awaitHeader();
      for (int sent = chunk; sent <= n; sent += chunk) {
        FrameSender.send(veth.b(), frames);
        int expected = sent;
        assertThat(awaitSeries(port, "flowgate_samples_delivered_total", "", v -> v >= expected))
            .isEqualTo(expected);
      }
      PcapFile got = fast.awaitEnd(); // ends at n, or never (the test times out)

      assertThat(got.packets).hasSize(n);
      PcapFile.Statistics s = got.statistics.get(0);
      assertThat(s.delivered()).isEqualTo(n);
      assertThat(s.dropped()).isZero();
      JsonNode lost = awaitMetric(port, "flowgate_samples_subscriber_lost_total", v -> v > 0);
      assertThat(lost.asDouble()).isPositive();
      assertThat(fg.stop()).isZero();
    }
  }

  /** The value of a metric of the capture subscriber on the interface, once it satisfies done. */
  private JsonNode awaitMetric(int port, String name, java.util.function.DoublePredicate done)
      throws Exception {
    return JSON.valueToTree(awaitSeries(port, name, ",subscriber=\"capture\"", done));
  }

  /** The value of a series of the interface (ingress), once it satisfies done (30 s at most). */
  private double awaitSeries(
      int port, String name, String moreLabels, java.util.function.DoublePredicate done)
      throws Exception {
    return scrape(
        port,
        name + "{direction=\"ingress\",interface=\"" + veth.a().name() + "\"" + moreLabels + "}",
        done);
  }

  /** The value of {@code series} (name and labels), once it satisfies done (30 s at most). */
  private double scrape(int port, String series, java.util.function.DoublePredicate done)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    double last = -1;
    while (System.nanoTime() < deadline) {
      String text =
          HTTP.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      for (String line : text.lines().toList()) {
        if (line.startsWith(series + " ")) {
          last = Double.parseDouble(line.substring(series.length() + 1));
        }
      }
      if (done.test(last)) {
        break;
      }
      Thread.sleep(200);
    }
    return last;
  }

  @Test
  void psampRecordsAreTheSamplesTakenAndNfcapdKeepsExactFlows() throws Exception {
    int collector = dev.flowgate.exporters.testing.Processes.freeUdpPort();
    dev.flowgate.exporters.testing.Tshark tshark =
        dev.flowgate.exporters.testing.Tshark.capture(dir, "udp port " + collector);
    dev.flowgate.exporters.testing.Nfcapd nfcapd =
        dev.flowgate.exporters.testing.Nfcapd.start(dir, collector);
    lab.onClose("tshark", tshark::close);
    lab.onClose("nfcapd", nfcapd::close);
    int n = 300;
    // frames within the snap length: tshark dissects each frame section, and a cut one reads as
    // a malformed IP packet inside it
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      frames.add(
          mac(Frames.ipv4("198.51.100.5", "203.0.113.9").udp(40000 + i % 30, 40100).payload(i % 80))
              .bytes());
    }
    String export =
        """
        export:
          ipfix:
            - collector: 127.0.0.1:%d
              sequence-counts-options: false
              packet-samples: true
              samples-observation-domain-id: 7
        """
            .formatted(collector);
    int port = FlowgateProcess.freePort();
    try (FlowgateProcess fg =
        FlowgateProcess.start(config(port, true, 1, export), port, dir.resolve("fg.log"))) {
      FrameSender.send(veth.b(), frames);
      double taken = awaitSeries(port, "flowgate_samples_taken_total", "", v -> v >= n);
      awaitSeries(port, "flowgate_samples_delivered_total", "", v -> v >= taken);
      // the PSAMP sink's outcomes, in samples: every one delivered, none dropped or failed
      String sink = ",sink=\"psamp:udp:127.0.0.1:" + collector + "\"}";
      assertThat(
              scrape(port, "flowgate_sink_samples_total{outcome=\"delivered\"" + sink, v -> v >= n))
          .isEqualTo(n);
      assertThat(scrape(port, "flowgate_sink_samples_total{outcome=\"failed\"" + sink, v -> true))
          .isZero();
      assertThat(scrape(port, "flowgate_sink_samples_total{outcome=\"dropped\"" + sink, v -> true))
          .isZero();
      JsonNode status =
          JSON.readTree(
              HTTP.send(
                      HttpRequest.newBuilder(
                              URI.create("http://127.0.0.1:" + port + "/api/v1/status"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      JsonNode psamp = status.path("sampleSinks").path(0);
      assertThat(psamp.path("sink").asText()).isEqualTo("psamp:udp:127.0.0.1:" + collector);
      assertThat(psamp.path("handed").asLong()).as("%s", psamp).isEqualTo(n);
      assertThat(psamp.path("delivered").asLong()).isEqualTo(n);
      assertThat(fg.stop()).isZero(); // the last sweep exports the flows; PSAMP delivers its queue
      assertThat(taken).isEqualTo(n);
      String json =
          tshark.stopOnceDecoded(
              "udp.port==" + collector + ",cflow", "\"cflow.data_link_frame_section\"", n);
      assertThat(
              dev.flowgate.exporters.testing.Tshark.count(
                  json, "\"cflow.data_link_frame_section\""))
          .isEqualTo(n);
      assertThat(json).contains("\"cflow.sampling_packet_interval\": \"1\"");
      assertThat(json).doesNotContain("Malformed");
      nfcapd.stop();
      assertThat(nfcapd.log()).contains("Sequence Errors: 0");
      String exporters = nfcapd.exporterInfo();
      assertThat(exporters).contains("ID:  1, Sequence failures: 0");
      long flowPackets = 0;
      long sampleRecords = 0;
      for (JsonNode r : nfcapd.records()) {
        if (r.has("proto")) {
          flowPackets += r.get("in_packets").asLong();
        } else {
          sampleRecords++;
        }
      }
      assertThat(flowPackets).as(exporters).isEqualTo(n);
      assertThat(sampleRecords).isEqualTo(n);
    }
  }

  @Test
  void oneInAHundredFromTwoCpusTakesExactlyTheCeilingOnEachCpu() throws Exception {
    int onCpu0 = 50_017;
    int onCpu1 = 49_983;
    byte[] f = mac(Frames.ipv4("198.51.100.9", "203.0.113.9").udp(5000, 53).payload(18)).bytes();
    long expected = (onCpu0 + 99) / 100 + (onCpu1 + 99) / 100; // 501 + 500
    int other = Runtime.getRuntime().availableProcessors() > 1 ? 1 : 0;
    int port = FlowgateProcess.freePort();
    try (FlowgateProcess fg =
        FlowgateProcess.start(config(port, true, 100), port, dir.resolve("fg.log"))) {
      FrameSender.sendFromCpu(veth.b(), java.util.Collections.nCopies(onCpu0, f), 0);
      FrameSender.sendFromCpu(veth.b(), java.util.Collections.nCopies(onCpu1, f), other);

      double taken = awaitSeries(port, "flowgate_samples_taken_total", "", v -> v >= expected);
      double delivered =
          awaitSeries(port, "flowgate_samples_delivered_total", "", v -> v >= taken - 100);
      double kernelLost =
          awaitSeries(port, "flowgate_samples_kernel_lost_total", "", v -> v + delivered == taken);
      assertThat(taken).as(fg.log()).isEqualTo(other == 1 ? expected : (100_000 + 99) / 100);
      assertThat(delivered + kernelLost).isEqualTo(taken);
      assertThat(fg.stop()).isZero();
    }
  }

  @Test
  void badInputIsRefusedWithTheRightStatus() throws Exception {
    int port = FlowgateProcess.freePort();
    try (FlowgateProcess fg =
        FlowgateProcess.start(config(port, true), port, dir.resolve("fg.log"))) {
      assertThat(status(port, "interface=nosuch0", TOKEN)).isEqualTo(404);
      assertThat(status(port, "count=0", TOKEN)).isEqualTo(400);
      assertThat(status(port, "seconds=3601", TOKEN)).isEqualTo(400);
      assertThat(status(port, "snaplen=129", TOKEN)).isEqualTo(400);
      assertThat(body(port, "snaplen=129", TOKEN)).contains("at most 128");
      assertThat(status(port, "filter=tcp%20port", TOKEN)).isEqualTo(400);
      assertThat(body(port, "filter=tcp%20port", TOKEN)).contains("position 9");
      assertThat(status(port, "bogus=1", TOKEN)).isEqualTo(400);
      assertThat(status(port, "count=1", null)).isEqualTo(401);
      assertThat(status(port, "count=1", "wrong")).isEqualTo(403);
      assertThat(fg.stop()).isZero();
    }
    int other = FlowgateProcess.freePort();
    try (FlowgateProcess fg =
        FlowgateProcess.start(config(other, false), other, dir.resolve("fg2.log"))) {
      assertThat(status(other, "count=1", TOKEN)).isEqualTo(403);
      assertThat(fg.stop()).isZero();
    }
  }

  private int status(int port, String query, String token) throws Exception {
    return get(port, query, token).statusCode();
  }

  private String body(int port, String query, String token) throws Exception {
    return get(port, query, token).body();
  }

  private HttpResponse<String> get(int port, String query, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(captureUrl(port, query))).timeout(Duration.ofSeconds(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
