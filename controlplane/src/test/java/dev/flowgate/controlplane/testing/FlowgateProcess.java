package dev.flowgate.controlplane.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowgate.lab.Netns;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code flowgate run --config FILE} as a real process (the CLI's main on a classpath: this test's,
 * or the packaged jars), optionally behind a command prefix (e.g. {@code setpriv} to drop
 * privileges), in another network namespace (as an operator runs it there: {@code nsenter
 * --net=...}) and with extra environment (e.g. {@code NOTIFY_SOCKET}, {@code JOURNAL_STREAM}), its
 * API reached over HTTP (on loopback, or at an address of that namespace this one reaches). Output
 * goes to a log file; stopped with SIGTERM, destroyed at close. The one helper that runs flowgate.
 */
public final class FlowgateProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration READY = Duration.ofSeconds(90);

  private final ServerProcess process;
  private volatile String readToken;

  private FlowgateProcess(ServerProcess process) {
    this.process = process;
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

  /** Starts flowgate on this test's classpath with {@code config} and waits for /readyz. */
  public static FlowgateProcess start(Path config, int port, Path log) throws Exception {
    return start(
        command(List.of(), System.getProperty("java.class.path"), config), Map.of(), port, log);
  }

  /** Starts the command (see {@link #command}) and waits for /readyz (90 s at most). */
  public static FlowgateProcess start(
      List<String> command, Map<String, String> env, int port, Path log) throws Exception {
    return new FlowgateProcess(
        ServerProcess.start(
            "flowgate", command, env, ServerProcess.LOOPBACK, port, log, "/readyz", READY));
  }

  /**
   * Starts flowgate on this test's classpath in {@code netns} as an operator would ({@code nsenter
   * --net=/run/netns/X flowgate run --config C}: the network namespace only, mounts and bpffs kept;
   * {@link Netns#HOST}: as is) with {@code env} added, and waits (90 s at most) until {@code
   * readyPath} answers 200 at {@code apiHost:port}, an address of that namespace this one can reach
   * ({@code /healthz} instead of {@code /readyz} when named entries are meant to be absent: /readyz
   * waits for them).
   */
  public static FlowgateProcess start(
      Netns netns,
      String apiHost,
      Path config,
      int port,
      Path log,
      String readyPath,
      Map<String, String> env)
      throws Exception {
    List<String> command =
        netns.argv(command(List.of(), System.getProperty("java.class.path"), config));
    return new FlowgateProcess(
        ServerProcess.start("flowgate", command, env, apiHost, port, log, readyPath, READY));
  }

  /** Starts the command and does not wait. */
  public static FlowgateProcess launch(
      List<String> command, Map<String, String> env, int port, Path log) throws IOException {
    return new FlowgateProcess(
        ServerProcess.launch("flowgate", command, env, ServerProcess.LOOPBACK, port, log));
  }

  /** A free TCP port on loopback. */
  public static int freePort() throws IOException {
    return ServerProcess.freePort();
  }

  /**
   * Sends {@code token} with every GET from now on (an API beyond loopback wants it for the reads
   * that show traffic too).
   */
  public FlowgateProcess readToken(String token) {
    this.readToken = token;
    return this;
  }

  /** The API port. */
  public int port() {
    return process.port();
  }

  /** True while the process runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the process to exit on its own (60 s at most) and returns its code. */
  public int awaitExit() throws InterruptedException {
    return process.awaitExit();
  }

  /** GET on the API (with the {@link #readToken} if one is set). */
  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    String token = readToken;
    if (token == null) {
      return process.get(path);
    }
    return process.send(process.request(path).header("Authorization", "Bearer " + token).build());
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
    return awaitStatus(done, Duration.ofSeconds(30));
  }

  /**
   * Polls /api/v1/status until the predicate holds ({@code atMost}); returns the last answer,
   * which the caller asserts on. For waits whose length grows with the machine's load (a
   * collector taking in a few hundred thousand records), give a bound far above the quiet run's.
   */
  public JsonNode awaitStatus(Predicate<JsonNode> done, Duration atMost) throws Exception {
    JsonNode last = null;
    long deadline = System.nanoTime() + atMost.toNanos();
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

  /** Sends a request with a JSON body (or none) and the bearer token. */
  public HttpResponse<String> send(String method, String path, String json, String token)
      throws IOException, InterruptedException {
    return process.send(
        process
            .request(path)
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  /** Sends SIGHUP (reload the config). */
  public void hangUp() throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
  }

  /** SIGTERM, and the exit code (60 s at most). */
  public int stop() throws InterruptedException {
    return process.stop();
  }

  /** Everything the process printed so far. */
  public String log() {
    return process.log();
  }

  @Override
  public void close() {
    process.close();
  }
}
