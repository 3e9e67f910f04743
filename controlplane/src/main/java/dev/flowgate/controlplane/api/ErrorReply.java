package dev.flowgate.controlplane.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * The body of every error: {@code {"error": reason phrase, "detail": what was wrong}}.
 *
 * @param error the HTTP reason phrase, e.g. {@code Not Found}
 * @param detail what was wrong, for a human
 */
record ErrorReply(String error, String detail) {

  /** The reply for {@code status} with this detail. */
  static ErrorReply of(int status, String detail) {
    return new ErrorReply(reasonPhrase(status), detail);
  }

  /**
   * Ends the response with {@code status} and this error body. A request whose body was not read
   * (refused before the body handler) gets {@code Connection: close}, so no unread bytes are taken
   * for the next request.
   */
  static void send(RoutingContext ctx, int status, String detail) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      ctx.request().connection().close();
      return;
    }
    response.setStatusCode(status);
    response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    if (hasUnreadBody(ctx.request())) {
      response.putHeader(HttpHeaders.CONNECTION, "close");
    }
    response.end(ApiJson.encode(of(status, detail)));
  }

  private static boolean hasUnreadBody(HttpServerRequest request) {
    if (request.isEnded()) {
      return false;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return (length != null && !length.strip().equals("0"))
        || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
  }

  /** The RFC 9110 reason phrase of the statuses the API uses. */
  static String reasonPhrase(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 413 -> "Content Too Large";
      case 414 -> "URI Too Long";
      case 415 -> "Unsupported Media Type";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      default -> status < 500 ? "Client Error" : "Server Error";
    };
  }
}
