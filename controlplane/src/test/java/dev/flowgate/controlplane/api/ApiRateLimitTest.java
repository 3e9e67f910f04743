package dev.flowgate.controlplane.api;

import static dev.flowgate.controlplane.api.ErrorBodies.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.api.ApiClient.Reply;
import io.vertx.core.http.HttpMethod;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Mutating calls past the burst get 429 with Retry-After; reads are not limited. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiRateLimitTest extends ApiServerTestBase {

  /** Three calls, then one per 1000 s: the test never sees a refill. */
  @Override
  ApiServerOptions options() {
    return super.options().setMutationRate(0.001, 3);
  }

  @Test
  void fourthMutatingCallIs429() throws Exception {
    assertThat(
            await(client.mutate(HttpMethod.POST, "/api/v1/interfaces", "{\"name\":\"a\"}"))
                .status())
        .isEqualTo(201);
    assertThat(
            await(client.mutate(HttpMethod.PATCH, "/api/v1/interfaces/a", "{\"sampling\":5}"))
                .status())
        .isEqualTo(200);
    // a refused call counts too, so guessing tokens is limited as well
    assertError(
        await(
            client.send(
                HttpMethod.DELETE,
                "/api/v1/interfaces/a",
                io.vertx.core.MultiMap.caseInsensitiveMultiMap(),
                null)),
        401);

    Reply limited = await(client.mutate(HttpMethod.DELETE, "/api/v1/interfaces/a", null));
    assertError(limited, 429);
    assertThat(Long.parseLong(limited.header("Retry-After"))).isPositive();
    assertThat(backend.calls()).isEqualTo(2);

    for (int i = 0; i < 10; i++) {
      assertThat(await(client.get("/api/v1/interfaces")).status()).isEqualTo(200);
    }
  }
}
