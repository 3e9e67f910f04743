package dev.flowgate.controlplane.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowgate.lab.Netns;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * flowgate run as a real process in a network namespace (nsenter), with an environment and a token:
 * what the netns, tun and log tests need beyond {@code testing.FlowgateProcess}, which runs on the
 * host's loopback only. TODO fold into testing.FlowgateProcess (issue 11: one process helper).
 */
final class NamespacedFlowgate implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final String host;
  private final int port;
  private final Path log;
  private volatile String readToken;

  private NamespacedFlowgate(Process process, String host, int port, Path log) {
    this.process = process;
    this.host = host;
    this.port = port;
    this.log = log;
  }

  /** Starts flowgate with this config and waits for /readyz. */
  static NamespacedFlowgate start(Path config, int port, Path log) throws Exception {
    return start(Netns.HOST, "127.0.0.1", config, port, log, "/readyz");
  }

  /**
   * Starts flowgate in {@code netns} as an operator would ({@code nsenter --net=/run/netns/X
   * flowgate run --config C}: network namespace only, mounts and bpffs kept) and waits for /readyz
   * at {@code apiHost:port}, an address of that namespace this one can reach ({@code /healthz}
   * instead when named entries are meant to be absent: /readyz waits for them).
   */
  static NamespacedFlowgate start(
      Netns netns, String apiHost, Path config, int port, Path log, String readyPath)
      throws Exception {
    return start(netns, apiHost, config, port, log, readyPath, Map.of());
  }

  /** As above, with {@code env} added to the environment (e.g. JOURNAL_STREAM). */
  static NamespacedFlowgate start(
      Netns netns,
      String apiHost,
      Path config,
      int port,
      Path log,
      String readyPath,
      Map<String, String> env)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                netns.argv(
                    List.of(
                        java,
                        "--add-opens=java.base/java.nio=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.flowgate.controlplane.cli.Main",
                        "run",
                        "--config",
                        config.toString())))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    Process p = pb.start();
    NamespacedFlowgate fg = new NamespacedFlowgate(p, apiHost, port, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("flowgate exited " + p.exitValue() + ":\n" + fg.log());
      }
      try {
        if (fg.get(readyPath).statusCode() == 200) {
          return fg;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    fg.close();
    throw new IllegalStateException("flowgate not ready in 90 s:\n" + fg.log());
  }

  /** A free TCP port on loopback. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * Sends {@code token} with every GET from now on (an API off loopback wants it for reads too).
   */
  NamespacedFlowgate readToken(String token) {
    this.readToken = token;
    return this;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
            .timeout(Duration.ofSeconds(10));
    if (readToken != null) {
      b.header("Authorization", "Bearer " + readToken);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode json(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = get(path);
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** Polls /api/v1/status until the predicate holds (30 s at most); returns the last answer. */
  JsonNode awaitStatus(Predicate<JsonNode> done) throws Exception {
    JsonNode last = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      last = json("/api/v1/status");
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(200);
    }
    return last;
  }

  /** Sends a request with a body and the bearer token. */
  HttpResponse<String> send(String method, String path, String json, String token)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Sends SIGHUP (reload the config). */
  void hangUp() throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
  }

  /** SIGTERM, and the exit code (60 s at most). */
  int stop() throws InterruptedException {
    process.destroy(); // SIGTERM
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("flowgate did not stop in 60 s:\n" + log());
    }
    return process.exitValue();
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
