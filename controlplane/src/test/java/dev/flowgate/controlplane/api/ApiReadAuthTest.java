package dev.flowgate.controlplane.api;

import static dev.flowgate.controlplane.api.ErrorBodies.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.api.ApiClient.Reply;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reads beyond loopback: the API listens on the address of a lab veth (not loopback), so the reads
 * that show traffic need the token (401 without, 403 wrong) and /healthz, /readyz and the OpenAPI
 * document stay open; /metrics needs it unless metrics are public.
 */
@Tag("kernel")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiReadAuthTest {

  private static final long PID = ProcessHandle.current().pid();
  private static final String NS = "fg-" + PID + "-api";
  private static final String HOST_END = "fg" + PID + "api";
  /** An address of the test's own veth (TEST-NET-2 benchmark range), never routed elsewhere. */
  static final String ADDRESS = "198.18." + (PID % 250) + ".1";

  private static final List<String> GUARDED =
      List.of("/api/v1/status", "/api/v1/interfaces", "/api/v1/flows", "/api/v1/flows.arrow");
  private static final List<String> OPEN = List.of("/healthz", "/readyz", "/api/v1/openapi.yaml");

  @BeforeAll
  static void veth() throws Exception {
    run("ip", "netns", "add", NS);
    run("ip", "link", "add", HOST_END, "type", "veth", "peer", "name", HOST_END + "p");
    run("ip", "link", "set", HOST_END + "p", "netns", NS);
    run("ip", "addr", "add", ADDRESS + "/30", "dev", HOST_END);
    run("ip", "link", "set", HOST_END, "up");
    run("ip", "-n", NS, "link", "set", HOST_END + "p", "up");
  }

  @AfterAll
  static void removeVeth() throws Exception {
    runQuietly("ip", "link", "del", HOST_END);
    runQuietly("ip", "netns", "del", NS);
  }

  @Nested
  class BeyondLoopback extends ApiServerTestBase {
    @Override
    ApiServerOptions options() {
      return super.options().setHost(ADDRESS);
    }

    @Test
    void readsThatShowTrafficNeedTheToken() throws Exception {
      for (String path : GUARDED) {
        Reply none = await(client.send(HttpMethod.GET, path, headers(null), null));
        assertError(none, 401);
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"flowgate\"");
        assertThat(assertError(await(client.send(HttpMethod.GET, path, headers("x"), null)), 403))
            .isEqualTo("the bearer token is wrong");
        // with the token the endpoint answers itself (flows.arrow: 503 before the first sweep)
        assertThat(await(client.send(HttpMethod.GET, path, headers(TOKEN), null)).status())
            .as(path)
            .isNotIn(401, 403);
      }
    }

    @Test
    void metricsNeedTheTokenUnlessPublic() throws Exception {
      assertError(await(client.send(HttpMethod.GET, "/metrics", headers(null), null)), 401);
      assertThat(await(client.send(HttpMethod.GET, "/metrics", headers(TOKEN), null)).status())
          .isEqualTo(200);
    }

    @Test
    void healthReadinessAndTheApiDescriptionStayOpen() throws Exception {
      for (String path : OPEN) {
        assertThat(await(client.get(path)).status()).as(path).isEqualTo(200);
      }
    }
  }

  @Nested
  class BeyondLoopbackWithPublicMetrics extends ApiServerTestBase {
    @Override
    ApiServerOptions options() {
      return super.options().setHost(ADDRESS).setMetricsPublic(true);
    }

    @Test
    void metricsAreOpenAndFlowsStillNeedTheToken() throws Exception {
      assertThat(await(client.get("/metrics")).status()).isEqualTo(200);
      assertError(await(client.get("/api/v1/flows")), 401);
    }
  }

  private static io.vertx.core.MultiMap headers(String token) {
    io.vertx.core.MultiMap h = io.vertx.core.MultiMap.caseInsensitiveMultiMap();
    if (token != null) {
      h.add("Authorization", "Bearer " + token);
    }
    return h;
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + ": " + out);
    }
  }

  private static void runQuietly(String... cmd) throws InterruptedException {
    try {
      run(cmd);
    } catch (IOException e) {
      // already gone
    }
  }
}
