package dev.flowgate.controlplane.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code flowgate run --config FILE} as a real process, optionally behind a command prefix (e.g.
 * {@code setpriv} to drop privileges) and with extra environment (e.g. {@code NOTIFY_SOCKET}).
 * Output goes to a log file; stopped with SIGTERM, destroyed at close.
 */
public final class ServiceProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final int port;
  private final Path log;

  private ServiceProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** The command that runs flowgate's main class on {@code classpath} with {@code config}. */
  public static List<String> command(List<String> prefix, String classpath, Path config) {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "-cp",
            classpath,
            "dev.flowgate.controlplane.cli.Main",
            "run",
            "--config",
            config.toString()));
    return cmd;
  }

  /** Starts the command (see {@link #command}) and does not wait. */
  public static ServiceProcess launch(
      List<String> command, Map<String, String> env, int port, Path log) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    return new ServiceProcess(pb.start(), port, log);
  }

  /** Starts the command and waits for /readyz (90 s at most). */
  public static ServiceProcess start(
      List<String> command, Map<String, String> env, int port, Path log) throws Exception {
    ServiceProcess fg = launch(command, env, port, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!fg.process.isAlive()) {
        throw new IllegalStateException(
            "flowgate exited " + fg.process.exitValue() + ":\n" + fg.log());
      }
      try {
        if (fg.get("/readyz").statusCode() == 200) {
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
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The API port. */
  public int port() {
    return port;
  }

  /** True while the process runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the process to exit on its own (60 s at most) and returns its code. */
  public int awaitExit() throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("flowgate did not exit in 60 s:\n" + log());
    }
    return process.exitValue();
  }

  /** GET on the API. */
  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** GET on the API, as JSON; fails unless 200. */
  public JsonNode json(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = get(path);
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** Polls /api/v1/status until the predicate holds (30 s at most); returns the last answer. */
  public JsonNode awaitStatus(Predicate<JsonNode> done) throws Exception {
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

  /** The sum over interfaces and directions of one accounting term's packets. */
  public static long packets(JsonNode status, String term) {
    long n = 0;
    for (JsonNode row : status.get("accounting")) {
      n += row.get(term).get("packets").asLong();
    }
    return n;
  }

  /** SIGTERM, and the exit code (60 s at most). */
  public int stop() throws InterruptedException {
    process.destroy();
    return awaitExit();
  }

  /** Everything the process printed so far. */
  public String log() {
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
