package dev.flowgate.controlplane.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses (415) a request body that is not one of the given JSON media types. A {@link
 * SecurityPolicyHandler}, so Vert.x Web lets it run before the body handler reads the body.
 */
final class JsonContentType implements SecurityPolicyHandler {

  private final Set<String> accepted;

  /**
   * @param accepted lower-case media types without parameters, e.g. application/json
   */
  JsonContentType(Set<String> accepted) {
    this.accepted = Set.copyOf(accepted);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    String mediaType = header == null ? "" : header.split(";", 2)[0].strip();
    if (!accepted.contains(mediaType.toLowerCase(Locale.ROOT))) {
      ErrorReply.send(
          ctx,
          415,
          "the body must be "
              + String.join(" or ", accepted.stream().sorted().toList())
              + (header == null ? ", the request has no Content-Type" : ", was " + header));
      return;
    }
    ctx.next();
  }
}
