package dev.flowgate.controlplane.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** A JSON webhook receiver on loopback: keeps every body it is POSTed, answers 204. */
final class WebhookReceiver implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  private final List<JsonNode> bodies = new ArrayList<>();

  WebhookReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hook",
        x -> {
          JsonNode body = JSON.readTree(x.getRequestBody().readAllBytes());
          synchronized (bodies) {
            bodies.add(body);
          }
          x.sendResponseHeaders(204, -1);
          x.close();
        });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  List<JsonNode> bodies() {
    synchronized (bodies) {
      return List.copyOf(bodies);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
