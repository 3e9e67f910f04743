package dev.flowgate.controlplane.api;

import dev.flowgate.controlplane.config.InterfaceConfig;
import dev.flowgate.controlplane.config.InterfaceName;
import dev.flowgate.controlplane.samples.Capture;
import dev.flowgate.controlplane.samples.CaptureFilter;
import dev.flowgate.controlplane.samples.CaptureRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** The endpoints: each validates on the event loop and calls the backend on a worker. */
final class ApiHandlers {

  /** The body of /healthz and /readyz. */
  record Health(String status) {}

  /** The body of GET /api/v1/interfaces. */
  record InterfaceList(List<InterfaceEntry> interfaces) {}

  /** The body of GET /api/v1/flows. */
  record FlowList(FlowOrder by, int top, List<FlowRow> flows) {}

  private static final Buffer HEALTHY = ApiJson.encode(new Health("ok"));
  private static final Buffer READY = ApiJson.encode(new Health("ready"));
  /** The body of POST /api/v1/flush. */
  record Flushed(long flows) {}

  private static final Set<String> FLOW_QUERY = Set.of("top", "by", "interface");
  private static final String NDJSON = "application/x-ndjson";

  /** Flows per page of GET /api/v1/flows/all: one step on the sweeper thread each. */
  static final int PAGE_FLOWS = 4096;
  private static final String ARROW_STREAM = "application/vnd.apache.arrow.stream";
  private static final Set<String> CAPTURE_QUERY =
      Set.of("interface", "count", "seconds", "snaplen", "filter");

  /** Media type of a pcapng stream (not registered with IANA; what Wireshark's tools use). */
  static final String PCAPNG = "application/x-pcapng";

  private static final AtomicLong CAPTURES = new AtomicLong();

  private final ApiBackend backend;
  private final Buffer openApiYaml;

  ApiHandlers(ApiBackend backend, Buffer openApiYaml) {
    this.backend = backend;
    this.openApiYaml = openApiYaml;
  }

  void health(RoutingContext ctx) {
    BackendReply.send(ctx, 200, HEALTHY);
  }

  void readiness(RoutingContext ctx) {
    ctx.vertx()
        .executeBlocking(backend::notReadyReason, false)
        .onComplete(
            done -> {
              if (done.failed()) {
                BackendReply.fail(ctx, done.cause());
              } else if (done.result().isPresent()) {
                ErrorReply.send(ctx, 503, done.result().get());
              } else {
                BackendReply.send(ctx, 200, READY);
              }
            });
  }

  void status(RoutingContext ctx) {
    BackendReply.json(ctx, 200, backend::status);
  }

  void alerts(RoutingContext ctx) {
    if (!ctx.queryParams().isEmpty()) {
      throw ApiException.badRequest(
          "unknown query parameter '" + ctx.queryParams().names().iterator().next() + "'");
    }
    BackendReply.json(ctx, 200, () -> java.util.Map.of("alerts", backend.alerts()));
  }

  void listInterfaces(RoutingContext ctx) {
    BackendReply.json(ctx, 200, () -> new InterfaceList(backend.interfaces()));
  }

  void addInterface(RoutingContext ctx) {
    InterfaceConfig spec = RequestBodies.interfaceSpec(ctx.body().buffer());
    BackendReply.json(
        ctx,
        201,
        () -> backend.addInterface(spec),
        response -> response.putHeader(HttpHeaders.LOCATION, "/api/v1/interfaces/" + spec.id()));
  }

  void patchInterface(RoutingContext ctx) {
    String id = ctx.pathParam("name");
    refuse(InterfaceName.idProblem(id));
    InterfacePatch patch = RequestBodies.interfacePatch(ctx.body().buffer());
    BackendReply.json(ctx, 200, () -> backend.patchInterface(id, patch));
  }

  void deleteInterface(RoutingContext ctx) {
    String id = ctx.pathParam("name");
    refuse(InterfaceName.idProblem(id));
    BackendReply.json(
        ctx,
        204,
        () -> {
          backend.deleteInterface(id);
          return null;
        });
  }

  void topFlows(RoutingContext ctx) {
    MultiMap query = ctx.queryParams();
    for (String name : query.names()) {
      if (!FLOW_QUERY.contains(name)) {
        throw ApiException.badRequest(
            "unknown query parameter '" + name + "'; known: by, top, interface");
      }
      if (query.getAll(name).size() > 1) {
        throw ApiException.badRequest("query parameter '" + name + "' is given more than once");
      }
    }
    int top = top(query.get("top"));
    FlowOrder by = by(query.get("by"));
    String ifname = query.get("interface");
    if (ifname != null) {
      refuse(InterfaceName.linuxNameProblem(ifname));
    }
    BackendReply.json(
        ctx, 200, () -> new FlowList(by, top, backend.topFlows(top, by, ifname)));
  }

