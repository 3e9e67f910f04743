package dev.flowgate.controlplane.api;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/**
 * Adapts a metrics renderer to the {@code /metrics} handler {@link ApiServer} takes, for a metrics
 * component that would rather not know Vert.x.
 */
public final class MetricsEndpoint {

  private MetricsEndpoint() {}

  /**
   * A {@code /metrics} handler that calls {@code scrape} on a worker thread with the request's
   * {@code Accept} header (null if absent; the renderer negotiates text or OpenMetrics) and answers
   * 200 with what it returns.
   */
  public static Handler<RoutingContext> fromScrape(Function<String, MetricsScrape> scrape) {
    return ctx -> {
      String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
      ctx.vertx()
          .executeBlocking(() -> scrape.apply(accept), false)
          .onComplete(
              done -> {
                if (done.failed()) {
                  BackendReply.fail(ctx, done.cause());
                  return;
                }
                ctx.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, done.result().contentType())
                    .end(Buffer.buffer(done.result().body()));
              });
    };
  }
}
