package dev.flowgate.controlplane.api;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.POST;

import dev.flowgate.controlplane.config.InterfaceName;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The route table of the API (it must equal {@code openapi.yaml}'s paths and methods, a test checks
 * both ways) and the error handling every route shares.
 *
 * <p>Reads that show traffic run {@link ReadGuard} first (the token, beyond loopback only).
 * Mutating routes run, in order: {@link MutationGuard} (429, 401, 403), {@link JsonContentType}
 * (415), the body handler (413), the endpoint (400, 404, 409). A known path with another method
 * answers 405 with {@code Allow}; an unknown path 404; both with the JSON error body, like every
 * failure.
 */
final class ApiRouter {

  /** One interface entry; {@code name} is the entry's id ({@link InterfaceName#idOf}). */
  private static final String ENTRY = "/api/v1/interfaces/:name";

  private static final Set<String> JSON = Set.of("application/json");
  private static final Set<String> JSON_OR_MERGE_PATCH =
      Set.of("application/json", "application/merge-patch+json");

  private ApiRouter() {}

  /**
   * Builds the router.
   *
   * @param metrics the /metrics handler, or null when metrics are disabled (404)
   * @param reads the guard of the reads that show traffic
   * @param live whether /metrics is open even when reads need the token, and served at all
   */
  static Router create(
      Vertx vertx,
      ApiHandlers api,
      Handler<RoutingContext> metrics,
      MutationGuard guard,
      ReadGuard reads,
      LiveSettings live,
      long bodyLimitBytes) {
    Router router = Router.router(vertx);
    Handler<RoutingContext> body =
        BodyHandler.create(false).setBodyLimit(bodyLimitBytes).setHandleFileUploads(false);
    Handler<RoutingContext> json = new JsonContentType(JSON);
    Handler<RoutingContext> jsonPatch = new JsonContentType(JSON_OR_MERGE_PATCH);
    Map<String, Set<HttpMethod>> allowed = new LinkedHashMap<>();
    Handler<RoutingContext> noMetrics = ApiRouter::noMetrics;

    add(router, allowed, GET, "/healthz", api::health);
    add(router, allowed, GET, "/readyz", api::readiness);
    Handler<RoutingContext> scrape =
        ctx -> {
          if (metrics == null || !live.metricsEnabled()) {
            noMetrics.handle(ctx);
          } else {
            metrics.handle(ctx);
          }
        };
    // metrics.public is read per request: a reload changes it
    Handler<RoutingContext> metricsGuard =
        ctx -> {
          if (live.metricsPublic()) {
            ctx.next();
          } else {
            reads.handle(ctx);
          }
        };
    add(router, allowed, GET, "/metrics", metricsGuard, scrape);
    add(router, allowed, GET, "/api/v1/status", reads, api::status);
    add(router, allowed, GET, "/api/v1/interfaces", reads, api::listInterfaces);
    add(router, allowed, POST, "/api/v1/interfaces", guard, json, body, api::addInterface);
    add(router, allowed, PATCH, ENTRY, guard, jsonPatch, body, api::patchInterface);
    add(router, allowed, DELETE, ENTRY, guard, api::deleteInterface);
    add(router, allowed, GET, "/api/v1/flows", reads, api::topFlows);
    add(router, allowed, GET, "/api/v1/flows.arrow", reads, api::latestBatch);
    add(router, allowed, GET, "/api/v1/flows/all", reads, api::allFlows);
    add(router, allowed, POST, "/api/v1/flush", guard, api::flush);
    add(router, allowed, GET, "/api/v1/alerts", reads, api::alerts);
    add(router, allowed, GET, "/api/v1/capture", guard, api::capture);
    add(router, allowed, GET, "/api/v1/openapi.yaml", api::openApi);

    // a known path with another method: 405 and the methods it has
    allowed.forEach(
        (path, methods) -> router.route(path).handler(ctx -> methodNotAllowed(ctx, methods)));
    Handler<RoutingContext> failure = ctx -> failure(ctx, bodyLimitBytes);
    router.route().failureHandler(failure);
    for (int status : new int[] {400, 404, 405, 413, 414, 415, 500}) {
      router.errorHandler(status, failure);
    }
    return router;
  }

  /** The API's routes as "METHOD path" (Vert.x path syntax), in registration order. */
  static List<String> describe(Router router) {
    List<String> routes = new ArrayList<>();
    for (Route route : router.getRoutes()) {
      if (route.methods() == null || route.methods().isEmpty() || route.getPath() == null) {
        continue;
      }
      for (HttpMethod method : route.methods()) {
        routes.add(method.name() + " " + route.getPath());
      }
    }
    return routes;
  }

  @SafeVarargs
  private static void add(
      Router router,
      Map<String, Set<HttpMethod>> allowed,
      HttpMethod method,
      String path,
      Handler<RoutingContext>... handlers) {
    Route route = router.route(method, path);
    for (Handler<RoutingContext> handler : handlers) {
      route.handler(handler);
    }
    allowed.computeIfAbsent(path, p -> new LinkedHashSet<>()).add(method);
  }

  private static void noMetrics(RoutingContext ctx) {
    ErrorReply.send(ctx, 404, "metrics are disabled (metrics.enabled: false)");
  }

  private static void methodNotAllowed(RoutingContext ctx, Set<HttpMethod> methods) {
    String allow = methods.stream().map(HttpMethod::name).collect(Collectors.joining(", "));
    ctx.response().putHeader(HttpHeaders.ALLOW, allow);
    ErrorReply.send(
        ctx, 405, ctx.request().method().name() + " is not allowed here; allowed: " + allow);
  }

  private static void failure(RoutingContext ctx, long bodyLimitBytes) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiException || failure instanceof IllegalArgumentException) {
      BackendReply.fail(ctx, failure);
      return;
    }
    int status = ctx.statusCode() >= 400 ? ctx.statusCode() : 500;
    switch (status) {
      case 404 -> ErrorReply.send(ctx, 404, "no such path: " + ctx.request().path());
      case 405 -> ErrorReply.send(ctx, 405, ctx.request().method().name() + " is not allowed here");
      case 413 ->
          ErrorReply.send(ctx, 413, "the body is over the limit of " + bodyLimitBytes + " bytes");
      default -> {
        if (status == 500 && failure != null) {
          BackendReply.fail(ctx, failure);
        } else {
          ErrorReply.send(ctx, status, failure == null ? "request refused" : failure.toString());
        }
      }
    }
  }
}
