package dev.flowgate.controlplane.api;

import static dev.flowgate.controlplane.api.ErrorBodies.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** With no token file configured, reads work and every mutating call is 403 saying why. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiWithoutTokenFileTest extends ApiServerTestBase {

  @Override
  ApiServerOptions options() {
    return new ApiServerOptions().setPort(0).setTokenFile(null);
  }

  @Test
  void mutatingCallsAre403WithTheReason() throws Exception {
    String post =
        assertError(
            await(client.mutate(HttpMethod.POST, "/api/v1/interfaces", "{\"name\":\"eth0\"}")),
            403);
    assertThat(post).isEqualTo("mutating calls are disabled: no api.token-file is configured");
    assertError(
        await(client.mutate(HttpMethod.PATCH, "/api/v1/interfaces/eth0", "{\"sampling\":1}")), 403);
    assertError(await(client.mutate(HttpMethod.DELETE, "/api/v1/interfaces/eth0", null)), 403);
    assertThat(backend.calls()).isZero();
    assertThat(await(client.get("/api/v1/interfaces")).status()).isEqualTo(200);
  }
}
