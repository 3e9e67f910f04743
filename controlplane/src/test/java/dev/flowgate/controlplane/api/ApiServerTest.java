package dev.flowgate.controlplane.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.api.ApiClient.Reply;
import dev.flowgate.controlplane.config.InterfaceConfig;
import dev.flowgate.controlplane.config.InterfaceName;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The happy path of every route. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiServerTest extends ApiServerTestBase {

  @Test
  void healthzAnswersOk() throws Exception {
    Reply reply = await(client.get("/healthz"));
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("Content-Type")).isEqualTo("application/json");
    assertThat(reply.json()).isEqualTo(new JsonObject().put("status", "ok"));
    assertThat(backend.calls()).isZero();
  }

  @Test
  void readyzAnswers200WhenReadyAnd503WithTheReasonWhenNot() throws Exception {
    Reply ready = await(client.get("/readyz"));
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json()).isEqualTo(new JsonObject().put("status", "ready"));

    backend.notReady("veth0 is not attached yet");
    Reply notReady = await(client.get("/readyz"));
    assertThat(notReady.status()).isEqualTo(503);
    assertThat(notReady.json())
        .isEqualTo(
            new JsonObject()
                .put("error", "Service Unavailable")
                .put("detail", "veth0 is not attached yet"));
  }

  @Test
  void metricsServesWhatTheScrapeRenders() throws Exception {
    Reply reply = await(client.get("/metrics"));
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    assertThat(reply.body().toString()).isEqualTo("flowgate_sweeps_total 42\n");
  }

  @Test
  void statusCarriesTheAccountingTerms() throws Exception {
    Reply reply = await(client.get("/api/v1/status"));
    assertThat(reply.status()).isEqualTo(200);
    JsonObject status = reply.json();
    assertThat(status.getString("version")).isEqualTo("0.1.0-test");
    assertThat(status.getLong("uptimeMillis")).isEqualTo(12_345L);
    assertThat(status.getLong("sweeps")).isEqualTo(42L);
    assertThat(status.getJsonObject("flowMap"))
        .isEqualTo(new JsonObject().put("entries", 17).put("capacity", 262_144));
    JsonObject row = status.getJsonArray("accounting").getJsonObject(0);
    assertThat(row.fieldNames())
        .containsExactlyInAnyOrder(
            "interface", "direction", "kernel", "exported", "inCache", "unaccounted");
    assertThat(row.getString("interface")).isEqualTo("veth0");
    assertThat(row.getString("direction")).isEqualTo("ingress");
    assertThat(row.getJsonObject("kernel"))
        .isEqualTo(new JsonObject().put("packets", 100).put("bytes", 15_000));
    assertThat(row.getJsonObject("exported"))
        .isEqualTo(new JsonObject().put("packets", 90).put("bytes", 13_500));
    assertThat(row.getJsonObject("inCache"))
        .isEqualTo(new JsonObject().put("packets", 7).put("bytes", 1_050));
    assertThat(row.getJsonObject("unaccounted"))
        .isEqualTo(new JsonObject().put("packets", 3).put("bytes", 450));
  }

  @Test
  void interfacesCanBeAddedListedPatchedAndDeleted() throws Exception {
    Reply added =
        await(
            client.mutate(
                HttpMethod.POST,
                "/api/v1/interfaces",
                "{\"name\":\"veth0\",\"mode\":\"tc\",\"direction\":\"both\",\"sampling\":1000}"));
    assertThat(added.status()).isEqualTo(201);
    assertThat(added.header("Location")).isEqualTo("/api/v1/interfaces/veth0");
    assertThat(added.json())
        .isEqualTo(
            new JsonObject()
                .put("id", "veth0")
                .put("name", "veth0")
                .put("mode", "tc")
                .put("direction", "both")
                .put("sampling", 1000)
                .put(
                    "attached",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("device", "veth0")
                                .put("ifindex", 7)
                                .put("hooks", new JsonArray().add("tc-ingress"))
                                .put("note", "no native XDP")))
                .put("state", "attached"));

    Reply list = await(client.get("/api/v1/interfaces"));
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.json().getJsonArray("interfaces")).containsExactly(added.json());

    Reply patched =
        await(client.mutate(HttpMethod.PATCH, "/api/v1/interfaces/veth0", "{\"sampling\":0}"));
    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.json().getInteger("sampling")).isZero();
    assertThat(patched.json().getString("mode")).isEqualTo("tc");

    Reply deleted = await(client.mutate(HttpMethod.DELETE, "/api/v1/interfaces/veth0", null));
    assertThat(deleted.status()).isEqualTo(204);
    assertThat(deleted.body().length()).isZero();
    assertThat(await(client.get("/api/v1/interfaces")).json().getJsonArray("interfaces")).isEmpty();
  }

  @Test
  void addingTakesDefaultsForModeDirectionAndSampling() throws Exception {
    Reply added =
        await(client.mutate(HttpMethod.POST, "/api/v1/interfaces", "{\"name\":\"eth1\"}"));
    assertThat(added.status()).isEqualTo(201);
    assertThat(added.json().getString("mode")).isEqualTo("xdp");
    assertThat(added.json().getString("direction")).isEqualTo("ingress");
    assertThat(added.json().getInteger("sampling")).isEqualTo(InterfaceConfig.DEFAULT_SAMPLING);
  }

  @Test
  void aRegexEntryIsAddressedByItsId() throws Exception {
    String name = "/veth[0-9]+/";
    String id = InterfaceName.idOf(name);
    assertThat(id).matches("re:[0-9a-f]{12}");

    Reply added =
        await(
            client.mutate(
                HttpMethod.POST,
                "/api/v1/interfaces",
                new JsonObject().put("name", name).encode()));
    assertThat(added.status()).isEqualTo(201);
    assertThat(added.json().getString("id")).isEqualTo(id);
    assertThat(added.header("Location")).isEqualTo("/api/v1/interfaces/" + id);

    Reply patched =
        await(
            client.mutate(
                HttpMethod.PATCH, added.header("Location"), "{\"mode\":\"xdp-generic\"}"));
    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.json().getString("mode")).isEqualTo("xdp-generic");
    assertThat(patched.json().getString("name")).isEqualTo(name);

    // a client that percent-encodes the colon reaches the same entry
    String encoded = "/api/v1/interfaces/" + id.replace(":", "%3A");
    assertThat(await(client.mutate(HttpMethod.DELETE, encoded, null)).status()).isEqualTo(204);
  }

  @Test
  void patchAcceptsMergePatchJson() throws Exception {
    await(client.mutate(HttpMethod.POST, "/api/v1/interfaces", "{\"name\":\"eth2\"}"));
    io.vertx.core.MultiMap headers =
        io.vertx.core.MultiMap.caseInsensitiveMultiMap()
            .add("Authorization", "Bearer " + TOKEN)
            .add("Content-Type", "application/merge-patch+json");
    Reply patched =
        await(
            client.send(
                HttpMethod.PATCH,
                "/api/v1/interfaces/eth2",
                headers,
                io.vertx.core.buffer.Buffer.buffer("{\"direction\":\"egress\"}")));
    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.json().getString("direction")).isEqualTo("egress");
  }

  @Test
  void flowsAreRankedByBytesByDefaultAndByPacketsOnRequest() throws Exception {
    Reply byBytes = await(client.get("/api/v1/flows?top=2"));
    assertThat(byBytes.status()).isEqualTo(200);
    assertThat(byBytes.json().getString("by")).isEqualTo("bytes");
    assertThat(byBytes.json().getInteger("top")).isEqualTo(2);
    JsonArray flows = byBytes.json().getJsonArray("flows");
    assertThat(flows).hasSize(2);
    assertThat(flows.getJsonObject(0).getLong("octetDeltaCount")).isEqualTo(100_000L);
    assertThat(flows.getJsonObject(1).getLong("octetDeltaCount")).isEqualTo(90_000L);
    JsonObject first = flows.getJsonObject(0);
    assertThat(first.getString("sourceAddress")).isEqualTo("10.0.0.2");
    assertThat(first.getString("destinationAddress")).isEqualTo("2001:db8::2");
    assertThat(first.getInteger("sourceTransportPort")).isEqualTo(5001);
    assertThat(first.getInteger("destinationTransportPort")).isEqualTo(443);
    assertThat(first.getInteger("protocolIdentifier")).isEqualTo(6);
    assertThat(first.getString("flowDirection")).isEqualTo("ingress");
    assertThat(first.getString("interfaceName")).isEqualTo("veth0");
    assertThat(first.getLong("flowStartMilliseconds")).isEqualTo(1_700_000_000_000L);

    Reply byPackets = await(client.get("/api/v1/flows?by=packets"));
    assertThat(byPackets.json().getInteger("top")).isEqualTo(ApiServerOptions.DEFAULT_TOP_FLOWS);
    assertThat(byPackets.json().getJsonArray("flows"))
        .extracting(row -> ((JsonObject) row).getLong("packetDeltaCount"))
        .containsExactly(900L, 50L, 10L);
  }

  @Test
  void flowsArrowSendsTheLatestStreamFileUnchangedThenDeletesIt() throws Exception {
    Reply before = await(client.get("/api/v1/flows.arrow"));
    assertThat(before.status()).isEqualTo(503);
    assertThat(before.json().getString("detail")).isEqualTo("no sweep has completed yet");

    byte[] stream = new byte[100_000];
    for (int i = 0; i < stream.length; i++) {
      stream[i] = (byte) (i * 31);
    }
    backend.arrow(stream);
    Reply after = await(client.get("/api/v1/flows.arrow"));
    assertThat(after.status()).isEqualTo(200);
    assertThat(after.header("Content-Type")).isEqualTo("application/vnd.apache.arrow.stream");
    assertThat(after.body().getBytes()).isEqualTo(stream);
    // the file the backend wrote is the API's to delete once sent
    assertThat(backend.arrowFiles()).hasSize(1);
    java.nio.file.Path sent = backend.arrowFiles().get(0);
    for (int i = 0; i < 1000 && java.nio.file.Files.exists(sent); i++) {
      Thread.sleep(10);
    }
    assertThat(sent).doesNotExist();
  }

  @Test
  void openapiYamlIsServed() throws Exception {
    Reply reply = await(client.get("/api/v1/openapi.yaml"));
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("Content-Type")).isEqualTo("application/yaml");
    try (var in = ApiServer.class.getResourceAsStream(ApiServer.OPENAPI_RESOURCE)) {
      assertThat(reply.body().toString(StandardCharsets.UTF_8))
          .isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void noResponseCarriesCorsHeaders() throws Exception {
    io.vertx.core.MultiMap headers =
        io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("Origin", "https://evil.example");
    Reply get = await(client.send(HttpMethod.GET, "/api/v1/status", headers, null));
    Reply preflight = await(client.send(HttpMethod.OPTIONS, "/api/v1/interfaces", headers, null));
    assertThat(get.headers().names()).noneMatch(h -> h.toLowerCase().startsWith("access-control"));
    assertThat(preflight.status()).isEqualTo(405);
    assertThat(preflight.headers().names())
        .noneMatch(h -> h.toLowerCase().startsWith("access-control"));
  }
}
