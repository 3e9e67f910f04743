package dev.flowgate.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.controlplane.packaging.LabTraffic;
import dev.flowgate.controlplane.testing.FlowgateProcess;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.LabExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 10,000 random and malformed requests against the API of a real flowgate process counting on a
 * veth: no 5xx, no crash, nothing served from outside the API, no CORS header; afterwards the
 * process still counts every packet exactly.
 */
@Tag("e2e")
@Tag("kernel")
@Timeout(600)
class ApiFuzzTest {
  private static final int REQUESTS = 10_000;
  private static final int CLIENTS = 4;

  @RegisterExtension final LabExtension lab = new LabExtension();

  /** Status code of one exchange, 0 if the server closed without an answer. */
  private static int exchange(int port, byte[] request, Map<String, String> leaks)
      throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      try {
        out.write(request);
        out.flush();
        s.shutdownOutput();
      } catch (IOException e) {
        // the server closed early (e.g. a refused huge header): read what it said
      }
      InputStream in = s.getInputStream();
      byte[] head = in.readNBytes(4096);
      String text = new String(head, StandardCharsets.ISO_8859_1);
      if (text.contains("root:x:0:0") || text.contains("Access-Control-Allow-Origin")) {
        leaks.put(text.lines().findFirst().orElse(""), text);
      }
      in.skip(Long.MAX_VALUE); // drain to EOF
      if (!text.startsWith("HTTP/1.")) {
        return 0;
      }
      return Integer.parseInt(text.substring(9, 12));
    } catch (java.net.SocketException e) {
      return 0; // reset by the server after a malformed request
    }
  }

  @Test
  void tenThousandMalformedRequestsNoServerErrorAndCountingStaysExact() throws Exception {
    int port = FlowgateProcess.freePort();
    Path token = lab.dir().resolve("api-token");
    Files.writeString(token, "fuzz-token-0123456789abcdef\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    Path config = lab.dir().resolve("flowgate.yaml");
    Files.writeString(
        config,
        """
        interfaces:
          - {name: %s, mode: xdp, direction: ingress, sampling: 0}
        flows: {max-flows: 4096, sweep-interval: 200ms, idle-timeout: 2s}
        dataplane: {pin-path: %s, keep-attached: false}
        state-directory: %s
        api: {listen: "127.0.0.1:%d", token-file: %s}
        """
            .formatted(
                lab.veth().a().name(), lab.pinDir(), lab.dir().resolve("state"), port, token));
    List<String> cmd =
        FlowgateProcess.command(List.of(), System.getProperty("java.class.path"), config);
    try (FlowgateProcess fg =
        FlowgateProcess.start(cmd, Map.of(), port, lab.dir().resolve("fg.log"))) {
      Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
      Map<String, String> serverErrors = new ConcurrentHashMap<>();
      Map<String, String> leaks = new ConcurrentHashMap<>();
      AtomicLong sent = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      try {
        List<Future<?>> done = new java.util.ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
          final long seed = 4242 + c;
          done.add(
              pool.submit(
                  () -> {
                    RequestFuzzer fuzz = new RequestFuzzer(seed, "fuzz-token-0123456789abcdef");
                    for (int i = 0; i < REQUESTS / CLIENTS; i++) {
                      byte[] req = fuzz.next();
                      int status = exchange(port, req, leaks);
                      sent.incrementAndGet();
                      byStatus.computeIfAbsent(status, k -> new LongAdder()).increment();
                      if (status >= 500) {
                        serverErrors.putIfAbsent(
                            status
                                + " "
                                + new String(
                                    req, 0, Math.min(200, req.length), StandardCharsets.ISO_8859_1),
                            "");
                      }
                    }
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      System.out.println("fuzz: " + sent.get() + " requests, by status " + byStatus);
      assertThat(sent.get()).isEqualTo(REQUESTS);
      assertThat(serverErrors).as(fg.log()).isEmpty();
      assertThat(leaks).isEmpty();
      assertThat(fg.isAlive()).as(fg.log()).isTrue();
      assertThat(fg.get("/healthz").statusCode()).isEqualTo(200);

      // still counting, exactly
      LabTraffic t = LabTraffic.udp(lab.veth(), 40, 14000);
      long before = FlowgateProcess.packets(fg.json("/api/v1/status"), "kernel");
      FrameSender.send(lab.veth().b(), t.frames());
      JsonNode s =
          fg.awaitStatus(
              x ->
                  FlowgateProcess.packets(x, "kernel") == before + t.packets()
                      && FlowgateProcess.packets(x, "exported")
                              + FlowgateProcess.packets(x, "inCache")
                          == before + t.packets());
      assertThat(FlowgateProcess.packets(s, "kernel")).as(fg.log()).isEqualTo(before + t.packets());
      assertThat(FlowgateProcess.packets(s, "unaccounted")).isZero();
      assertThat(before).as("no packet on the lab veth before the test sent any").isZero();
      assertThat(fg.stop()).as(fg.log()).isZero();
    }
  }
}
