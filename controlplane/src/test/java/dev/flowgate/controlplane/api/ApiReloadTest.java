package dev.flowgate.controlplane.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SelfSignedCertificate;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ApiServer#reload}: what a SIGHUP changes while the API listens. A rotated token file takes
 * effect for the next request (the old token is refused); a new certificate is served to new
 * connections; {@code metrics.public} and {@code metrics.enabled} change; a token file that became
 * unusable is refused and the old token stays.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiReloadTest extends ApiServerTestBase {

  private static final String ROTATED = "rotated-token-0123456789";

  private SelfSignedCertificate first;
  private SelfSignedCertificate second;

  @Override
  ApiServerOptions options() {
    if (first == null) {
      first = SelfSignedCertificate.create("localhost");
      second = SelfSignedCertificate.create("localhost");
    }
    return super.options()
        .setTls(Path.of(first.certificatePath()), Path.of(first.privateKeyPath()));
  }

  @AfterEach
  void deleteCertificates() {
    first.delete();
    second.delete();
  }

  private ApiClient https(SelfSignedCertificate trusted, String token) {
    return new ApiClient(
        vertx,
        new HttpClientOptions()
            .setSsl(true)
            .setTrustOptions(trusted.trustOptions())
            .setVerifyHost(false),
        server.actualPort(),
        token);
  }

  private static int status(ApiClient c, HttpMethod method, String uri) throws Exception {
    try {
      return await(method == HttpMethod.GET ? c.get(uri) : c.mutate(method, uri, null)).status();
    } finally {
      await(c.close());
    }
  }

  @Test
  void rotatedTokenAndCertificateTakeEffectWithoutARestart() throws Exception {
    assertThat(status(https(first, TOKEN), HttpMethod.POST, "/api/v1/flush")).isEqualTo(200);

    writeTokenFile(tokenFile, ROTATED + "\n", "rw-------");
    ApiServerOptions fresh =
        super.options()
            .setTls(Path.of(second.certificatePath()), Path.of(second.privateKeyPath()))
            .setMetricsEnabled(false);
    await(server.reload(fresh));

    assertThat(status(https(second, ROTATED), HttpMethod.POST, "/api/v1/flush")).isEqualTo(200);
    assertThat(status(https(second, TOKEN), HttpMethod.POST, "/api/v1/flush"))
        .as("the old token after rotation")
        .isEqualTo(403);
    assertThat(status(https(second, ROTATED), HttpMethod.GET, "/metrics"))
        .as("metrics.enabled: false by reload")
        .isEqualTo(404);
    // a new connection that trusts only the old certificate is refused: the new one is served
    ApiClient old = https(first, ROTATED);
    try {
      assertThatThrownBy(() -> await(old.get("/healthz")))
          .isInstanceOf(ExecutionException.class);
    } finally {
      await(old.close());
    }
  }

  @Test
  void unusableTokenFileIsRefusedAndTheOldTokenStays() throws Exception {
    writeTokenFile(tokenFile, ROTATED + "\n", "rw-rw-rw-");
    assertThatThrownBy(() -> await(server.reload(options())))
        .hasCauseInstanceOf(TokenFileException.class);
    assertThat(status(https(first, TOKEN), HttpMethod.POST, "/api/v1/flush")).isEqualTo(200);
    assertThat(status(https(first, ROTATED), HttpMethod.POST, "/api/v1/flush")).isEqualTo(403);
  }
}
