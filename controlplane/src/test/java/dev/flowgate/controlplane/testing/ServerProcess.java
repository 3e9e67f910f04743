package dev.flowgate.controlplane.testing;

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

/**
 * A server a test runs as a real process, answering HTTP at {@code host:port} (loopback unless told
 * otherwise, e.g. an address of another network namespace this one reaches): its output goes to a
 * log file, {@link #start} waits until a readiness path answers 200, {@link #stop()} sends SIGTERM,
 * {@link #close()} makes sure it is gone. flowgate ({@link FlowgateProcess}) and Prometheus run
 * this way.
 */
public final class ServerProcess implements AutoCloseable {
  /** The host the servers of the tests listen on unless told otherwise. */
  public static final String LOOPBACK = "127.0.0.1";

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final Process process;
  private final String host;
  private final int port;
  private final Path log;

  private ServerProcess(String name, Process process, String host, int port, Path log) {
    this.name = name;
    this.process = process;
    this.host = host;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts {@code command} with {@code env} added, output appended to {@code log}, answering at
   * {@code host:port}; no wait.
   */
  public static ServerProcess launch(
      String name, List<String> command, Map<String, String> env, String host, int port, Path log)
      throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    return new ServerProcess(name, pb.start(), host, port, log);
  }

  /**
   * {@link #launch}es and waits until {@code readyPath} answers 200 at {@code host:port}; fails
   * with the log if the process exits first or is not ready within {@code timeout}.
   */
  public static ServerProcess start(
      String name,
      List<String> command,
      Map<String, String> env,
      String host,
      int port,
      Path log,
      String readyPath,
      Duration timeout)
      throws Exception {
    ServerProcess p = launch(name, command, env, host, port, log);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.process.isAlive()) {
        throw new IllegalStateException(
            name + " exited " + p.process.exitValue() + ":\n" + p.log());
      }
      try {
        if (p.get(readyPath).statusCode() == 200) {
          return p;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    p.close();
    throw new IllegalStateException(name + " not ready in " + timeout + ":\n" + p.log());
  }

  /** A free TCP port on loopback. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The port it listens on. */
  public int port() {
    return port;
  }

  /** The process id. */
  public long pid() {
    return process.pid();
  }

  /** True while the process runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** A request to {@code http://<host>:<port><path>}, for {@link #send}. */
  public HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
        .timeout(Duration.ofSeconds(10));
  }

  /** Sends {@code request} and returns the answer as text. */
  public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** GET {@code path}. */
  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(request(path).build());
  }

  /** Waits for the process to exit on its own (60 s at most) and returns its code. */
  public int awaitExit() throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(name + " did not exit in 60 s:\n" + log());
    }
    return process.exitValue();
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

  /** Kills the process if it still runs. */
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
