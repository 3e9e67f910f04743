package dev.flowgate.controlplane.api;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;

/**
 * The first handler of the reads that show traffic ({@code /api/v1/status}, {@code
 * /api/v1/interfaces}, {@code /api/v1/flows*}, and {@code /metrics} unless {@code metrics.public}):
 * open on a loopback listener, behind the bearer token ({@link BearerCheck}: 401 without, 403
 * wrong) when the API listens beyond loopback. {@code /healthz}, {@code /readyz} and {@code
 * /api/v1/openapi.yaml} are never guarded.
 */
final class ReadGuard implements SecurityPolicyHandler {

  private final boolean required;
  private final BearerCheck bearer;

  /**
   * @param required whether reads need the token (the API listens beyond loopback)
   * @param token the token (a listener beyond loopback always has one: the config requires it)
   */
  ReadGuard(boolean required, BearerToken token) {
    this.required = required;
    this.bearer = new BearerCheck(token, "reads beyond loopback are disabled");
  }

  /** Whether this guard asks for the token. */
  boolean required() {
    return required;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!required || bearer.admit(ctx)) {
      ctx.next();
    }
  }
}
