package dev.flowgate.controlplane.api;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * The HTTP API server: {@code /healthz}, {@code /readyz}, {@code /metrics} and {@code /api/v1/...}
 * as {@code openapi.yaml} describes them, answering from an {@link ApiBackend}.
 *
 * <pre>{@code
 * ApiServerOptions options = new ApiServerOptions().setTokenFile(path);
 * ApiServer api = new ApiServer(vertx, backend, options, metrics);
 * api.start().onSuccess(port -> ...);   // fails with TokenFileException on an unsafe token file
 * ...
 * api.stop();
 * }</pre>
 */
public final class ApiServer {

  /** The classpath resource served at {@code /api/v1/openapi.yaml}. */
  public static final String OPENAPI_RESOURCE = "/openapi.yaml";

  private final Vertx vertx;
  private final ApiBackend backend;
  private final ApiServerOptions options;
  private final Handler<RoutingContext> metrics;
  private HttpServer server;
  private boolean started;
  private Router router;

  /**
   * @param vertx the Vert.x instance to serve on
   * @param backend what the API answers from; called on worker threads
   * @param options address, token file, TLS, limits; read at {@link #start()}
   * @param metrics the {@code /metrics} handler (it must not block the event loop; see {@link
   *     MetricsEndpoint#fromScrape}), or null when metrics are disabled: then {@code /metrics} is
   *     404
   */
  public ApiServer(
      Vertx vertx, ApiBackend backend, ApiServerOptions options, Handler<RoutingContext> metrics) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.backend = Objects.requireNonNull(backend, "backend");
    this.options = Objects.requireNonNull(options, "options");
    this.metrics = metrics;
  }

  /**
   * Reads the token file and {@code openapi.yaml} (on a worker) and listens.
   *
   * @return the bound port; failed with {@link TokenFileException} if the token file is configured
   *     but missing, empty or writable by its group or open to others, or with the listen error
   */
  public synchronized Future<Integer> start() {
    if (started) {
      return Future.failedFuture(new IllegalStateException("the API server was started already"));
    }
    started = true;
    return vertx
        .executeBlocking(
            () -> {
              BearerToken token =
                  options.tokenFile() == null ? null : BearerToken.load(options.tokenFile());
              // built here: it loads and warms Jackson, too slow for an event loop
              return new Startup(
                  token,
                  new ApiHandlers(backend, readOpenApi()),
                  beyondLoopback(options.host()));
            })
        .compose(this::listen)
        .onFailure(
            cause -> {
              synchronized (this) {
                started = false; // a failed start may be retried
                router = null;
              }
            });
  }

  /** Stops listening and closes open connections; succeeds also if never started. */
  public synchronized Future<Void> stop() {
    HttpServer running = server;
    server = null;
    router = null;
    started = false;
    return running == null ? Future.succeededFuture() : running.close();
  }

  /** The port listened on, or -1 before {@link #start()} has succeeded. */
  public synchronized int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  /** The router, once started (tests list its routes). */
  synchronized Router router() {
    return router;
  }

  private record Startup(BearerToken token, ApiHandlers handlers, boolean readsNeedToken) {}

  /** Reads need the token unless the listen address is a loopback one (resolved, so "localhost" is). */
  private static boolean beyondLoopback(String host) {
    try {
      return !InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return true; // the listen fails anyway; guard in the meantime
    }
  }

  private synchronized Future<Integer> listen(Startup startup) {
    MutationGuard guard =
        new MutationGuard(
            new MutationRateLimiter(
                options.mutationsPerSecond(), options.mutationBurst(), System::nanoTime),
            startup.token());
    ReadGuard reads = new ReadGuard(startup.readsNeedToken(), startup.token());
    router =
        ApiRouter.create(
            vertx,
            startup.handlers(),
            metrics,
            guard,
            reads,
            options.metricsPublic(),
            options.bodyLimitBytes());
    HttpServerOptions http =
        new HttpServerOptions()
            .setHost(options.host())
            .setPort(options.port())
            .setCompressionSupported(false);
    if (options.tlsCertFile() != null) {
      http.setSsl(true)
          .setKeyCertOptions(
              new PemKeyCertOptions()
                  .setCertPath(options.tlsCertFile().toString())
                  .setKeyPath(options.tlsKeyFile().toString()));
    }
    return vertx
        .createHttpServer(http)
        .requestHandler(new PathEncodingGuard(router))
        .listen()
        .map(
            listening -> {
              synchronized (this) {
                server = listening;
              }
              return listening.actualPort();
            });
  }

  private static Buffer readOpenApi() {
    try (InputStream in = ApiServer.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(OPENAPI_RESOURCE + " is missing from the classpath");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
