package dev.flowgate.controlplane.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts an {@link ApiServer} on a free loopback port over an {@link InMemoryApiBackend}, with a
 * 0600 token file, and a client for it; stops both after each test.
 */
@ExtendWith(VertxExtension.class)
abstract class ApiServerTestBase {

  static final String TOKEN = "s3cret-token-for-tests";

  @TempDir Path dir;

  Vertx vertx;
  InMemoryApiBackend backend;
  ApiServer server;
  ApiClient client;
  Path tokenFile;

  /** The options of the server under test; subclasses may change them. */
  ApiServerOptions options() {
    return new ApiServerOptions().setPort(0).setTokenFile(tokenFile);
  }

  @BeforeEach
  void startServer(Vertx vertx, VertxTestContext ctx) throws Exception {
    this.vertx = vertx;
    tokenFile = writeTokenFile(dir.resolve("api-token"), TOKEN + "\n", "rw-------");
    backend = new InMemoryApiBackend();
    ApiServerOptions options = options(); // once: a subclass's options() may make a certificate
    server =
        new ApiServer(
            vertx,
            backend,
            options,
            MetricsEndpoint.fromScrape(
                accept ->
                    new MetricsScrape(
                        "text/plain; version=0.0.4; charset=utf-8",
                        "flowgate_sweeps_total 42\n".getBytes(StandardCharsets.UTF_8))));
    server
        .start()
        .onComplete(
            ctx.succeeding(
                port -> {
                  client =
                      new ApiClient(vertx, new HttpClientOptions(), options.host(), port, TOKEN);
                  ctx.completeNow();
                }));
  }

  @AfterEach
  void stopServer(VertxTestContext ctx) {
    Future<Void> closed = client == null ? Future.succeededFuture() : client.close();
    closed
        .compose(v -> server.stop())
        .onComplete(
            ctx.succeeding(
                v -> {
                  ctx.verify(
                      () ->
                          assertThat(backend.eventLoopCalls())
                              .as("backend calls made on an event loop")
                              .isZero());
                  ctx.completeNow();
                }));
  }

  static Path writeTokenFile(Path file, String content, String mode) throws Exception {
    Files.writeString(file, content, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }

  /** Waits for {@code future} on the test thread (never an event loop). */
  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
