package dev.flowgate.controlplane.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import java.util.Locale;

/**
 * The first handler of every mutating call: rate limit (429), then bearer token (401 without, 403
 * wrong, 403 when no token file is configured). A {@link SecurityPolicyHandler}, so Vert.x Web lets
 * it run before the body handler: a refused call costs no body read.
 */
final class MutationGuard implements SecurityPolicyHandler {

  private static final String BEARER = "bearer ";

  private final MutationRateLimiter limiter;
  private final BearerToken token;

  /**
   * @param limiter the rate limit of mutating calls
   * @param token the token, or null when no token file is configured
   */
  MutationGuard(MutationRateLimiter limiter, BearerToken token) {
    this.limiter = limiter;
    this.token = token;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long retryAfter = limiter.tryAcquire();
    if (retryAfter > 0) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
      ErrorReply.send(ctx, 429, "too many mutating calls; retry in " + retryAfter + " s");
      return;
    }
    if (token == null) {
      ErrorReply.send(ctx, 403, "mutating calls are disabled: no api.token-file is configured");
      return;
    }
    String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization == null
        || authorization.length() <= BEARER.length()
        || !authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"flowgate\"");
      ErrorReply.send(ctx, 401, "this call needs the header Authorization: Bearer <token>");
      return;
    }
    if (!token.matches(authorization.substring(BEARER.length()).strip())) {
      ErrorReply.send(ctx, 403, "the bearer token is wrong");
      return;
    }
    ctx.next();
  }
}
