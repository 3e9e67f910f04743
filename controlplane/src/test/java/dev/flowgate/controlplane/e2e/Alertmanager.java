package dev.flowgate.controlplane.e2e;

import dev.flowgate.controlplane.testing.FlowgateProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus Alertmanager (Debian's prometheus-alertmanager) on a free loopback port, no
 * cluster, its storage in a temporary directory; stopped at close.
 */
final class Alertmanager implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Process process;
  private final int port;
  private final Path log;

  private Alertmanager(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  static Alertmanager start(Path dir) throws Exception {
    Path config = dir.resolve("alertmanager.yml");
    Files.writeString(config, "route:\n  receiver: none\nreceivers:\n  - name: none\n");
    int port = FlowgateProcess.freePort();
    Path log = dir.resolve("alertmanager.log");
    Process p =
        new ProcessBuilder(
                List.of(
                    "/usr/bin/prometheus-alertmanager",
                    "--config.file=" + config,
                    "--storage.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port,
                    "--cluster.listen-address="))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Alertmanager am = new Alertmanager(p, port, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("alertmanager exited:\n" + Files.readString(log));
      }
      try {
        if (am.get("/-/ready").statusCode() == 200) {
          return am;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    am.close();
    throw new IllegalStateException("alertmanager not ready:\n" + Files.readString(log));
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Polls GET /api/v2/alerts (30 s at most) until an alert named {@code name} at {@code target} is
   * there ({@code present}: returns it) or no longer there (returns null); returns the last one
   * found when the wait runs out.
   */
  JsonNode awaitAlert(String name, String target, boolean present) throws Exception {
    JsonNode found = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      found = null;
      for (JsonNode a : JSON.readTree(get("/api/v2/alerts").body())) {
        if (a.at("/labels/alertname").asText().equals(name)
            && a.at("/labels/target").asText().equals(target)
            && a.at("/status/state").asText().equals("active")) {
          found = a;
        }
      }
      if ((found != null) == present) {
        return found;
      }
      Thread.sleep(200);
    }
    return found;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
