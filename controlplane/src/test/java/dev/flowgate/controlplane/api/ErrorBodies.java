package dev.flowgate.controlplane.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.api.ApiClient.Reply;
import io.vertx.core.json.JsonObject;

/** Checks the shape every error shares: a status, JSON, and exactly {error, detail}. */
final class ErrorBodies {

  private ErrorBodies() {}

  /** Asserts {@code reply} is the error {@code status}; returns its detail. */
  static String assertError(Reply reply, int status) {
    assertThat(reply.status()).as("status of %s", reply.body()).isEqualTo(status);
    assertThat(reply.header("Content-Type")).isEqualTo("application/json");
    JsonObject body = reply.json();
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("error", "detail");
    assertThat(body.getString("error")).isEqualTo(ErrorReply.reasonPhrase(status));
    assertThat(body.getString("detail")).isNotBlank();
    return body.getString("detail");
  }
}
