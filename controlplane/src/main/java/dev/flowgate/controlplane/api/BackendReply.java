package dev.flowgate.controlplane.api;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Callable;

/**
 * Runs a backend call on a worker thread and answers with its JSON, or with the error it raised:
 * {@link ApiException} its status, {@link IllegalArgumentException} 400, anything else 500.
 */
final class BackendReply {

  private static final System.Logger LOG = System.getLogger(BackendReply.class.getName());

  private BackendReply() {}

  /**
   * Calls {@code call} on a worker (unordered, so calls run side by side) and answers {@code
   * status} with its result as JSON; a null result answers with no body.
   */
  static void json(RoutingContext ctx, int status, Callable<?> call) {
    json(ctx, status, call, response -> {});
  }

  /** Like {@link #json(RoutingContext, int, Callable)}, letting {@code onSuccess} add headers. */
  static void json(
      RoutingContext ctx, int status, Callable<?> call, Handler<HttpServerResponse> onSuccess) {
    ctx.vertx()
        .executeBlocking(
            () -> {
              Object result = call.call();
              return result == null ? null : ApiJson.encode(result);
            },
            false)
        .onComplete(
            done -> {
              if (done.succeeded()) {
                onSuccess.handle(ctx.response());
                send(ctx, status, done.result());
              } else {
                fail(ctx, done.cause());
              }
            });
  }

  /** Answers {@code status} with a JSON body, or none if {@code body} is null. */
  static void send(RoutingContext ctx, int status, Buffer body) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response().setStatusCode(status);
    if (body == null) {
      ctx.response().end();
    } else {
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
    }
  }

  /** Answers with the status and detail {@code failure} calls for. */
  static void fail(RoutingContext ctx, Throwable failure) {
    if (failure instanceof ApiException refusal) {
      ErrorReply.send(ctx, refusal.status(), refusal.detail());
    } else if (failure instanceof IllegalArgumentException invalid) {
      ErrorReply.send(ctx, 400, String.valueOf(invalid.getMessage()));
    } else {
      LOG.log(
          System.Logger.Level.ERROR,
          "API " + ctx.request().method() + " " + ctx.request().path() + " failed",
          failure);
      ErrorReply.send(ctx, 500, "flowgate failed to answer; the log has the cause: " + failure);
    }
  }
}
