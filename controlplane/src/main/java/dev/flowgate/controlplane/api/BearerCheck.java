package dev.flowgate.controlplane.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * The bearer-token check every guarded call shares: 401 without a bearer token (with {@code
 * WWW-Authenticate}), 403 with a wrong one, 403 when no token file is configured.
 */
final class BearerCheck {

  private static final String BEARER = "bearer ";

  private final BearerToken token;
  private final String disabled;

  /**
   * @param token the token, or null when no token file is configured
   * @param disabled the 403 message when there is no token, e.g. "mutating calls are disabled"
   */
  BearerCheck(BearerToken token, String disabled) {
    this.token = token;
    this.disabled = disabled;
  }

  /**
   * Checks the request's {@code Authorization} header.
   *
   * @return true if the call may go on; false if a 401 or 403 was sent
   */
  boolean admit(RoutingContext ctx) {
    if (token == null) {
      ErrorReply.send(ctx, 403, disabled + ": no api.token-file is configured");
      return false;
    }
    String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization == null
        || authorization.length() <= BEARER.length()
        || !authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"flowgate\"");
      ErrorReply.send(ctx, 401, "this call needs the header Authorization: Bearer <token>");
      return false;
    }
    if (!token.matches(authorization.substring(BEARER.length()).strip())) {
      ErrorReply.send(ctx, 403, "the bearer token is wrong");
      return false;
    }
    return true;
  }
}
