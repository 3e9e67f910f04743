package dev.flowgate.controlplane.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowgate.controlplane.testing.ServerProcess;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A real Prometheus server (Debian's {@code /usr/bin/prometheus}, package prometheus) for a test:
 * its own config and storage under a temp directory, listening on a free loopback port, scraping
 * one target every second. Killed at {@link #close()}.
 */
public final class PrometheusServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServerProcess process;

  private PrometheusServer(ServerProcess process) {
    this.process = process;
  }

  /**
   * Starts Prometheus scraping {@code http://127.0.0.1:<targetPort>/metrics} (job {@code flowgate})
   * every second, and waits until it is ready (60 s at most).
   *
   * @param dir a fresh directory for the config, the TSDB and the log
   */
  public static PrometheusServer start(Path dir, int targetPort) throws Exception {
    int port = ServerProcess.freePort();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(
        config,
        """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: flowgate
            static_configs:
              - targets: ['127.0.0.1:%d']
        """
            .formatted(targetPort));
    List<String> command =
        List.of(
            "prometheus",
            "--config.file=" + config,
            "--storage.tsdb.path=" + dir.resolve("data"),
            "--web.listen-address=127.0.0.1:" + port,
            "--log.level=warn");
    return new PrometheusServer(
        ServerProcess.start(
            "prometheus",
            command,
            Map.of(),
            ServerProcess.LOOPBACK,
            port,
            dir.resolve("prometheus.log"),
            "/-/ready",
            Duration.ofSeconds(60)));
  }

  /** An instant query; the whole answer ({@code status}, {@code data.result}, ...). */
  public JsonNode query(String promql) throws IOException, InterruptedException {
    HttpResponse<String> r =
        get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    return JSON.readTree(r.body());
  }

  /**
   * Polls an instant query that yields one sample until {@code done} holds for its value (60 s at
   * most); returns the last value, or -1 while the query yields no sample.
   */
  public double awaitValue(String promql, Predicate<Double> done) throws Exception {
    double last = -1;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode result = query(promql).at("/data/result");
      last = result.size() == 1 ? result.get(0).at("/value/1").asDouble() : -1;
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(500);
    }
    return last;
  }

  /** The server's log so far. */
  public String log() {
    return process.log();
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return process.get(path);
  }

  /** SIGTERM; killed if it has not stopped in 60 s. */
  @Override
  public void close() {
    try {
      process.stop();
    } catch (InterruptedException | IllegalStateException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      process.close();
    }
  }
}
