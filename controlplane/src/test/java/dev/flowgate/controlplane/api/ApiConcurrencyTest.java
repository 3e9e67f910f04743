package dev.flowgate.controlplane.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many clients at once are all answered, each correctly. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiConcurrencyTest extends ApiServerTestBase {

  private static final int CLIENTS = 50;

  /** Room for every add in one burst. */
  @Override
  ApiServerOptions options() {
    return super.options().setMutationRate(1, CLIENTS);
  }

  @Test
  void fiftyParallelReadsAreAllAnswered(VertxTestContext ctx) {
    Checkpoint answered = ctx.checkpoint(CLIENTS);
    String[] paths = {"/api/v1/status", "/api/v1/flows?top=3", "/api/v1/interfaces", "/healthz"};
    for (int i = 0; i < CLIENTS; i++) {
      String path = paths[i % paths.length];
      client
          .get(path)
          .onComplete(
              ctx.succeeding(
                  reply ->
                      ctx.verify(
                          () -> {
                            assertThat(reply.status()).as(path).isEqualTo(200);
                            answered.flag();
                          })));
    }
  }

  @Test
  void fiftyParallelAddsOfDistinctNamesAllLand(VertxTestContext ctx) {
    Checkpoint added = ctx.checkpoint(CLIENTS);
    for (int i = 0; i < CLIENTS; i++) {
      client
          .mutate(HttpMethod.POST, "/api/v1/interfaces", "{\"name\":\"veth" + i + "\"}")
          .onComplete(
              ctx.succeeding(
                  reply ->
                      ctx.verify(
                          () -> {
                            assertThat(reply.status()).isEqualTo(201);
                            added.flag();
                          })));
    }
  }

  @Test
  void parallelAddsOfOneNameGiveOne201AndThe409s() throws Exception {
    var replies = new java.util.ArrayList<io.vertx.core.Future<ApiClient.Reply>>();
    for (int i = 0; i < 20; i++) {
      replies.add(client.mutate(HttpMethod.POST, "/api/v1/interfaces", "{\"name\":\"veth0\"}"));
    }
    await(io.vertx.core.Future.join(replies));
    assertThat(replies).extracting(f -> f.result().status()).containsOnly(201, 409);
    assertThat(replies).filteredOn(f -> f.result().status() == 201).hasSize(1);
    assertThat(await(client.get("/api/v1/interfaces")).json().getJsonArray("interfaces"))
        .hasSize(1);
  }
}
