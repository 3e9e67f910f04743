package dev.flowgate.controlplane.api;

import static dev.flowgate.controlplane.api.ErrorBodies.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.api.ApiClient.Reply;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Bearer-token checks of mutating calls: 401 without, 403 wrong, never the backend. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiAuthTest extends ApiServerTestBase {

  @ParameterizedTest
  @CsvSource({
    "POST, /api/v1/interfaces",
    "PATCH, /api/v1/interfaces/eth0",
    "DELETE, /api/v1/interfaces/eth0"
  })
  void mutatingCallWithoutTokenIs401(String method, String path) throws Exception {
    Reply reply = await(call(HttpMethod.valueOf(method), path, null));
    assertError(reply, 401);
    assertThat(reply.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"flowgate\"");
    assertThat(backend.calls()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token " + TOKEN, TOKEN})
  void authorizationThatIsNoBearerTokenIs401(String authorization) throws Exception {
    assertError(await(call(HttpMethod.POST, "/api/v1/interfaces", authorization)), 401);
    assertThat(backend.calls()).isZero();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "s3cret-token-for-testz", // last character differs
        "x3cret-token-for-tests", // first character differs
        "s3cret-token-for-test", // a prefix
        "s3cret-token-for-tests-and-more", // an extension
        "S3CRET-TOKEN-FOR-TESTS",
        "a"
      })
  void wrongTokenIs403(String token) throws Exception {
    for (HttpMethod method :
        new HttpMethod[] {HttpMethod.POST, HttpMethod.PATCH, HttpMethod.DELETE}) {
      String path = method == HttpMethod.POST ? "/api/v1/interfaces" : "/api/v1/interfaces/eth0";
      assertThat(assertError(await(call(method, path, "Bearer " + token)), 403))
          .isEqualTo("the bearer token is wrong");
    }
    assertThat(backend.calls()).isZero();
  }

  @Test
  void schemeIsCaseInsensitiveAndTheTokenFileNewlineIsIgnored() throws Exception {
    Reply reply = await(call(HttpMethod.POST, "/api/v1/interfaces", "bearer " + TOKEN));
    assertThat(reply.status()).isEqualTo(201);
  }

  @Test
  void readsNeedNoToken() throws Exception {
    for (String path :
        new String[] {"/healthz", "/readyz", "/metrics", "/api/v1/status", "/api/v1/interfaces"}) {
      assertThat(await(client.get(path)).status()).as(path).isEqualTo(200);
    }
  }

  @Test
  void authIsCheckedBeforeContentTypeAndBody() throws Exception {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "text/plain");
    Reply reply =
        await(
            client.send(
                HttpMethod.POST,
                "/api/v1/interfaces",
                headers,
                Buffer.buffer("x".repeat(100_000))));
    assertError(reply, 401);
  }

  @Test
  void tokenComparisonIsByDigest() throws Exception {
    BearerToken token = BearerToken.load(tokenFile);
    assertThat(token.matches(TOKEN)).isTrue();
    assertThat(token.matches(TOKEN + "\n")).isFalse();
    assertThat(token.matches("")).isFalse();
    assertThat(token.matches(TOKEN.substring(1))).isFalse();
  }

  private io.vertx.core.Future<Reply> call(HttpMethod method, String path, String authorization) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (authorization != null) {
      headers.add("Authorization", authorization);
    }
    Buffer body = null;
    if (method != HttpMethod.DELETE) {
      headers.add("Content-Type", "application/json");
      body = Buffer.buffer(method == HttpMethod.POST ? "{\"name\":\"eth0\"}" : "{\"sampling\":1}");
    }
    return client.send(method, path, headers, body);
  }
}
