package dev.flowgate.controlplane.api;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;

/** A small HTTP client for the API tests, over Vert.x core's client. */
final class ApiClient {

  /** A whole response. */
  record Reply(int status, MultiMap headers, Buffer body) {

    JsonObject json() {
      return new JsonObject(body);
    }

    String header(String name) {
      return headers.get(name);
    }
  }

  private final Context context;
  private final HttpClient client;
  private final String host;
  private final int port;
  private final String token;

  ApiClient(Vertx vertx, int port, String token) {
    this(vertx, new HttpClientOptions(), "127.0.0.1", port, token);
  }

  ApiClient(Vertx vertx, HttpClientOptions options, int port, String token) {
    this(vertx, options, "127.0.0.1", port, token);
  }

  ApiClient(Vertx vertx, HttpClientOptions options, String host, int port, String token) {
    this.context = vertx.getOrCreateContext();
    this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(64));
    this.host = host;
    this.port = port;
    this.token = token;
  }

  Future<Reply> get(String uri) {
    return send(HttpMethod.GET, uri, MultiMap.caseInsensitiveMultiMap(), null);
  }

  /** A mutating call with the right token and a JSON body (or none if null). */
  Future<Reply> mutate(HttpMethod method, String uri, String json) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    headers.add("Authorization", "Bearer " + token);
    if (json != null) {
      headers.add("Content-Type", "application/json");
    }
    return send(method, uri, headers, json == null ? null : Buffer.buffer(json));
  }

  Future<Reply> send(HttpMethod method, String uri, MultiMap headers, Buffer body) {
    return exchange(method, uri, headers, req -> body == null ? req.send() : req.send(body));
  }

  /** Sends the body in chunks (Transfer-Encoding: chunked, no Content-Length). */
  Future<Reply> sendChunked(HttpMethod method, String uri, MultiMap headers, List<Buffer> chunks) {
    return exchange(
        method,
        uri,
        headers,
        req -> {
          req.setChunked(true);
          chunks.forEach(req::write);
          return req.end().compose(v -> req.response());
        });
  }

  private Future<Reply> exchange(
      HttpMethod method,
      String uri,
      MultiMap headers,
      Function<HttpClientRequest, Future<HttpClientResponse>> send) {
    RequestOptions request =
        new RequestOptions()
            .setMethod(method)
            .setHost(host)
            .setPort(port)
            .setURI(uri)
            .setHeaders(headers);
    // The whole exchange runs on one event loop, and body() is asked for in the same callback
    // that delivers the response: a response that ends before body() is asked for loses its body.
    Promise<Reply> reply = Promise.promise();
    context.runOnContext(
        v ->
            client
                .request(request)
                .compose(
                    req ->
                        send.apply(req)
                            .compose(
                                response ->
                                    response
                                        .body()
                                        .map(
                                            b ->
                                                new Reply(
                                                    response.statusCode(), response.headers(), b))))
                .onComplete(reply));
    return reply.future();
  }

  Future<Void> close() {
    return client.close();
  }
}