  /**
   * Every active flow as JSON Lines, one {@link FlowRow} per line, streamed page by page: each page
   * is read on a worker (one step on the sweeper thread), written, and the next one is read once
   * the connection has taken it (no copy of the whole cache).
   */
  void allFlows(RoutingContext ctx) {
    if (!ctx.queryParams().isEmpty()) {
      throw ApiException.badRequest("GET /api/v1/flows/all takes no query parameters");
    }
    ctx.response()
        .setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, NDJSON)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    nextPage(ctx, 0, true);
  }

  private void nextPage(RoutingContext ctx, int from, boolean first) {
    ctx.vertx()
        .executeBlocking(() -> backend.flowPage(from, PAGE_FLOWS), false)
        .onComplete(
            done -> {
              if (done.failed()) {
                if (first) {
                  BackendReply.fail(ctx, done.cause());
                } else {
                  ctx.response().reset(); // a cut stream, not a short one that looks whole
                }
                return;
              }
              FlowPage page = done.result();
              Buffer chunk = Buffer.buffer(page.flows().size() * 256);
              for (FlowRow row : page.flows()) {
                chunk.appendBuffer(ApiJson.encode(row)).appendByte((byte) '\n');
              }
              if (page.next() < 0) {
                ctx.response().end(chunk);
                return;
              }
              ctx.response().write(chunk);
              if (ctx.response().writeQueueFull()) {
                ctx.response().drainHandler(v -> nextPage(ctx, page.next(), false));
              } else {
                nextPage(ctx, page.next(), false);
              }
            });
  }

  void flush(RoutingContext ctx) {
    BackendReply.json(ctx, 200, () -> new Flushed(backend.flush()));
  }

  /**
   * The latest interval as an Arrow IPC stream: the backend writes it to a file (off the event
   * loop), which is sent as it is read ({@code sendFile}: the socket's backpressure, no copy on the
   * heap, memory independent of the flows) and deleted once sent or the client went away.
   */
  void latestBatch(RoutingContext ctx) {
    ctx.vertx()
        .executeBlocking(backend::latestArrowIpcFile, false)
        .onComplete(
            done -> {
              if (done.failed()) {
                BackendReply.fail(ctx, done.cause());
                return;
              }
              Optional<Path> stream = done.result();
              if (stream.isEmpty()) {
                ErrorReply.send(ctx, 503, "no sweep has completed yet");
                return;
              }
              String file = stream.get().toString();
              ctx.response()
                  .putHeader(HttpHeaders.CONTENT_TYPE, ARROW_STREAM)
                  .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                  .sendFile(file)
                  .onComplete(sent -> ctx.vertx().fileSystem().delete(file));
            });
  }

  void capture(RoutingContext ctx) {
    MultiMap query = ctx.queryParams();
    for (String name : query.names()) {
      if (!CAPTURE_QUERY.contains(name)) {
        throw ApiException.badRequest(
            "unknown query parameter '"
                + name
                + "'; known: count, filter, interface, seconds, snaplen");
      }
      if (query.getAll(name).size() > 1) {
        throw ApiException.badRequest("query parameter '" + name + "' is given more than once");
      }
    }
    long count =
        number(
            query.get("count"), "count", CaptureRequest.DEFAULT_COUNT, 1, CaptureRequest.MAX_COUNT);
    long seconds =
        number(
            query.get("seconds"),
            "seconds",
            CaptureRequest.DEFAULT_SECONDS,
            1,
            CaptureRequest.MAX_SECONDS);
    int loaded = backend.snapLength();
    String snapText = query.get("snaplen");
    int snap = (int) number(snapText, "snaplen", loaded, 1, Integer.MAX_VALUE);
    if (snap > loaded) {
      throw ApiException.badRequest(
          "'snaplen' may only shorten the snap length the dataplane was loaded with: at most "
              + loaded
              + ", was "
              + snap);
    }
    CaptureFilter filter;
    try {
      filter = CaptureFilter.compile(query.get("filter"));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    CaptureRequest request =
        new CaptureRequest(
            query.get("interface"), count, Duration.ofSeconds(seconds), snap, filter);
    io.vertx.core.Context context = ctx.vertx().getOrCreateContext();
    ctx.vertx()
        .executeBlocking(() -> backend.openCapture(request), false)
        .onComplete(
            done -> {
              if (done.failed()) {
                BackendReply.fail(ctx, done.cause());
                return;
              }
              stream(ctx, context, done.result());
            });
  }

  /** Streams an open capture on a thread of its own; the response ends when the capture does. */
  private static void stream(RoutingContext ctx, io.vertx.core.Context context, Capture capture) {
    io.vertx.core.http.HttpServerResponse response = ctx.response();
    CaptureResponse out = new CaptureResponse(context, response);
    response
        .setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, PCAPNG)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    response.closeHandler(
        v -> {
          capture.cancel();
          out.gone();
        });
    Thread t =
        new Thread(
            () -> {
              try {
                capture.run(out);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException e) {
                System.getLogger(ApiHandlers.class.getName())
                    .log(System.Logger.Level.WARNING, "capture failed", e);
              } finally {
                context.runOnContext(
                    v -> {
                      if (!response.ended() && !response.closed()) {
                        response.end();
                      }
                    });
              }
            },
            "flowgate-capture-" + CAPTURES.incrementAndGet());
    t.setDaemon(true);
    t.start();
  }

  private static long number(String value, String name, long dflt, long min, long max) {
    if (value == null) {
      return dflt;
    }
    try {
      long n = Long.parseLong(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.badRequest(
        "'" + name + "' is an integer from " + min + " to " + max + ", was '" + value + "'");
  }

  void openApi(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml").end(openApiYaml);
  }

  /** Refuses the request (400) if {@code problem} is not null. */
  private static void refuse(String problem) {
    if (problem != null) {
      throw ApiException.badRequest(problem);
    }
  }

  private static int top(String value) {
    if (value == null) {
      return ApiServerOptions.DEFAULT_TOP_FLOWS;
    }
    try {
      int top = Integer.parseInt(value);
      if (top >= 1 && top <= ApiServerOptions.MAX_TOP_FLOWS) {
        return top;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.badRequest(
        "'top' is an integer from 1 to "
            + ApiServerOptions.MAX_TOP_FLOWS
            + ", was '"
            + value
            + "'");
  }

  private static FlowOrder by(String value) {
    if (value == null) {
      return FlowOrder.BYTES;
    }
    return FlowOrder.fromQueryName(value)
        .orElseThrow(
            () ->
                ApiException.badRequest("'by' is bytes, packets or rate, was '" + value + "'"));
  }
}
