package dev.flowgate.controlplane.api;

import static dev.flowgate.controlplane.api.ErrorBodies.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.api.ApiClient.Reply;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every error status with the JSON error body, and that bad input never reaches the backend. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiErrorsTest extends ApiServerTestBase {

  @ParameterizedTest
  @ValueSource(strings = {"/nope", "/api/v1", "/api/v1/interfaces/eth0/extra", "/api/v2/status"})
  void unknownPathIs404Json(String path) throws Exception {
    Reply reply = await(client.get(path));
    assertThat(assertError(reply, 404)).isEqualTo("no such path: " + path);
    assertThat(reply.header("Connection")).as("keep-alive kept").isNull();
  }

  @ParameterizedTest
  @CsvSource({
    "PUT, /api/v1/interfaces, 'GET, POST'",
    "DELETE, /healthz, GET",
    "POST, /api/v1/status, GET",
    "GET, /api/v1/interfaces/eth0, 'PATCH, DELETE'",
    "POST, /api/v1/flows.arrow, GET",
    "PATCH, /metrics, GET"
  })
  void wrongMethodIs405WithAllow(String method, String path, String allow) throws Exception {
    Reply reply =
        await(
            client.send(
                HttpMethod.valueOf(method), path, MultiMap.caseInsensitiveMultiMap(), null));
    assertError(reply, 405);
    assertThat(reply.header("Allow")).isEqualTo(allow);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"name\":",
        "{\"name\":\"eth0\"} trailing",
        "{\"name\":\"eth0\",\"name\":\"eth1\"}",
        "[\"eth0\"]",
        "\"eth0\"",
        "null",
        "{\"name\":\"eth0\",\"colour\":\"red\"}",
        "{\"mode\":\"xdp\"}",
        "{\"name\":7}",
        "{\"name\":\"\"}",
        "{\"name\":\".\"}",
        "{\"name\":\"..\"}",
        "{\"name\":\"a/b\"}",
        "{\"name\":\"a:b\"}",
        "{\"name\":\"a b\"}",
        "{\"name\":\"tab\\there\"}",
        "{\"name\":\"sixteen-bytes-xx\"}",
        "{\"name\":\"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"}",
        "{\"name\":\"/(/\"}",
        "{\"name\":\"//\"}",
        "{\"name\":\"/eth0\"}",
        "{\"name\":\"eth0\",\"mode\":\"ebpf\"}",
        "{\"name\":\"eth0\",\"mode\":1}",
        "{\"name\":\"eth0\",\"direction\":\"up\"}",
        "{\"name\":\"eth0\",\"sampling\":-1}",
        "{\"name\":\"eth0\",\"sampling\":1.5}",
        "{\"name\":\"eth0\",\"sampling\":\"10\"}",
        "{\"name\":\"eth0\",\"sampling\":2147483648}",
        "{\"name\":\"eth0\",\"sampling\":null}",
        ""
      })
  void badInterfaceSpecIs400(String body) throws Exception {
    assertError(await(client.mutate(HttpMethod.POST, "/api/v1/interfaces", body)), 400);
    assertThat(backend.calls()).isZero();
  }

  @Test
  void unknownFieldIsNamed() throws Exception {
    String detail =
        assertError(
            await(
                client.mutate(
                    HttpMethod.POST, "/api/v1/interfaces", "{\"name\":\"eth0\",\"colour\":1}")),
            400);
    assertThat(detail).contains("'colour'");
  }

  @Test
  void aRegexThatDoesNotCompileSaysWhy() throws Exception {
    String detail =
        assertError(
            await(client.mutate(HttpMethod.POST, "/api/v1/interfaces", "{\"name\":\"/eth[/\"}")),
            400);
    assertThat(detail).startsWith("name: \"/eth[/\" is not a valid regex");
  }

  @Test
  void deeplyNestedOrBinaryBodiesAre400NotServerErrors() throws Exception {
    String deep = "[".repeat(5000) + "]".repeat(5000);
    assertError(await(client.mutate(HttpMethod.POST, "/api/v1/interfaces", deep)), 400);
    MultiMap headers =
        MultiMap.caseInsensitiveMultiMap()
            .add("Authorization", "Bearer " + TOKEN)
            .add("Content-Type", "application/json");
    Buffer garbage = Buffer.buffer(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0xc3});
    assertError(await(client.send(HttpMethod.POST, "/api/v1/interfaces", headers, garbage)), 400);
    assertThat(backend.calls()).isZero();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "{\"name\":\"eth1\"}",
        "{\"sampling\":1,\"speed\":3}",
        "{\"direction\":\"sideways\"}",
        "not json"
      })
  void badPatchIs400(String body) throws Exception {
    await(client.mutate(HttpMethod.POST, "/api/v1/interfaces", "{\"name\":\"eth0\"}"));
    int before = backend.calls();
    assertError(await(client.mutate(HttpMethod.PATCH, "/api/v1/interfaces/eth0", body)), 400);
    assertThat(backend.calls()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"re:xyz", "re:0123456789ABCDEF", "a%20b", "seventeen-bytes-x", "a%3Ab", "a%2Fb"})
  void badIdInPathIs400(String id) throws Exception {
    assertError(
        await(client.mutate(HttpMethod.PATCH, "/api/v1/interfaces/" + id, "{\"sampling\":1}")),
        400);
    assertError(await(client.mutate(HttpMethod.DELETE, "/api/v1/interfaces/" + id, null)), 400);
    assertThat(backend.calls()).isZero();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "top=0",
        "top=10001",
        "top=abc",
        "top=",
        "top=99999999999999999999",
        "by=flows",
        "by=BYTES",
        "limit=5",
        "top=1&top=2"
      })
  void badFlowQueryIs400(String query) throws Exception {
    assertError(await(client.get("/api/v1/flows?" + query)), 400);
    assertThat(backend.calls()).isZero();
  }

  @Test
  void unknownEntryIs404() throws Exception {
    assertError(
        await(client.mutate(HttpMethod.PATCH, "/api/v1/interfaces/eth9", "{\"sampling\":1}")), 404);
    assertError(await(client.mutate(HttpMethod.DELETE, "/api/v1/interfaces/eth9", null)), 404);
  }

  @Test
  void addingAnExistingEntryIs409() throws Exception {
    String spec = "{\"name\":\"eth0\"}";
    assertThat(await(client.mutate(HttpMethod.POST, "/api/v1/interfaces", spec)).status())
        .isEqualTo(201);
    Reply again = await(client.mutate(HttpMethod.POST, "/api/v1/interfaces", spec));
    assertError(again, 409);
    assertThat(again.header("Location")).isNull();
  }

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    String name = "{\"name\":\"eth0\",\"pad\":\"";
    String big =
        name + "x".repeat((int) ApiServerOptions.DEFAULT_BODY_LIMIT_BYTES - name.length()) + "\"}";
    assertThat(big.length()).isEqualTo(ApiServerOptions.DEFAULT_BODY_LIMIT_BYTES + 2);
    Reply reply = await(client.mutate(HttpMethod.POST, "/api/v1/interfaces", big));
    assertError(reply, 413);
    assertThat(reply.header("Connection")).as("unread body: connection closed").isEqualTo("close");
    // the server still answers on a new request afterwards
    assertThat(await(client.get("/healthz")).status()).isEqualTo(200);
    assertThat(backend.calls()).isZero();
  }

  @Test
  void chunkedBodyOverTheLimitIs413() throws Exception {
    MultiMap headers =
        MultiMap.caseInsensitiveMultiMap()
            .add("Authorization", "Bearer " + TOKEN)
            .add("Content-Type", "application/json");
    List<Buffer> chunks = Collections.nCopies(80, Buffer.buffer("x".repeat(1024)));
    Reply reply = await(client.sendChunked(HttpMethod.POST, "/api/v1/interfaces", headers, chunks));
    assertError(reply, 413);
    assertThat(backend.calls()).isZero();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x"
      })
  void wrongContentTypeIs415(String contentType) throws Exception {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + TOKEN);
    if (!contentType.isEmpty()) {
      headers.add("Content-Type", contentType);
    }
    Reply reply =
        await(
            client.send(
                HttpMethod.POST, "/api/v1/interfaces", headers, Buffer.buffer("{\"name\":\"e\"}")));
    assertError(reply, 415);
    assertThat(backend.calls()).isZero();
  }

  @Test
  void contentTypeParametersAreAccepted() throws Exception {
    MultiMap headers =
        MultiMap.caseInsensitiveMultiMap()
            .add("Authorization", "Bearer " + TOKEN)
            .add("Content-Type", "Application/JSON; charset=utf-8");
    Reply reply =
        await(
            client.send(
                HttpMethod.POST, "/api/v1/interfaces", headers, Buffer.buffer("{\"name\":\"e\"}")));
    assertThat(reply.status()).isEqualTo(201);
  }

  @Test
  void backendFailureIs500AndIllegalArgumentIs400() throws Exception {
    backend.failWith(new IllegalStateException("sweeper is gone"));
    assertThat(assertError(await(client.get("/api/v1/status")), 500)).contains("sweeper is gone");
    assertError(await(client.get("/readyz")), 500);
    assertError(await(client.get("/api/v1/flows.arrow")), 500);

    backend.failWith(new IllegalArgumentException("sampling too fine for this NIC"));
    assertThat(
            assertError(
                await(client.mutate(HttpMethod.POST, "/api/v1/interfaces", "{\"name\":\"e\"}")),
                400))
        .isEqualTo("sampling too fine for this NIC");
  }
}
