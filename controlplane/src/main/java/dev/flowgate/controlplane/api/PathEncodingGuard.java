package dev.flowgate.controlplane.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;

/**
 * Answers 400 to a request whose path has a malformed percent escape (a {@code %} not followed by
 * two hex digits, RFC 3986 section 2.1) before the router sees it: the router cannot decode such a
 * path and would answer 500. Every other request goes to the router.
 */
final class PathEncodingGuard implements Handler<HttpServerRequest> {
  private final Router router;

  PathEncodingGuard(Router router) {
    this.router = router;
  }

  @Override
  public void handle(HttpServerRequest request) {
    String path = request.path();
    if (path != null && !wellEncoded(path)) {
      request
          .response()
          .setStatusCode(400)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .putHeader(HttpHeaders.CONNECTION, "close")
          .end(ApiJson.encode(ErrorReply.of(400, "malformed percent-encoding in the path")));
      return;
    }
    router.handle(request);
  }

  /** True if every {@code %} in {@code path} starts a two-hex-digit escape. */
  static boolean wellEncoded(String path) {
    for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length()
          || Character.digit(path.charAt(i + 1), 16) < 0
          || Character.digit(path.charAt(i + 2), 16) < 0) {
        return false;
      }
    }
    return true;
  }
}
