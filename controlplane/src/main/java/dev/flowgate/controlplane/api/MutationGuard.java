package dev.flowgate.controlplane.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;

/**
 * The first handler of every mutating call: rate limit (429), then bearer token ({@link
 * BearerCheck}: 401 without, 403 wrong, 403 when no token file is configured). A {@link
 * SecurityPolicyHandler}, so Vert.x Web lets it run before the body handler: a refused call costs
 * no body read.
 */
final class MutationGuard implements SecurityPolicyHandler {

  private final MutationRateLimiter limiter;
  private final BearerCheck bearer;

  /**
   * @param limiter the rate limit of mutating calls
   * @param token the token, or null when no token file is configured
   */
  MutationGuard(MutationRateLimiter limiter, BearerToken token) {
    this.limiter = limiter;
    this.bearer = new BearerCheck(token, "mutating calls are disabled");
  }

  @Override
  public void handle(RoutingContext ctx) {
    long retryAfter = limiter.tryAcquire();
    if (retryAfter > 0) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
      ErrorReply.send(ctx, 429, "too many mutating calls; retry in " + retryAfter + " s");
      return;
    }
    if (bearer.admit(ctx)) {
      ctx.next();
    }
  }
}
