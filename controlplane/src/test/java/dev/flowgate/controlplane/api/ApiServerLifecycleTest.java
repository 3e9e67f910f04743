package dev.flowgate.controlplane.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Start once, fail cleanly on a taken port, restart after stop. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiServerLifecycleTest extends ApiServerTestBase {

  @Test
  void secondStartIsRefused() {
    assertThatThrownBy(() -> await(server.start()))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThat(server.actualPort()).isPositive();
  }

  @Test
  void takenPortFailsTheStartAndAFreeOneThenWorks() throws Exception {
    int taken = server.actualPort();
    ApiServer other =
        new ApiServer(
            vertx, backend, new ApiServerOptions().setPort(taken).setTokenFile(tokenFile), null);
    assertThatThrownBy(() -> await(other.start()))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .hasMessageContaining("Address already in use");
    assertThat(other.actualPort()).isEqualTo(-1);

    await(server.stop());
    assertThat(server.actualPort()).isEqualTo(-1);
    int port = await(other.start());
    assertThat(port).isEqualTo(taken);
    try {
      assertThat(await(client.get("/healthz")).status()).isEqualTo(200);
      assertThat(await(client.get("/metrics")).status()).isEqualTo(404);
    } finally {
      await(other.stop());
    }
  }
}
